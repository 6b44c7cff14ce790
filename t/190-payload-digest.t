# Payload integrity: a body whose x-oss-content-sha256 is a SHA-256 (not
# UNSIGNED-PAYLOAD), or that carries a Content-MD5, is hashed as it
# streams through the gateway; on a mismatch the body's end never goes
# on, so the store commits nothing, and the client gets InvalidDigest.
# The store is nginx's DAV module on a second port, which checks no
# digest itself: what it holds is what the gateway let through, whether
# nginx buffers the body (the default) or streams it (proxy_request_buffering
# off).

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use Digest::SHA ();

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $rw = sts_issue(role_policy => ['api']);

sub sha { Digest::SHA::sha256_hex($_[0]) }

# a V4 header-signed PUT whose x-oss-content-sha256 is $hash
sub put4 {
    my ($key, $hash, @args) = @_;
    return ::sts_sign($::rw, 'PUT', "/demo-bucket/$key", '--v4',
                      '--region', 'cn-hangzhou',
                      '--header', "x-oss-content-sha256:$hash", @args);
}

# a chunked body of $data, in chunks of $size
sub chunked {
    my ($data, $size) = @_;
    return join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                    unpack("(a$size)*", $data)) . "0\r\n\r\n";
}

our $Big = join('', map { sprintf("%07d,", $_) } 1 .. 25000);  # 200000 bytes

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 10m;

        location / {
            dav_methods PUT;
            create_full_put_path on;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    error_page 400 403 413 /_oss_error;


    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location = /_oss_error { internal; sts_error_document; }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

# the same, with the body streamed to the store as it arrives
our $Streaming = $Config =~ s/proxy_http_version 1.1;/proxy_http_version 1.1;
        proxy_request_buffering off;/r;

sts_plan();
run_tests();

__DATA__

=== TEST 1: a V4 PUT whose x-oss-content-sha256 is the body's hash is stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/ok.bin\n" . 'hello digest',
 "GET /_store/demo-bucket/ok.bin"]
--- more_headers eval
[::put4('ok.bin', ::sha('hello digest')), ""]
--- error_code eval
[201, 200]
--- response_body eval
["", 'hello digest']
--- no_error_log
[error]



=== TEST 2: a declared length whose hash does not match: InvalidDigest, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/bad.bin\n" . 'hello digest',
 "GET /_store/demo-bucket/bad.bin"]
--- more_headers eval
[::put4('bad.bin', ::sha('hello digesT')), ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>\s*<Message>The x-oss-content-sha256 you specified did not match what was received\.</Message>},
 qr/404 Not Found/]
--- error_log eval
qr/\[error\].*sts: PutObject InvalidDigest for "\Q$::rw->{id}\E": the body does not match its x-oss-content-sha256, its end withheld from the store/



=== TEST 3: a chunked body whose hash does not match: InvalidDigest, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/bad-c.bin\n" . ::chunked('c' x 100, 30),
 "PUT /demo-bucket/ok-c.bin\n" . ::chunked('c' x 100, 30),
 "GET /_store/demo-bucket/bad-c.bin",
 "GET /_store/demo-bucket/ok-c.bin"]
--- more_headers eval
[::put4('bad-c.bin', ::sha('c' x 99)) . "Transfer-Encoding: chunked",
 ::put4('ok-c.bin', ::sha('c' x 100)) . "Transfer-Encoding: chunked",
 "", ""]
--- error_code eval
[400, 201, 404, 200]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/^$/, qr/404 Not Found/, qr/^c{100}$/]



=== TEST 4: streaming to the store: a wrong hash on a declared length, the store gets no complete body
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
[["PUT /demo-bucket/s-bad.bin\n" . substr($::Big, 0, 100000),
  substr($::Big, 100000)],
 "GET /_store/demo-bucket/s-bad.bin"]
--- more_headers eval
[::put4('s-bad.bin', ::sha($::Big . 'x')), ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/404 Not Found/]
--- error_log eval
qr/sts: PutObject InvalidDigest .* its end withheld from the store/



=== TEST 5: streaming: a wrong hash on a chunked body, the store gets no complete body
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
[["PUT /demo-bucket/s-bad-c.bin\n" . substr(::chunked($::Big, 4000), 0, 90000),
  substr(::chunked($::Big, 4000), 90000)],
 "GET /_store/demo-bucket/s-bad-c.bin"]
--- more_headers eval
[::put4('s-bad-c.bin', ::sha('x' . $::Big)) . "Transfer-Encoding: chunked", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/404 Not Found/]



=== TEST 6: streaming: the right hash, large bodies, declared and chunked, are stored whole
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/s-ok.bin\n" . $::Big,
 "PUT /demo-bucket/s-ok-c.bin\n" . ::chunked($::Big, 4000),
 "GET /_store/demo-bucket/s-ok.bin",
 "GET /_store/demo-bucket/s-ok-c.bin"]
--- more_headers eval
[::put4('s-ok.bin', ::sha($::Big)),
 ::put4('s-ok-c.bin', ::sha($::Big)) . "Transfer-Encoding: chunked",
 "", ""]
--- error_code eval
[201, 201, 200, 200]
--- response_body eval
["", "", $::Big, $::Big]
--- no_error_log
[error]



=== TEST 7: buffered: a large body with a wrong hash is refused, with the right one stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/b-bad.bin\n" . $::Big,
 "PUT /demo-bucket/b-ok.bin\n" . $::Big,
 "GET /_store/demo-bucket/b-bad.bin",
 "GET /_store/demo-bucket/b-ok.bin"]
--- more_headers eval
[::put4('b-bad.bin', ::sha(substr($::Big, 1))),
 ::put4('b-ok.bin', uc ::sha($::Big)),
 "", ""]
--- error_code eval
[400, 201, 404, 200]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/^$/, qr/404 Not Found/, qr/^0000001,/]



=== TEST 8: UNSIGNED-PAYLOAD, and no x-oss-content-sha256 at all, are not hashed
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/u.bin\n" . 'anything',
 "PUT /demo-bucket/u1.bin\n" . ::chunked('anything else', 5),
 "GET /_store/demo-bucket/u.bin",
 "GET /_store/demo-bucket/u1.bin"]
--- more_headers eval
[::put4('u.bin', 'UNSIGNED-PAYLOAD'),
 ::sts_sign($::rw, 'PUT', '/demo-bucket/u1.bin') . "Transfer-Encoding: chunked",
 "", ""]
--- error_code eval
[201, 201, 200, 200]
--- response_body eval
["", "", "anything", "anything else"]
--- no_error_log
[error]



=== TEST 9: an empty body must hash as empty
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/e-bad.bin\n",
 "PUT /demo-bucket/e-ok.bin\n",
 "GET /_store/demo-bucket/e-bad.bin",
 "GET /_store/demo-bucket/e-ok.bin"]
--- more_headers eval
[::put4('e-bad.bin', ::sha('x')) . "Content-Length: 0",
 ::put4('e-ok.bin', ::sha('')) . "Content-Length: 0",
 "", ""]
--- error_code eval
[400, 201, 404, 200]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/^$/, qr/404 Not Found/, qr/^$/]



=== TEST 10: an x-oss-content-sha256 that is neither UNSIGNED-PAYLOAD nor a hash: InvalidArgument
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/h1.bin\n" . 'abc',
 "PUT /demo-bucket/h2.bin\n" . 'abc',
 "GET /_store/demo-bucket/h1.bin"]
--- more_headers eval
[::put4('h1.bin', substr(::sha('abc'), 1)),
 ::put4('h2.bin', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'),
 ""]
--- error_code eval
[400, 400, 404]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>\s*<Message>The x-oss-content-sha256 header must be UNSIGNED-PAYLOAD or the hex SHA-256 of the body\.</Message>},
 qr{<Code>InvalidArgument</Code>}, qr/404 Not Found/]



=== TEST 11: Content-MD5 is checked as the body streams: a wrong one stores nothing
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
[["PUT /demo-bucket/m-bad.bin\n" . substr($::Big, 0, 100000),
  substr($::Big, 100000)],
 "PUT /demo-bucket/m-ok.bin\n" . ::chunked($::Big, 4000),
 "GET /_store/demo-bucket/m-bad.bin",
 "GET /_store/demo-bucket/m-ok.bin"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/demo-bucket/m-bad.bin',
            '--content-md5', ::sts_content_md5($::Big . 'x')),
 ::sts_sign($::rw, 'PUT', '/demo-bucket/m-ok.bin',
            '--content-md5', ::sts_content_md5($::Big))
 . "Transfer-Encoding: chunked",
 "", ""]
--- error_code eval
[400, 201, 404, 200]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>\s*<Message>The Content-MD5 you specified is not valid\.</Message>},
 qr/^$/, qr/404 Not Found/, qr/^0000001,/]
--- error_log eval
qr/sts: PutObject InvalidDigest .*: the body does not match its Content-MD5/



=== TEST 12: a Content-MD5 that is not the base64 of 16 bytes: InvalidDigest up front
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/m2.bin\n" . 'abc',
 "GET /_store/demo-bucket/m2.bin"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/demo-bucket/m2.bin', '--content-md5', 'abc='), ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidDigest</Code>}, qr/404 Not Found/]
