# Configuration: the module loads into Debian's nginx, the keyring is
# checked at start-up, and mistakes are refused with a clear message.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();

our $rw = sts_issue();

sts_plan();
run_tests();

__DATA__

=== TEST 1: a keyring with mode 0600 loads and sts_auth works
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /demo-bucket/ {
        sts_auth on;
        root html;
    }
--- request
GET /demo-bucket/x.txt
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- no_error_log
[emerg]



=== TEST 2: a world-readable keyring is refused, naming the file
--- http_config
    sts_keys $TEST_NGINX_STS_OPEN_KEYS;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*keyring ".*open-keys" is accessible by group or others}



=== TEST 3: a missing keyring is refused, naming the file
--- http_config
    sts_keys /nonexistent/sts-keys;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*cannot open keyring "/nonexistent/sts-keys"}



=== TEST 4: sts_auth without sts_keys is refused
--- config
    location /t {
        sts_auth on;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_auth" requires "sts_keys"}



=== TEST 5: bad sts_addressing is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /t {
        sts_addressing bucket Bad_Name;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*invalid bucket name "Bad_Name"}



=== TEST 6: sts_auth off leaves a location alone
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /t {
        sts_auth off;
        return 200 "open\n";
    }
--- request
GET /t
--- response_body
open



=== TEST 7: nginx -t warns where proxy_pass forwards the client's $request_uri
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /demo-bucket/ {
        sts_auth on;
        sts_addressing path;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b$request_uri;
    }
    location /_b/ {
        return 200 "backend $request_uri\n";
    }
--- request
GET /demo-bucket/x.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/x.txt')
--- response_body_like: ^backend /_b/demo-bucket/x.txt$
--- error_log eval
qr{\[warn\].*sts_auth: "proxy_pass http://127\.0\.0\.1:\d+/_b\$request_uri" in \S+nginx\.conf:\d+ forwards \$request_uri, not the request that was authorised}
--- no_error_log
[error]



=== TEST 8: ... and $uri, ${document_uri}, in any case, in nested locations too
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /demo-bucket/ {
        sts_auth on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b$URI;

        location /demo-bucket/in/ {
            proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b${document_uri}?x;
        }
    }
--- request
GET /demo-bucket/x.txt
--- error_code: 403
--- error_log eval
[qr{\[warn\].*"proxy_pass http://127\.0\.0\.1:\d+/_b\$URI" in \S+:\d+ forwards \$uri,},
 qr{\[warn\].*"proxy_pass http://127\.0\.0\.1:\d+/_b\$\{document_uri\}\?x" in \S+:\d+ forwards \$document_uri,}]
--- no_error_log
[error]



=== TEST 9: nginx -t warns where proxy_pass has a URI part of its own
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /demo-bucket/ {
        sts_auth on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b/;
    }
--- request
GET /demo-bucket/x.txt
--- error_code: 403
--- error_log eval
qr{\[warn\].*"proxy_pass http://127\.0\.0\.1:\d+/_b/" in \S+:\d+ has a URI part: nginx sends the store a path rebuilt}
--- no_error_log
[error]



=== TEST 10: no warning for $sts_backend_uri, the raw target, or where sts_auth is off
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location /demo-bucket/ {
        sts_auth on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b$sts_backend_uri;
    }
    location /raw/ {
        sts_auth on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT;
    }
    location /open/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_b$uri;
    }
    location /_b/ {
        return 200 "backend $request_uri\n";
    }
--- request
GET /demo-bucket/a%3Fb.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/a%3Fb.txt')
--- response_body_like: ^backend /_b/demo-bucket/a%3Fb.txt$
--- no_error_log
[warn]
[error]
