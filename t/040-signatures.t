# Every way an OSS client authenticates, through nginx: V1 and V4 header
# signatures, V1 and V4 presigned URLs.  Presigned URLs reach the backend
# without their signing parameters.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $rw = sts_issue();

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_region cn-hangzhou;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /eu-bucket/ {
        sts_auth on;
        sts_region eu-central-1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri auth=[$http_authorization]\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: V4 header signature
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/dir/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/dir/hello.txt', '--v4',
           '--region', 'cn-hangzhou')
--- response_body
backend: GET /_backend/demo-bucket/dir/hello.txt auth=[]
--- no_error_log
[error]



=== TEST 2: V4 with a query: every parameter is signed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=a%2Fb&max-keys=5
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=a%2Fb&max-keys=5', '--v4',
           '--region', 'cn-hangzhou')
--- response_body
backend: GET /_backend/demo-bucket/?prefix=a%2Fb&max-keys=5 auth=[]
--- no_error_log
[error]



=== TEST 3: V4: a listing parameter changed after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=a%2Fc&max-keys=5
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=a%2Fb&max-keys=5', '--v4',
           '--region', 'cn-hangzhou')
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>OSS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}/cn-hangzhou/oss/aliyun_v4_request\n[0-9a-f]{64}</StringToSign>}s
--- error_log
SignatureDoesNotMatch



=== TEST 4: V4 scoped to another region than the gateway's
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /eu-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/eu-bucket/hello.txt', '--v4', '--region', 'cn-hangzhou')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 5: V1 presigned URL: allowed, and the backend never sees it
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::url($::rw, 'GET', '/demo-bucket/dir/a.txt?response-content-type=text%2Fplain', '--presign', 600)
--- response_body
backend: GET /_backend/demo-bucket/dir/a.txt?response-content-type=text%2Fplain auth=[]
--- no_error_log
[error]



=== TEST 6: V4 presigned URL with versionId needs oss:GetObjectVersion too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::url($::rw, 'GET', '/demo-bucket/dir/a.txt?versionId=v1', '--presign', 600, '--v4', '--region', 'cn-hangzhou')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/GetObject AccessDenied .*ImplicitDeny/



=== TEST 7: V4 presigned URL without a version
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::url($::rw, 'GET', '/demo-bucket/dir/a.txt', '--presign', 600, '--v4', '--region', 'cn-hangzhou')
--- response_body
backend: GET /_backend/demo-bucket/dir/a.txt auth=[]
--- no_error_log
[error]



=== TEST 8: an expired V1 presigned URL
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::url($::rw, 'GET', '/demo-bucket/a.txt', '--presign', 60, '--date', time() - 120)
--- error_code: 403
--- response_body_like eval
qr{<Code>AccessDenied</Code>\s*<Message>Request has expired\.</Message>}
--- no_error_log
[error]



=== TEST 9: a V1 presigned URL for another object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::url($::rw, 'GET', '/demo-bucket/a.txt', '--presign', 600);
$u =~ s{/a\.txt}{/b.txt};
"GET $u"
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>
--- error_log
SignatureDoesNotMatch



=== TEST 10: presigned URL and Authorization header at once
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::url($::rw, 'GET', '/demo-bucket/a.txt', '--presign', 600)
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/a.txt')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 11: a repeated query parameter is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=a&prefix=b
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=a')
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]
