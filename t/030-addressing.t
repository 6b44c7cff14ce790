# Addressing modes: virtual-host (<bucket>.<domain>) and a fixed bucket
# (CNAME style) sign and authorise the same canonical /<bucket>/<key>.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $rw = sts_issue();

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing virtual-host oss.example.com;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /cname/ {
        sts_auth on;
        sts_addressing bucket demo-bucket;
        rewrite ^/cname(/.*)$ $1 break;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        sts_auth off;
        return 200 "backend: $request_method $request_uri\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: virtual-host: the bucket comes from Host
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /dir/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/dir/hello.txt', '--bucket', 'demo-bucket')
. "Host: demo-bucket.oss.example.com\n"
--- response_body
backend: GET /_backend/dir/hello.txt
--- no_error_log
[error]



=== TEST 2: virtual-host: another bucket in Host is authorised as such
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /dir/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/dir/hello.txt', '--bucket', 'other-bucket')
. "Host: other-bucket.oss.example.com\n"
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
AccessDenied



=== TEST 3: virtual-host: a signature for another bucket does not verify
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /dir/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/dir/hello.txt', '--bucket', 'demo-bucket')
. "Host: demo-bucket2.oss.example.com\n"
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>
--- error_log
SignatureDoesNotMatch



=== TEST 4: virtual-host: a Host outside the domain
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /dir/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/dir/hello.txt', '--bucket', 'demo-bucket')
. "Host: demo-bucket.evil.example.net\n"
--- error_code: 404
--- response_body_like: <Code>NoSuchBucket</Code>
--- no_error_log
[error]



=== TEST 5: fixed bucket (CNAME style): the key is the raw request path
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /cname/dir/new.txt
hello
--- more_headers eval
::sts_sign($::rw, 'PUT', '/cname/dir/new.txt', '--bucket', 'demo-bucket',
           '--content-type', 'text/plain')
--- response_body
backend: PUT /_backend/cname/dir/new.txt
--- no_error_log
[error]



=== TEST 6: fixed bucket: a rewrite does not change what was authorised
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /cname/dir/new.txt
hello
--- more_headers eval
::sts_sign($::rw, 'PUT', '/dir/new.txt', '--bucket', 'demo-bucket',
           '--content-type', 'text/plain')
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>PUT\n\ntext/plain\n[^\n]+\nx-oss-security-token:[^\n]+\n/demo-bucket/cname/dir/new\.txt</StringToSign>}s
--- error_log
SignatureDoesNotMatch
