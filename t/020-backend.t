# What reaches the backend: an allowed upload arrives intact in a real
# store (nginx's DAV module on a second port), reads back byte for byte,
# and the backend learns who asked through the $sts_* variables.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $rw = sts_issue(session_name => 'backend-test');
our $body = join '', map { chr(32 + ($_ * 7) % 95) } 1 .. 5000;

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 1m;

        location / {
            dav_methods PUT DELETE;
            create_full_put_path on;
            add_header X-Seen-Akid $http_x_sts_access_key_id always;
            add_header X-Seen-Role $http_x_sts_role always;
            add_header X-Seen-Auth "[$http_authorization]" always;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        proxy_set_header X-STS-Access-Key-Id $sts_access_key_id;
        proxy_set_header X-STS-Role "$sts_role_arn $sts_session_name";
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: PUT then GET: the object arrives and reads back intact
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/dir/data.bin\n$::body",
 "GET /demo-bucket/dir/data.bin",
 "DELETE /demo-bucket/dir/data.bin",
 "GET /demo-bucket/dir/data.bin"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/demo-bucket/dir/data.bin',
            '--content-type', 'application/octet-stream'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/dir/data.bin'),
 ::sts_sign($::rw, 'DELETE', '/demo-bucket/dir/data.bin'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/dir/data.bin')]
--- error_code eval
[201, 200, 204, 404]
--- response_body_like eval
[qr/^$/, qr/^\Q$::body\E$/, qr/^$/, qr/404 Not Found/]
--- no_error_log eval
[qr/\[error\].*sts:/, '[crit]']



=== TEST 2: the backend sees who asked, and no client credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- user_files
>>> demo-bucket/who.txt
hello
--- request
GET /demo-bucket/who.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/who.txt')
--- response_body
hello
--- response_headers eval
"X-Seen-Akid: $::rw->{id}\n"
. "X-Seen-Role: acs:ram::1234567890123456:role/app backend-test\n"
. "X-Seen-Auth: []\n"



=== TEST 3: a denied upload never reaches the store
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /other-bucket/x.bin\nsecret bytes",
 "GET /_store/other-bucket/x.bin"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/other-bucket/x.bin',
            '--content-type', 'application/octet-stream'),
 ""]
--- error_code eval
[403, 404]
--- response_body_like eval
[qr/<Code>AccessDenied<\/Code>/, qr/404 Not Found/]
--- error_log
PutObject AccessDenied
