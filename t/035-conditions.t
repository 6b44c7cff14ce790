# Policy conditions decided by the request: source address, transport,
# current time, listing prefix and user agent.  The deciding statement is
# named in $sts_statement.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $ip = sts_issue(role_policy => ['cond-source-ip']);
our $tt = sts_issue(role_policy => ['cond-transport-time']);

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        proxy_set_header X-Statement $sts_statement;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_uri by $http_x_statement\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: IpAddress: the client is on loopback
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/ip/a.txt
--- more_headers eval
::sts_sign($::ip, 'GET', '/demo-bucket/ip/a.txt')
--- response_body
backend: /_backend/demo-bucket/ip/a.txt by role[0].Statement[0](FromLoopback)
--- no_error_log
[error]



=== TEST 2: IpAddress: the client is not in the office network
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/office/a.txt
--- more_headers eval
::sts_sign($::ip, 'GET', '/demo-bucket/office/a.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/AccessDenied .*ImplicitDeny/



=== TEST 3: a Deny conditioned on the source address wins
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/remote-only/a.txt
--- more_headers eval
::sts_sign($::ip, 'GET', '/demo-bucket/remote-only/a.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/AccessDenied .*ExplicitDeny/



=== TEST 4: Bool acs:SecureTransport true is not met over plain HTTP
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/tls/a.txt
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/tls/a.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
AccessDenied



=== TEST 5: Bool acs:SecureTransport false is met over plain HTTP
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/plain/a.txt
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/plain/a.txt')
--- response_body
backend: /_backend/demo-bucket/plain/a.txt by role[0].Statement[1](PlainOk)
--- no_error_log
[error]



=== TEST 6: DateLessThan a past date: denied now
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/old/a.txt
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/old/a.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
AccessDenied



=== TEST 7: DateGreaterThan a past date: allowed now
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/new/a.txt
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/new/a.txt')
--- response_body
backend: /_backend/demo-bucket/new/a.txt by role[0].Statement[3](SinceLongAgo)
--- no_error_log
[error]



=== TEST 8: StringLike oss:Prefix: a listing inside photos/
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=photos%2F2024%2F
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/?prefix=photos%2F2024%2F')
--- response_body
backend: /_backend/demo-bucket/?prefix=photos%2F2024%2F by role[0].Statement[4](ListPhotosOnly)
--- no_error_log
[error]



=== TEST 9: StringLike oss:Prefix: a listing outside photos/
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=docs%2F
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/?prefix=docs%2F')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
ListObjects AccessDenied



=== TEST 10: StringLike oss:Prefix: a listing without a prefix
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/
--- more_headers eval
::sts_sign($::tt, 'GET', '/demo-bucket/')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
ListObjects AccessDenied



=== TEST 11: StringEquals acs:UserAgent
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/app/a.txt", "GET /demo-bucket/app/a.txt"]
--- more_headers eval
[::sts_sign($::tt, 'GET', '/demo-bucket/app/a.txt') . "User-Agent: demo-app/1.0\n",
 ::sts_sign($::tt, 'GET', '/demo-bucket/app/a.txt') . "User-Agent: curl/8\n"]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr/by role\[0\]\.Statement\[5\]\(OnlyTheApp\)/, qr/<Code>AccessDenied<\/Code>/]
