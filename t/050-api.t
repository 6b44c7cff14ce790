# The OSS API surface at the gateway: each request is mapped to its
# actions and resources, and every object it names is authorised: list
# prefixes (oss:Prefix), copy sources, DeleteMultipleObjects keys (one
# denial denies all), symlink targets, x-oss-process watermarks and
# sys/saveas targets; bucket configuration calls by sts_bucket_config;
# CORS preflights without credentials.  The backend echoes what reached
# it through $sts_backend_uri.

use Test::Nginx::Socket;
use StsPlan;
use MIME::Base64 qw(encode_base64url);
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $api = sts_issue(role_policy => ['api']);
our $photos = sts_issue(role_policy => ['list-photos']);

our $ok_keys = sts_delete_xml('public/a.txt', 'public/b c.txt',
                              ['public/v.txt', 'v1']);
our $bad_keys = sts_delete_xml('public/a.txt', 'secret/plan.txt',
                               'public/b.txt');

sub b64 { encode_base64url($_[0]) }

# DeleteMultipleObjects with encoding-type=url: the keys are URL-encoded
sub url_keys {
    return '<Delete>' . join('', map { "<Object><Key>$_</Key></Object>" } @_)
           . '</Delete>';
}

our $enc_secret = url_keys('public/a.txt', 'secret%2Fplan.txt');
our $enc_ok = qq{<?xml version="1.0" encoding="UTF-8"?>\n<Delete>\n}
              . qq{  <Quiet>true</Quiet>\n}
              . qq{  <Object><Key>public%2Fb%20c.txt</Key></Object>\n}
              . qq{  <Object><Key>public/x%26y%3C%E2%82%AC.txt</Key>}
              . qq{<VersionId>v1</VersionId></Object>\n</Delete>};
# what the store must receive: the keys as authorised, decoded
our $enc_fwd = qq{<?xml version="1.0" encoding="UTF-8"?>\n<Delete>}
               . qq{<Quiet>true</Quiet>}
               . qq{<Object><Key>public/b c.txt</Key></Object>}
               . qq{<Object><Key>public/x&amp;y&lt;\xE2\x82\xAC.txt</Key>}
               . qq{<VersionId>v1</VersionId></Object></Delete>};

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        sts_bucket_config read;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    location /locked-bucket/ {
        sts_auth on;
        sts_addressing path;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    location /cors-bucket/ {
        # preflights answered here (rewrite phase, before the access
        # phase); every answer, errors too, readable by the browser
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $http_origin;
            add_header Access-Control-Allow-Methods "GET, PUT, POST, DELETE, HEAD";
            add_header Access-Control-Allow-Headers $http_access_control_request_headers;
            add_header Access-Control-Max-Age 600;
            return 200;
        }

        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Expose-Headers "ETag, x-oss-request-id, x-oss-version-id" always;

        sts_auth on;
        sts_addressing path;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri copy=[$http_x_oss_copy_source] link=[$http_x_oss_symlink_target] auth=[$http_authorization]\n";
    }
_EOC_

# the store records the body it receives (nginx's DAV module behind a PUT)
our $StoreHttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;

        location / {
            dav_methods PUT;
            create_full_put_path on;
        }
    }
_EOC_

our $StoreConfig = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    location /_backend/ {
        rewrite ^ /received/body break;
        proxy_method PUT;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        add_header X-Backend "$request_method $request_uri md5=[$http_content_md5] length=[$http_content_length]" always;
    }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: ListObjects with a prefix the policy's oss:Prefix allows
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=photos%2F2024%2F&delimiter=%2F&max-keys=10
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/?prefix=photos%2F2024%2F&delimiter=%2F&max-keys=10')
--- response_body
backend: GET /_backend/demo-bucket/?prefix=photos%2F2024%2F&delimiter=%2F&max-keys=10 copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 2: ListObjects with a prefix outside oss:Prefix is denied
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=secret%2F
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/?prefix=secret%2F')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: ListObjects AccessDenied .*ImplicitDeny/



=== TEST 3: ListObjects without a prefix is outside oss:Prefix too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
ListObjects AccessDenied



=== TEST 4: ListObjectsV2 is ListObjects, with the same condition
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?list-type=2&prefix=photos%2F&continuation-token=abc
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/?list-type=2&prefix=photos%2F&continuation-token=abc')
--- response_body
backend: GET /_backend/demo-bucket/?list-type=2&prefix=photos%2F&continuation-token=abc copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 5: CopyObject from a source the policy denies
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/copy.txt
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/public/copy.txt',
           '--header', 'x-oss-copy-source:/demo-bucket/secret/plan.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: CopyObject AccessDenied .*ExplicitDeny/



=== TEST 6: CopyObject from a readable source in another bucket
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/copy.txt
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/public/copy.txt',
           '--header', 'x-oss-copy-source:/shared-bucket/public/a%20b.txt')
--- response_body
backend: PUT /_backend/demo-bucket/public/copy.txt copy=[/shared-bucket/public/a%20b.txt] link=[] auth=[]
--- no_error_log
[error]



=== TEST 7: UploadPartCopy from a source outside the policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/big.bin?partNumber=1&uploadId=u1
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/public/big.bin?partNumber=1&uploadId=u1',
           '--header', 'x-oss-copy-source:/shared-bucket/private/x.bin',
           '--header', 'x-oss-copy-source-range:bytes=0-9')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
UploadPartCopy AccessDenied



=== TEST 8: DeleteMultipleObjects: every key allowed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete\n$::ok_keys"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-md5', ::sts_content_md5($::ok_keys),
           '--content-type', 'application/xml')
--- response_body
backend: POST /_backend/demo-bucket/?delete copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 9: DeleteMultipleObjects: one forbidden key denies them all
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete\n$::bad_keys"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-md5', ::sts_content_md5($::bad_keys),
           '--content-type', 'application/xml')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: DeleteMultipleObjects AccessDenied .*ExplicitDeny/



=== TEST 10: DeleteMultipleObjects: a body that is not the one signed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete\n$::bad_keys"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-md5', ::sts_content_md5($::ok_keys),
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidDigest</Code>
--- no_error_log
[error]



=== TEST 11: DeleteMultipleObjects: XML with a DOCTYPE is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
POST /demo-bucket/?delete
<!DOCTYPE d [<!ENTITY e "secret/plan.txt">]><Delete><Object><Key>&e;</Key></Object></Delete>
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>MalformedXML</Code>
--- no_error_log
[error]



=== TEST 12: DeleteMultipleObjects: a key with a dot segment
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
POST /demo-bucket/?delete
<Delete><Object><Key>public/../secret/plan.txt</Key></Object></Delete>
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 13: DeleteMultipleObjects: a body over 2 MiB is refused unread
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete\n" . ('x' x (2 * 1024 * 1024 + 1))
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>EntityTooLarge</Code>
--- no_error_log
sts: request body complete



=== TEST 14: PutSymlink to a target the policy denies
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/link?symlink
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/public/link?symlink',
           '--header', 'x-oss-symlink-target:secret%2Fplan.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: PutSymlink AccessDenied .*ExplicitDeny/



=== TEST 15: PutSymlink to a readable target
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/link?symlink
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/public/link?symlink',
           '--header', 'x-oss-symlink-target:public%2Fa.txt')
--- response_body
backend: PUT /_backend/demo-bucket/public/link?symlink copy=[] link=[public%2Fa.txt] auth=[]
--- no_error_log
[error]



=== TEST 16: an image watermark naming a denied object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET /demo-bucket/public/p.jpg?x-oss-process=image/resize,w_100/watermark,image_" . ::b64('secret/logo.png') . ",g_se"
--- more_headers eval
::sts_sign($::api, 'GET', "/demo-bucket/public/p.jpg?x-oss-process=image/resize,w_100/watermark,image_" . ::b64('secret/logo.png') . ",g_se")
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: GetObject AccessDenied .*ExplicitDeny/



=== TEST 17: an image watermark naming a readable object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET /demo-bucket/public/p.jpg?x-oss-process=image/watermark,image_" . ::b64('public/logo.png')
--- more_headers eval
::sts_sign($::api, 'GET', "/demo-bucket/public/p.jpg?x-oss-process=image/watermark,image_" . ::b64('public/logo.png'))
--- response_body eval
"backend: GET /_backend/demo-bucket/public/p.jpg?x-oss-process=image%2Fwatermark%2Cimage_" . ::b64('public/logo.png') . " copy=[] link=[] auth=[]\n"
--- no_error_log
[error]



=== TEST 18: a style cannot be checked, so it is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/p.jpg?x-oss-process=style/thumb
--- more_headers eval
::sts_sign($::api, 'GET', '/demo-bucket/public/p.jpg?x-oss-process=style/thumb')
--- error_code: 403
--- response_body_like: <Message>The request names an object the gateway cannot authorise.</Message>
--- no_error_log
[error]



=== TEST 19: ProcessObject saving into a denied object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/public/p.jpg?x-oss-process\nx-oss-process=image/resize,w_100|sys/saveas,o_" . ::b64('secret/out.jpg') . ",b_" . ::b64('demo-bucket')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/public/p.jpg?x-oss-process',
           '--content-type', 'application/x-www-form-urlencoded')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: ProcessObject AccessDenied .*ExplicitDeny/



=== TEST 20: ProcessObject saving into another bucket is checked there
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/public/p.jpg?x-oss-process\nx-oss-process=image/resize,w_100|sys/saveas,o_" . ::b64('public/out.jpg') . ",b_" . ::b64('shared-bucket')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/public/p.jpg?x-oss-process',
           '--content-type', 'application/x-www-form-urlencoded')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
ProcessObject AccessDenied



=== TEST 21: ProcessObject saving into an allowed object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/public/p.jpg?x-oss-process\nx-oss-process=image/resize,w_100|sys/saveas,o_" . ::b64('public/out.jpg')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/public/p.jpg?x-oss-process',
           '--content-type', 'application/x-www-form-urlencoded')
--- response_body
backend: POST /_backend/demo-bucket/public/p.jpg?x-oss-process copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 22: bucket configuration: reads mapped (sts_bucket_config read)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?acl
--- more_headers eval
::sts_sign($::api, 'GET', '/demo-bucket/?acl')
--- response_body
backend: GET /_backend/demo-bucket/?acl copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 23: bucket configuration: writes refused whatever the policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/?cors
--- more_headers eval
::sts_sign($::api, 'PUT', '/demo-bucket/?cors')
--- error_code: 403
--- response_body_like: <Message>Bucket configuration requests are not allowed through this gateway.</Message>
--- error_log
PutBucketCors AccessDenied



=== TEST 24: bucket configuration: off by default
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /locked-bucket/?acl
--- more_headers eval
::sts_sign($::api, 'GET', '/locked-bucket/?acl')
--- error_code: 403
--- response_body_like: <Message>Bucket configuration requests are not allowed through this gateway.</Message>
--- no_error_log
[error]



=== TEST 25: an unknown sub-resource is refused, not read as GetObject
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/a.txt?replication
--- more_headers eval
::sts_sign($::api, 'GET', '/demo-bucket/public/a.txt?replication')
--- error_code: 403
--- response_body_like: <Message>This operation is not supported by the gateway.</Message>
--- error_log
request not mapped



=== TEST 26: multipart upload, each step mapped
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/public/big.bin?uploads",
 "PUT /demo-bucket/public/big.bin?partNumber=1&uploadId=u1\npart",
 "GET /demo-bucket/public/big.bin?uploadId=u1",
 "POST /demo-bucket/public/big.bin?uploadId=u1\n<CompleteMultipartUpload/>",
 "DELETE /demo-bucket/public/big.bin?uploadId=u1",
 "GET /demo-bucket/?uploads"]
--- more_headers eval
[::sts_sign($::api, 'POST', '/demo-bucket/public/big.bin?uploads'),
 ::sts_sign($::api, 'PUT', '/demo-bucket/public/big.bin?partNumber=1&uploadId=u1'),
 ::sts_sign($::api, 'GET', '/demo-bucket/public/big.bin?uploadId=u1'),
 ::sts_sign($::api, 'POST', '/demo-bucket/public/big.bin?uploadId=u1'),
 ::sts_sign($::api, 'DELETE', '/demo-bucket/public/big.bin?uploadId=u1'),
 ::sts_sign($::api, 'GET', '/demo-bucket/?uploads')]
--- response_body eval
["backend: POST /_backend/demo-bucket/public/big.bin?uploads copy=[] link=[] auth=[]\n",
 "backend: PUT /_backend/demo-bucket/public/big.bin?partNumber=1&uploadId=u1 copy=[] link=[] auth=[]\n",
 "backend: GET /_backend/demo-bucket/public/big.bin?uploadId=u1 copy=[] link=[] auth=[]\n",
 "backend: POST /_backend/demo-bucket/public/big.bin?uploadId=u1 copy=[] link=[] auth=[]\n",
 "backend: DELETE /_backend/demo-bucket/public/big.bin?uploadId=u1 copy=[] link=[] auth=[]\n",
 "backend: GET /_backend/demo-bucket/?uploads copy=[] link=[] auth=[]\n"]
--- no_error_log
[error]



=== TEST 27: a presigned URL: its signing parameters never reach the backend
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::sts_stsctl('sign', '--access-key-id', $::api->{id}, '--secret-file', StsTest::_secret_file($::api), '--security-token', $::api->{token}, '--host', 'localhost', '--presign', '600', '--path-only', 'GET', '/demo-bucket/public/a.txt?response-content-type=text%2Fplain')
--- response_body
backend: GET /_backend/demo-bucket/public/a.txt?response-content-type=text%2Fplain copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 28: a CORS preflight passes without credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
OPTIONS /demo-bucket/public/a.txt?uploads
--- more_headers
Origin: https://app.example.com
Access-Control-Request-Method: POST
Access-Control-Request-Headers: authorization, x-oss-date, x-oss-security-token
--- response_body
backend: OPTIONS /_backend/demo-bucket/public/a.txt?uploads copy=[] link=[] auth=[]
--- no_error_log
[error]



=== TEST 29: an OPTIONS that is not a preflight is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
OPTIONS /demo-bucket/public/a.txt
--- error_code: 403
--- response_body_like: <Code>AccessForbidden</Code>
--- no_error_log
[error]



=== TEST 30: a preflight answered by the configuration, errors readable by the browser
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["OPTIONS /cors-bucket/a.txt",
 "PUT /cors-bucket/a.txt\nx"]
--- more_headers eval
["Origin: https://app.example.com\nAccess-Control-Request-Method: PUT\nAccess-Control-Request-Headers: authorization, x-oss-date\n",
 "Origin: https://app.example.com\n"]
--- error_code eval
[200, 403]
--- response_headers eval
["Access-Control-Allow-Origin: https://app.example.com\nAccess-Control-Allow-Headers: authorization, x-oss-date",
 "Access-Control-Allow-Origin: *\nAccess-Control-Expose-Headers: ETag, x-oss-request-id, x-oss-version-id"]
--- no_error_log
[error]



=== TEST 31: encoding-type=url: a key is decoded before it is authorised
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=url\n$::enc_secret"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
           '--content-md5', ::sts_content_md5($::enc_secret),
           '--content-type', 'application/xml')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: DeleteMultipleObjects AccessDenied .*ExplicitDeny/



=== TEST 32: the Encoding-type header asks for the same decoding
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete\n$::enc_secret"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--header', 'Encoding-type:url',
           '--content-md5', ::sts_content_md5($::enc_secret),
           '--content-type', 'application/xml')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: DeleteMultipleObjects AccessDenied .*ExplicitDeny/



=== TEST 33: encoding-type=url: the store gets the keys as authorised, decoded, with their MD5
--- http_config eval: $::StoreHttpConfig
--- config eval: $::StoreConfig
--- request eval
["POST /demo-bucket/?delete&encoding-type=url\n$::enc_ok",
 "GET /_store/received/body"]
--- more_headers eval
[::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
            '--content-md5', ::sts_content_md5($::enc_ok),
            '--content-type', 'application/xml'), ""]
--- error_code_like eval
[qr/^20[14]$/, qr/^200$/]
--- response_headers eval
["X-Backend: POST /_backend/demo-bucket/?delete&encoding-type=url md5=["
 . ::sts_content_md5($::enc_fwd) . "] length=[" . length($::enc_fwd) . "]",
 ""]
--- response_body eval
["", $::enc_fwd]
--- no_error_log
[error]



=== TEST 34: encoding-type=url: a key with a bad escape
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=url\n" . ::url_keys('public/a%zz.txt')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 35: encoding-type=url: a '+' could be a space or a plus: refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=url\n" . ::url_keys('public/a+b.txt')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 36: encoding-type=url: a decoded key must pass the key rules
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=url\n"
. ::url_keys('public%2F..%2Fsecret%2Fplan.txt')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 37: encoding-type=url: a decoded '%' would read differently if decoded again
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=url\n"
. ::url_keys('public/secret%252Fplan.txt')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=url',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 38: an encoding-type other than url
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/?delete&encoding-type=URL\n" . ::url_keys('public/a.txt')
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete&encoding-type=URL',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 39: an EncodingType element in the body is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
POST /demo-bucket/?delete
<Delete><EncodingType>url</EncodingType><Object><Key>secret%2Fplan.txt</Key></Object></Delete>
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-type', 'application/xml')
--- error_code: 400
--- response_body_like: <Code>MalformedXML</Code>
--- no_error_log
[error]



=== TEST 40: character references in a key are decoded before it is authorised
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
POST /demo-bucket/?delete
<Delete><Object><Key>secret&#x2F;pl&#97;n.txt</Key></Object></Delete>
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/?delete',
           '--content-type', 'application/xml')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: DeleteMultipleObjects AccessDenied .*ExplicitDeny/



=== TEST 41: without encoding-type the body reaches the store unchanged
--- http_config eval: $::StoreHttpConfig
--- config eval: $::StoreConfig
--- request eval
["POST /demo-bucket/?delete\n$::ok_keys",
 "GET /_store/received/body"]
--- more_headers eval
[::sts_sign($::api, 'POST', '/demo-bucket/?delete',
            '--content-md5', ::sts_content_md5($::ok_keys),
            '--content-type', 'application/xml'), ""]
--- error_code_like eval
[qr/^20[14]$/, qr/^200$/]
--- response_headers eval
["X-Backend: POST /_backend/demo-bucket/?delete md5=["
 . ::sts_content_md5($::ok_keys) . "] length=[" . length($::ok_keys) . "]",
 ""]
--- response_body eval
["", $::ok_keys]
--- no_error_log
[error]
