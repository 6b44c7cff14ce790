# Configuration: the module loads into Debian's nginx, the keyring is
# checked at start-up, and mistakes are refused with a clear message.

use lib 't/lib';
use Test::Nginx::Socket 'no_plan';
use StsTest;

repeat_each(1);
no_shuffle();

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
