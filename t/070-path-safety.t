# Path safety: one canonical key per request.  The path is decoded once;
# dot segments (raw, encoded, with backslashes, overlong UTF-8), empty
# segments, control bytes and keys over 1023 bytes are refused; what is
# allowed is forwarded re-encoded through $sts_backend_uri, so the backend
# receives exactly the key that was authorised.  The backend here is an
# nginx that normalises paths the way many stores do, with a location
# that serves the denied prefix: no trick reaches it.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $deny = sts_issue(role_policy => ['deny-secret']);
our $long = 'k' x 1019;
our $jpg = sts_issue(role_policy => ['jpg-and-abort']);

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name *.oss.example.com;

        location / {
            sts_auth on;
            sts_addressing virtual-host oss.example.com;
            proxy_set_header X-STS-Object $sts_object;
            proxy_set_header Host localhost;
            proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        proxy_set_header X-STS-Object $sts_object;
        proxy_set_header Host localhost;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    # the store normalises the path before it looks the object up
    location /_backend/demo-bucket/secret/ {
        return 200 "SECRET reached: $request_uri\n";
    }

    location /_backend/ {
        return 200 "backend: $request_uri object=[$http_x_sts_object]\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: a dot-dot segment
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/../secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 2: an encoded dot-dot segment
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/%2e%2E/secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 3: dot segments behind encoded slashes
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/public%2F..%2Fsecret%2Fplan.txt",
 "GET /demo-bucket/public/..%2Fsecret/plan.txt",
 "GET /demo-bucket/public/%2E%2E%2Fsecret/plan.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[qr/<Code>InvalidObjectName<\/Code>/, qr/<Code>InvalidObjectName<\/Code>/,
 qr/<Code>InvalidObjectName<\/Code>/]
--- no_error_log
[error]



=== TEST 4: a single dot, and dot segments with backslashes
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/./secret/plan.txt",
 "GET /demo-bucket/public%5C..%5Csecret%5Cplan.txt",
 "GET /demo-bucket/public/.%5Csecret"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[qr/<Code>InvalidObjectName<\/Code>/, qr/<Code>InvalidObjectName<\/Code>/,
 qr/<Code>InvalidObjectName<\/Code>/]
--- no_error_log
[error]



=== TEST 5: empty segments (a store that merges slashes would see another key)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket//secret/plan.txt",
 "GET /demo-bucket/public//secret/plan.txt",
 "GET /demo-bucket/public%2F%2Fsecret/plan.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[qr/<Code>InvalidObjectName<\/Code>/, qr/<Code>InvalidObjectName<\/Code>/,
 qr/<Code>InvalidObjectName<\/Code>/]
--- no_error_log
[error]



=== TEST 6: a dot-dot in overlong UTF-8
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/%C0%AE%C0%AE/secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 7: control bytes and NUL
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/public/a%0Ab.txt",
 "GET /demo-bucket/public/a%09b.txt",
 "GET /demo-bucket/public/a%7Fb.txt",
 "GET /demo-bucket/public/a%00b.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')]
--- error_code eval
[400, 400, 400, 400]
--- response_body_like eval
[qr/<Code>InvalidObjectName<\/Code>/, qr/<Code>InvalidObjectName<\/Code>/,
 qr/<Code>InvalidObjectName<\/Code>/, qr/400/]
--- no_error_log
[error]



=== TEST 8: the denied prefix, decoded once, is denied
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/secret%2Fplan.txt",
 "GET /demo-bucket/s%65cret/plan.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/secret%2Fplan.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/s%65cret/plan.txt')]
--- error_code eval
[403, 403]
--- response_body_like eval
[qr/<Code>AccessDenied<\/Code>/, qr/<Code>AccessDenied<\/Code>/]
--- error_log eval
qr/\[error\].*sts: GetObject AccessDenied .*ExplicitDeny/



=== TEST 9: a doubly encoded dot-dot is a literal key, and stays one
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/%252e%252e/secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/%252e%252e/secret/plan.txt')
--- response_body
backend: /_backend/demo-bucket/public/%252e%252e/secret/plan.txt object=[public/%2e%2e/secret/plan.txt]
--- no_error_log
[error]



=== TEST 10: an odd but valid key arrives as it was checked
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/a%20b+c%2Bd%25e%3Ff%23g%26h=i!*'(),;@$~.txt
--- more_headers eval
::sts_sign($::deny, 'GET', "/demo-bucket/public/a%20b+c%2Bd%25e%3Ff%23g%26h=i!*'(),;\@\$~.txt")
--- response_body
backend: /_backend/demo-bucket/public/a%20b%2Bc%2Bd%25e%3Ff%23g%26h%3Di%21%2A%27%28%29%2C%3B%40%24~.txt object=[public/a b+c+d%e?f#g&h=i!*'(),;@$~.txt]
--- no_error_log
[error]



=== TEST 11: UTF-8 keys, raw or encoded, arrive encoded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/public/\xe4\xb8\xad\xe6\x96\x87.txt",
 "GET /demo-bucket/public/%E4%B8%AD%E6%96%87.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/demo-bucket/public/%E4%B8%AD%E6%96%87.txt'),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/%E4%B8%AD%E6%96%87.txt')]
--- response_body eval
["backend: /_backend/demo-bucket/public/%E4%B8%AD%E6%96%87.txt object=[public/\xe4\xb8\xad\xe6\x96\x87.txt]\n",
 "backend: /_backend/demo-bucket/public/%E4%B8%AD%E6%96%87.txt object=[public/\xe4\xb8\xad\xe6\x96\x87.txt]\n"]
--- no_error_log
[error]



=== TEST 12: a key of 1023 bytes is fine, 1024 is not
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/abc/$::long",
 "GET /demo-bucket/abcd/$::long"]
--- more_headers eval
[::sts_sign($::deny, 'GET', "/demo-bucket/abc/$::long"),
 ::sts_sign($::deny, 'GET', '/demo-bucket/public/plan.txt')]
--- error_code eval
[200, 400]
--- response_body_like eval
[qr{^backend: /_backend/demo-bucket/abc/k{1019} object}, qr/<Code>InvalidObjectName<\/Code>/]
--- no_error_log
[error]



=== TEST 13: the query reaches the backend re-encoded, without credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"GET " . ::sts_stsctl('sign', '--access-key-id', $::deny->{id}, '--secret-file', StsTest::_secret_file($::deny), '--security-token', $::deny->{token}, '--host', 'localhost', '--presign', '600', '--path-only', 'GET', '/demo-bucket/public/a.txt?response-content-disposition=attachment%3B+filename%3D%22a+b.txt%22&versionId=v+1')
--- response_body
backend: /_backend/demo-bucket/public/a.txt?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&versionId=v%201 object=[public/a.txt]
--- no_error_log
[error]



=== TEST 14: a copy source with a path trick
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/public/copy.txt
--- more_headers eval
::sts_sign($::deny, 'PUT', '/demo-bucket/public/copy.txt',
           '--header', 'x-oss-copy-source:/demo-bucket/public/..%2Fsecret%2Fplan.txt')
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 15: virtual-host addressing: the same rules
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /public/%2e%2e/secret/plan.txt",
 "GET /public/a%20b.txt"]
--- more_headers eval
[::sts_sign($::deny, 'GET', '/public/plan.txt', '--bucket', 'demo-bucket') . "Host: demo-bucket.oss.example.com\n",
 ::sts_sign($::deny, 'GET', '/public/a%20b.txt', '--bucket', 'demo-bucket') . "Host: demo-bucket.oss.example.com\n"]
--- error_code eval
[400, 200]
--- response_body_like eval
[qr/<Code>InvalidObjectName<\/Code>/,
 qr{^backend: /_backend/demo-bucket/public/a%20b.txt object=\[public/a b.txt\]$}]
--- no_error_log
[error]



=== TEST 16: a raw '#' in the path: nginx and many stores end the path there
(signed as the client would sign the key "secret.txt#.jpg", which the policy
allows, so only the refusal of the raw '#' stands between it and the store)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/secret.txt#.jpg",
 "GET /demo-bucket/photo.jpg#",
 "GET /demo-bucket/photo.jpg"]
--- more_headers eval
[::sts_sign($::jpg, 'GET', '/demo-bucket/secret.txt%23.jpg'),
 ::sts_sign($::jpg, 'GET', '/demo-bucket/photo.jpg%23'),
 ::sts_sign($::jpg, 'GET', '/demo-bucket/photo.jpg')]
--- error_code eval
[400, 400, 200]
--- response_body_like eval
[qr{<Code>InvalidURI</Code>.*<Message>The request target holds a raw '#'}s,
 qr{<Code>InvalidURI</Code>},
 qr{^backend: /_backend/demo-bucket/photo.jpg object=\[photo.jpg\]$}]
--- no_error_log
[error]



=== TEST 17: a raw '#' in the query: the sub-resources after it would be lost
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["DELETE /demo-bucket/k?prefix=#&uploadId=U1",
 "DELETE /demo-bucket/k?uploadId=U1#",
 "DELETE /demo-bucket/k?uploadId=U1&prefix=%23"]
--- more_headers eval
[::sts_sign($::jpg, 'DELETE', '/demo-bucket/k?prefix=%23&uploadId=U1'),
 ::sts_sign($::jpg, 'DELETE', '/demo-bucket/k?uploadId=U1%23'),
 ::sts_sign($::jpg, 'DELETE', '/demo-bucket/k?uploadId=U1&prefix=%23')]
--- error_code eval
[400, 400, 200]
--- response_body_like eval
[qr{<Code>InvalidURI</Code>}, qr{<Code>InvalidURI</Code>},
 qr{^backend: /_backend/demo-bucket/k\?\S*uploadId=U1\S* object=\[k\]$}]
--- no_error_log
[error]



=== TEST 18: a raw '#' under virtual-host addressing and in a presigned URL
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /secret.txt#.jpg",
 "GET " . (::sts_stsctl('sign', '--access-key-id', $::jpg->{id}, '--secret-file', StsTest::_secret_file($::jpg), '--security-token', $::jpg->{token}, '--host', 'localhost', '--presign', '600', '--path-only', 'GET', '/demo-bucket/secret.txt') =~ s/\n\z//r) . "#.jpg"]
--- more_headers eval
[::sts_sign($::jpg, 'GET', '/secret.txt%23.jpg', '--bucket', 'demo-bucket') . "Host: demo-bucket.oss.example.com\n",
 ""]
--- error_code eval
[400, 400]
--- response_body_like eval
[qr{<Code>InvalidURI</Code>}, qr{<Code>InvalidURI</Code>}]
--- no_error_log
[error]



=== TEST 19: a star in an ARN's account field stays in its field
(the policy allows demo-bucket/*.jpg for any account; a key of another
bucket that holds ":demo-bucket/" is not demo-bucket's, while a key of
demo-bucket may hold ':')
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /other-bucket/x:demo-bucket/a.jpg",
 "GET /demo-bucket/x:demo-bucket/a.jpg"]
--- more_headers eval
[::sts_sign($::jpg, 'GET', '/other-bucket/x:demo-bucket/a.jpg'),
 ::sts_sign($::jpg, 'GET', '/demo-bucket/x:demo-bucket/a.jpg')]
--- error_code eval
[403, 200]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>},
 qr{^backend: /_backend/demo-bucket/x%3Ademo-bucket/a.jpg object=\[x:demo-bucket/a.jpg\]$}]
--- no_error_log
[alert]
[crit]
