# Identity stamping of PostObject (sts_stamp_identity on): an allowed form
# reaches the store with four more parts, x-oss-meta-sts-session-name,
# -role-arn, -token-id and -source-ip, inserted with the form's boundary
# right before the file part, and a Content-Length that counts them.  The
# store is nginx's DAV module behind a PUT, so each test reads back the
# exact bytes the store received and compares them with the client's form
# with the parts inserted; the store's location also answers with the
# Content-Length it was sent.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $c = sts_issue(role_policy => ['api'], session_name => 'alice-web');
our $gw = sts_issue(session_name => 'gateway', duration => 3600);
$ENV{TEST_NGINX_STS_GATEWAY_CREDS} = $gw->{file};

our $role = 'acs:ram::1234567890123456:role/app';
our $boundary = '----StsTestFormBoundary7MA4YWxkTrZu0gW';
our $big = join '', map { chr(($_ * 131) % 256) } 1 .. 3 * 1024 * 1024;

# the client's form with the gateway's parts before its file part
sub stamped {
    my ($body) = @_;
    my $ins = '';
    for my $f (['x-oss-meta-sts-session-name', 'alice-web'],
               ['x-oss-meta-sts-role-arn', $role],
               ['x-oss-meta-sts-token-id', $c->{id}],
               ['x-oss-meta-sts-source-ip', '127.0.0.1'])
    {
        $ins .= "\r\n--$boundary\r\nContent-Disposition: form-data; "
                . qq{name="$f->[0]"\r\n\r\n$f->[1]};
    }
    my $at = index($body, "\r\n--$boundary\r\nContent-Disposition: "
                          . 'form-data; name="file"');
    die "no file part" if $at < 0;
    substr($body, $at, 0) = $ins;
    return $body;
}

our @v1 = sts_post_form($c, key => 'photos/v1.txt', file => 'hello V1');
our @v4 = sts_post_form($c, key => 'photos/v4.txt', file => "hello\r\nV4",
                        v4 => 1);
our @upload = sts_post_form($c, key => 'photos/big.bin', file => $big,
                            v4 => 1);
our @chunked = sts_post_form($c, key => 'photos/chunked.txt',
                             file => "sent\r\n--in chunks");
our $chunked_body = join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                             unpack('(a700)*', $chunked[1]))
                    . "0\r\n\r\n";
our @ranged = sts_post_form($c, key => 'photos/ranged.txt', file => 'x' x 10,
                            conditions => [['content-length-range', 10, 10]]);
our @forged = sts_post_form($c, key => 'photos/forged.txt',
                            fields => ['X-OSS-META-STS-TOKEN-ID' =>
                                       'STS.forged']);
our @fname = sts_post_form($c, key => 'photos/${filename}', file => $big,
                           filename => 'big.bin', v4 => 1);
our $fname_fwd = sts_post_rekey(stamped($fname[1]), 'photos/big.bin');
our @meta = sts_post_form($c, key => 'photos/meta.txt',
                          fields => ['x-oss-meta-owner' => 'app']);

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

# the gateway; $sts_proxy_buffering is set by each test's config
our $Store = <<'_EOC_';
    # the store: the form as received, under the key it was allowed for
    location /_backend/ {
        client_max_body_size 10m;
        rewrite ^ /posted/$http_x_sts_object break;
        proxy_method PUT;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        add_header X-Sent-Length "$http_content_length" always;
        add_header X-Sent-Chunked "$http_transfer_encoding" always;
    }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

our $Unbuffered = <<'_EOC_' . $Store;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        sts_stamp_identity on;
        client_max_body_size 10m;
        proxy_request_buffering off;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }
_EOC_

our $Buffered = <<'_EOC_' . $Store;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        sts_stamp_identity on;
        client_max_body_size 10m;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }
_EOC_

our $InFile = <<'_EOC_' . $Store;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        sts_stamp_identity on;
        client_body_in_file_only clean;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }
_EOC_

our $Off = <<'_EOC_' . $Store;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }
_EOC_

our $Oss = <<'_EOC_' . $Store;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        sts_stamp_identity on;
        sts_backend oss;
        sts_backend_credentials $TEST_NGINX_STS_GATEWAY_CREDS;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: V1 form in one read: the four parts, before the file, once
--- http_config eval: $::HttpConfig
--- config eval: $::Unbuffered
--- request eval
["POST /demo-bucket/\n$::v1[1]",
 "GET /_store/posted/photos/v1.txt"]
--- more_headers eval
["Content-Type: $::v1[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::v1[1])) . "\nX-Sent-Chunked: ",
 ""]
--- response_body eval
["", ::stamped($::v1[1])]
--- no_error_log
[error]



=== TEST 2: each stamp once, in order, after the client's own metadata
--- http_config eval: $::HttpConfig
--- config eval: $::Buffered
--- request eval
["POST /demo-bucket/\n$::meta[1]",
 "GET /_store/posted/photos/meta.txt"]
--- more_headers eval
["Content-Type: $::meta[0]", ""]
--- error_code eval
[201, 200]
--- response_body_like eval
["^\$",
 qr{\A(?:(?!x-oss-meta-sts-).)*name="x-oss-meta-owner"\r\n\r\napp\r\n--\Q$::boundary\E\r\nContent-Disposition: form-data; name="x-oss-meta-sts-session-name"\r\n\r\nalice-web\r\n--\Q$::boundary\E\r\nContent-Disposition: form-data; name="x-oss-meta-sts-role-arn"\r\n\r\n\Q$::role\E\r\n--\Q$::boundary\E\r\nContent-Disposition: form-data; name="x-oss-meta-sts-token-id"\r\n\r\n\Q$::c->{id}\E\r\n--\Q$::boundary\E\r\nContent-Disposition: form-data; name="x-oss-meta-sts-source-ip"\r\n\r\n127\.0\.0\.1\r\n--\Q$::boundary\E\r\nContent-Disposition: form-data; name="file"(?:(?!x-oss-meta-sts-).)*\z}s]



=== TEST 3: a 3 MiB V4 upload, paused at its file, kept in a temporary file
--- http_config eval: $::HttpConfig
--- config eval: $::Buffered
--- request eval
["POST /demo-bucket/\n$::upload[1]",
 "GET /_store/posted/photos/big.bin"]
--- more_headers eval
["Content-Type: $::upload[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::upload[1])), ""]
--- response_body eval
["", ::stamped($::upload[1])]
--- error_log
sts: request body paused
a client request body is buffered to a temporary file
--- no_error_log
[alert]
--- timeout: 15



=== TEST 4: the same upload with proxy_request_buffering off
--- http_config eval: $::HttpConfig
--- config eval: $::Unbuffered
--- request eval
["POST /demo-bucket/\n$::upload[1]",
 "GET /_store/posted/photos/big.bin"]
--- more_headers eval
["Content-Type: $::upload[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::upload[1])), ""]
--- response_body eval
["", ::stamped($::upload[1])]
--- no_error_log
[alert]
--- timeout: 15



=== TEST 5: a slow client: the form in pieces, split across reads
--- http_config eval: $::HttpConfig
--- config eval: $::Buffered
--- request eval
[["POST /demo-bucket/\n" . substr($::v4[1], 0, 100),
  substr($::v4[1], 100, 500),
  substr($::v4[1], 600, length($::v4[1]) - 610),
  substr($::v4[1], -10)],
 "GET /_store/posted/photos/v4.txt"]
--- more_headers eval
["Content-Type: $::v4[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::v4[1])), ""]
--- response_body eval
["", ::stamped($::v4[1])]
--- no_error_log
[error]



=== TEST 6: a chunked form gets a Content-Length that counts the stamps
--- http_config eval: $::HttpConfig
--- config eval: $::Unbuffered
--- request eval
["POST /demo-bucket/\n$::chunked_body",
 "GET /_store/posted/photos/chunked.txt"]
--- more_headers eval
["Content-Type: $::chunked[0]\nTransfer-Encoding: chunked", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::chunked[1])) . "\nX-Sent-Chunked: ",
 ""]
--- response_body eval
["", ::stamped($::chunked[1])]
--- no_error_log
[error]



=== TEST 7: client_body_in_file_only: the temporary file is split
--- http_config eval: $::HttpConfig
--- config eval: $::InFile
--- request eval
["POST /demo-bucket/\n$::v1[1]",
 "GET /_store/posted/photos/v1.txt"]
--- more_headers eval
["Content-Type: $::v1[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::v1[1])), ""]
--- response_body eval
["", ::stamped($::v1[1])]
--- no_error_log
[error]



=== TEST 8: content-length-range still applies to the file alone
--- http_config eval: $::HttpConfig
--- config eval: $::Buffered
--- request eval
["POST /demo-bucket/\n$::ranged[1]",
 "GET /_store/posted/photos/ranged.txt"]
--- more_headers eval
["Content-Type: $::ranged[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", ::stamped($::ranged[1])]
--- no_error_log
[error]



=== TEST 9: a client's field of a stamped name, in any case, is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Buffered
--- request eval
["POST /demo-bucket/\n$::forged[1]",
 "GET /_store/posted/photos/forged.txt"]
--- more_headers eval
["Content-Type: $::forged[0]", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>\s*<Message>Form fields x-oss-meta-sts-session-name, -role-arn, -token-id and -source-ip are reserved for the gateway\.</Message>},
 ""]



=== TEST 10: stamping off: the form reaches the store unchanged
--- http_config eval: $::HttpConfig
--- config eval: $::Off
--- request eval
["POST /demo-bucket/\n$::v1[1]",
 "GET /_store/posted/photos/v1.txt"]
--- more_headers eval
["Content-Type: $::v1[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length($::v1[1]), ""]
--- response_body eval
["", $::v1[1]]
--- no_error_log
[error]



=== TEST 11: sts_backend oss: re-signed headers, the stamped form as body
--- http_config eval: $::HttpConfig
--- config eval: $::Oss
--- request eval
["POST /demo-bucket/\n$::v1[1]",
 "GET /_store/posted/photos/v1.txt"]
--- more_headers eval
["Content-Type: $::v1[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length(::stamped($::v1[1])), ""]
--- response_body eval
["", ::stamped($::v1[1])]
--- no_error_log
[error]



=== TEST 12: ${filename}: the key is rewritten as authorised, the stamps added, in a temporary file
--- http_config eval: $::HttpConfig
--- config eval: $::InFile
--- request eval
["POST /demo-bucket/\n$::fname[1]",
 "GET /_store/posted/photos/big.bin"]
--- more_headers eval
["Content-Type: $::fname[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Sent-Length: " . length($::fname_fwd), ""]
--- response_body eval
["", $::fname_fwd]
--- no_error_log
[error]
--- timeout: 10
