# What an allowed or skipped request carries to the store, raw forwarding
# (proxy_pass without a URI part) and the connectors: no method override
# a store could act on instead of the method authorised, no body on a CORS
# preflight, no credential in a header or in the query, whatever form
# the request was signed in, and no parameter of the gateway's own.
#
# The store is a stub that answers with what it received.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $rw = sts_issue(session_name => 'forwarded');
our $gw = sts_issue(session_name => 'gateway', duration => 3600);
$ENV{TEST_NGINX_STS_GATEWAY_CREDS} = $gw->{file};

# the same credentials, signed without the token (it goes in the query)
our $notoken = { %$rw, token => undef };

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

sub v1 {
    my ($c, $path, @extra) = @_;
    return url($c, 'GET', $path, '--presign', 600, @extra);
}

sub v4 {
    my ($c, $path, @extra) = @_;
    return url($c, 'GET', $path, '--presign', 600, '--v4',
               '--region', 'cn-hangzhou', @extra);
}

our $Override = qr{^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>\s*<Code>InvalidArgument</Code>\s*<Message>A method override header is not accepted: the request is made with its own method\.</Message>};
our $PreflightBody = qr{<Code>InvalidArgument</Code>\s*<Message>A CORS preflight request cannot have a body\.</Message>};
our $Preflight = "Origin: https://app.example.com\n"
                 . "Access-Control-Request-Method: PUT\n";

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m;

    # the stub store
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;

        location / {
            return 200 "store: $request_method $request_uri override=[$http_x_http_method_override|$http_x_method_override|$http_x_http_method] auth=[$http_authorization] token=[$http_x_oss_security_token] length=[$http_content_length] te=[$http_transfer_encoding]\n";
        }
    }
_EOC_

our $Config = <<'_EOC_';
    sts_region cn-hangzhou;

    location / {
        sts_auth on;
        sts_addressing path;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location /demo-bucket/s3/ {
        sts_auth on;
        sts_addressing path;
        sts_backend s3;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: a signed request with a method override is refused, not forwarded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[("GET /demo-bucket/a.txt") x 4]
--- more_headers eval
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt');
["${h}X-HTTP-Method-Override: DELETE\n",
 "${h}X-Method-Override: DELETE\n",
 "${h}x-http-method: DELETE\n",
 $h]
--- error_code eval
[400, 400, 400, 200]
--- response_headers eval
[("Content-Type: application/xml") x 3, "Content-Type: text/plain"]
--- response_body_like eval
[$::Override, $::Override, $::Override,
 qr{^store: GET /demo-bucket/a\.txt override=\[\|\|\] auth=\[\] token=\[\] }]
--- error_log
InvalidArgument for "STS.
: method override header, request id



=== TEST 2: a CORS preflight with a method override is refused too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[("OPTIONS /demo-bucket/a.txt") x 3]
--- more_headers eval
[$::Preflight . "X-HTTP-Method-Override: DELETE\n",
 $::Preflight . "X-Method-Override: DELETE\n",
 $::Preflight . "X-HTTP-Method: DELETE\n"]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[$::Override, $::Override, $::Override]
--- no_error_log
[error]



=== TEST 3: a CORS preflight reaches the store without a body
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["OPTIONS /demo-bucket/a.txt", "OPTIONS /demo-bucket/a.txt"]
--- more_headers eval
[$::Preflight, $::Preflight . "Content-Length: 0\n"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: OPTIONS /demo-bucket/a\.txt override=\[\|\|\] auth=\[\] token=\[\] length=\[\] te=\[\]$},
 qr{^store: OPTIONS /demo-bucket/a\.txt override=\[\|\|\] auth=\[\] token=\[\] length=\[0?\] te=\[\]$}]
--- no_error_log
[error]



=== TEST 4: a CORS preflight with a body is refused, not forwarded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
OPTIONS /demo-bucket/a.txt
<Delete><Object><Key>a.txt</Key></Object></Delete>
--- more_headers eval
$::Preflight
--- error_code: 400
--- response_body_like eval
$::PreflightBody
--- no_error_log
[error]



=== TEST 5: a chunked CORS preflight is refused, not forwarded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- raw_request eval
"OPTIONS /demo-bucket/a.txt HTTP/1.1\r\nHost: localhost\r\n"
. "Origin: https://app.example.com\r\n"
. "Access-Control-Request-Method: PUT\r\n"
. "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
. "5\r\nhello\r\n0\r\n\r\n"
--- error_code: 400
--- response_body_like eval
$::PreflightBody
--- no_error_log
[error]



=== TEST 6: a CORS preflight to a presigned URL reaches the store without its credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["OPTIONS " . ::v1($::rw, '/demo-bucket/a.txt?response-content-type=a/b'),
 "OPTIONS " . ::v4($::rw, '/demo-bucket/a.txt?x-sts-max-uses=2')]
--- more_headers eval
[$::Preflight, $::Preflight]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: OPTIONS /demo-bucket/a\.txt\?response-content-type=a/b override},
 qr{^store: OPTIONS /demo-bucket/a\.txt override}]
--- no_error_log
[error]



=== TEST 7: a presigned URL that also sends the token in a header: the header goes too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET " . ::v1($::rw, '/demo-bucket/a.txt', '--header',
               "x-oss-security-token:$::rw->{token}"),
 "GET " . ::v4($::rw, '/demo-bucket/b.txt', '--header',
               "x-oss-security-token:$::rw->{token}")]
--- more_headers eval
["x-oss-security-token: $::rw->{token}\n",
 "x-oss-security-token: $::rw->{token}\n"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: GET /demo-bucket/a\.txt override=\[\|\|\] auth=\[\] token=\[\] },
 qr{^store: GET /demo-bucket/b\.txt override=\[\|\|\] auth=\[\] token=\[\] }]
--- no_error_log
[error]



=== TEST 8: a header-signed request with the token in the query: the query loses it
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt?security-token=$::rw->{token}&max-keys=1",
 "GET /demo-bucket/b.txt?x-oss-security-token=$::rw->{token}"]
--- more_headers eval
[::sts_sign($::notoken, 'GET',
            "/demo-bucket/a.txt?security-token=$::rw->{token}&max-keys=1"),
 ::sts_sign($::notoken, 'GET',
            "/demo-bucket/b.txt?x-oss-security-token=$::rw->{token}",
            '--v4', '--region', 'cn-hangzhou')]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: GET /demo-bucket/a\.txt\?max-keys=1 override=\[\|\|\] auth=\[\] token=\[\] },
 qr{^store: GET /demo-bucket/b\.txt override=\[\|\|\] auth=\[\] token=\[\] }]
--- no_error_log
[error]



=== TEST 9: a presigned URL with the token under the other form's name: stripped
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET " . ::v1($::notoken,
               "/demo-bucket/a.txt?x-oss-security-token=$::rw->{token}"),
 "GET " . ::v4($::notoken, "/demo-bucket/b.txt?security-token=$::rw->{token}")]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: GET /demo-bucket/a\.txt override=\[\|\|\] auth=\[\] token=\[\] },
 qr{^store: GET /demo-bucket/b\.txt override=\[\|\|\] auth=\[\] token=\[\] }]
--- no_error_log
[error]



=== TEST 10: s3: x-sts-max-uses, the gateway's own parameter, never reaches the store
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET " . ::v4($::rw, '/demo-bucket/s3/x.txt?x-sts-max-uses=2&response-content-type=a/b')]
--- error_code: 200
--- response_body_like eval
qr{^store: GET /demo-bucket/s3/x\.txt\?response-content-type=a%2Fb override=\[\|\|\] auth=\[\] token=\[\] }
--- no_error_log
[error]



=== TEST 11: s3: method overrides are refused under the connector too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/s3/a.txt", "OPTIONS /demo-bucket/s3/a.txt"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/s3/a.txt') . "X-HTTP-Method-Override: DELETE\n",
 $::Preflight . "X-HTTP-Method-Override: DELETE\n"]
--- error_code eval
[400, 400]
--- response_body_like eval
[$::Override, $::Override]



=== TEST 12: oss: the gateway signs again; no client credential or own parameter goes along
--- http_config eval: $::HttpConfig
--- config
    sts_region cn-hangzhou;

    location / {
        sts_auth on;
        sts_addressing path;
        sts_strip_credentials off;
        sts_backend oss;
        sts_backend_credentials $TEST_NGINX_STS_GATEWAY_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request eval
["GET " . ::v4($::rw, '/demo-bucket/x.txt?x-sts-max-uses=2&max-keys=1'),
 "GET " . ::v1($::rw, '/demo-bucket/y.txt?max-keys=1')]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^store: GET /demo-bucket/x\.txt\?max-keys=1 override=\[\|\|\] auth=\[OSS STS\.[^\]]+\] token=\[\Q$::gw->{token}\E\] },
 qr{^store: GET /demo-bucket/y\.txt\?max-keys=1 override=\[\|\|\] auth=\[OSS STS\.[^\]]+\] token=\[\Q$::gw->{token}\E\] }]
--- no_error_log
[error]
