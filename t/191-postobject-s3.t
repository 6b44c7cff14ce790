# PostObject under sts_backend s3: the allowed form reaches the store as
# the PUT of its file part, under the key that was authorised, signed with
# the gateway's credentials, with the form's object attributes and the
# identity stamps as S3 headers; the answer is the one OSS gives a form.
# The store is nginx's DAV module on a second port: what it holds, and
# what it logged (method, target, length and the headers that matter),
# is what the gateway sent.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $rw = sts_issue(role_policy => ['api'], session_name => 'alice-web');
our $lim = sts_issue(role_policy => ['api'], session_policy => 'upload-limit');

my $creds = "$ENV{TEST_NGINX_STS_DATA}/../tmp/s3post-backend-creds.json";
open my $fh, '>', $creds or die "$creds: $!\n";
print $fh qq({"AccessKeyId": "AKIDS3POSTEXAMPLE", )
          . qq("AccessKeySecret": "s3post-secret-for-tests-0123456789"}\n);
close $fh;
chmod 0600, $creds;
$ENV{TEST_NGINX_STS_S3POST_CREDS} = $creds;

our $Big = join('', map { sprintf("%07d,", $_) } 1 .. 40000);   # 320000 bytes

our @plain = sts_post_form($rw, key => 'photos/s3-form.txt',
    fields => ['Content-Type' => 'text/plain',
               'x-oss-meta-color' => 'blue',
               'Cache-Control' => 'no-cache',
               'submit' => 'Upload']);
# the form's success_action_status (201 from sts_post_form) set to $_
our @status = map {
    my $st = $_;
    my ($ct, $body) = sts_post_form($rw, key => "photos/status-$st.txt");
    if ($st eq 'none') {
        $body =~ s/--[^\r]*\r\nContent-Disposition: form-data; name="success_action_status"\r\n\r\n201\r\n//
            or die "no success_action_status";
    } else {
        $body =~ s/(name="success_action_status"\r\n\r\n)201\r\n/$1$st\r\n/
            or die "no success_action_status";
    }
    [$ct, $body]
} qw(none 200 201 204 303);
our @redirect = sts_post_form($rw, key => 'photos/r d.txt',
    fields => [success_action_redirect => 'https://app.example.com/done?x=1']);
our @bad_redirect = sts_post_form($rw, key => 'photos/r2.txt',
    fields => [success_action_redirect => 'javascript:alert(1)']);
our @filename = sts_post_form($rw, key => 'uploads/${filename}',
    filename => 'pic 1.png', file => 'PNG-bytes');
our @big = sts_post_form($rw, key => 'photos/big.bin', file => $::Big);
our @range = sts_post_form($rw, key => 'photos/range.txt', file => 'x' x 11,
    conditions => [{ bucket => 'demo-bucket' },
                   ['content-length-range', 1, 10]]);
our @capped = sts_post_form($lim, key => 'photos/capped.txt', file => 'c' x 101);
our @at_cap = sts_post_form($lim, key => 'photos/at-cap.txt', file => 'c' x 100);
our @crlf = sts_post_form($rw, key => 'photos/crlf.txt',
    fields => ['x-oss-meta-note' => "a\r\nx-amz-acl: public-read"]);
our @forbid = sts_post_form($rw, key => 'photos/forbid.txt',
    fields => ['x-oss-forbid-overwrite' => 'true']);

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    log_format rec '$request_method $request_uri len=$content_length '
                   'ct=$http_content_type cc=$http_cache_control '
                   'color=$http_x_amz_meta_color '
                   'session=$http_x_amz_meta_sts_session_name '
                   'token=$http_x_amz_meta_sts_token_id '
                   'role=$http_x_amz_meta_sts_role_arn '
                   'ip=$http_x_amz_meta_sts_source_ip '
                   'acl=$http_x_amz_acl sha=$http_x_amz_content_sha256 '
                   'oss=$http_x_oss_security_token$http_x_oss_meta_evil '
                   'auth=$http_authorization';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 10m;
        access_log logs/rec.log rec;

        location / {
            dav_methods PUT;
            create_full_put_path on;
            add_header ETag '"5eb63bbbe01eeed093cb22bb8f5acdc3"';
        }
    }
_EOC_

our $Config = <<'_EOC_';
    error_page 400 403 413 500 /_oss_error;

    location / {
        sts_auth on;
        sts_addressing path;
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_S3POST_CREDS;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location = /_oss_error { internal; sts_error_document; }

    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }

    location = /__rec {
        default_type text/plain;
        alias logs/rec.log;
    }
_EOC_

# a store that fails first, then one that works, and retries of
# non-idempotent requests allowed
our $Failing = <<'_EOC_';
    upstream failing_first {
        server 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        server 127.0.0.1:$TEST_NGINX_RAND_PORT_1 backup;
    }

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;
        location / { return 502; }
    }
_EOC_

our $Retry = $Config =~ s{proxy_pass http://127.0.0.1:\$TEST_NGINX_RAND_PORT_1;}
                         {proxy_pass http://failing_first;
        proxy_next_upstream error timeout http_502 non_idempotent;
        sts_backend_host 127.0.0.1;}r
                     =~ s/error_page 400 403 413 500/error_page 400 403 413 500 502/r;

our $Stamped = $Config =~ s/sts_backend s3;/sts_backend s3;
        sts_stamp_identity on;/r;

sts_plan();
run_tests();

__DATA__

=== TEST 1: a form reaches the store as the PUT of its file, signed, with its attributes
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::plain[1]",
 "GET /_store/demo-bucket/photos/s3-form.txt",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::plain[0]\nx-oss-meta-evil: header", "", ""]
--- error_code eval
[201, 200, 200]
--- response_headers eval
["Content-Type: application/xml\nETag: \"5eb63bbbe01eeed093cb22bb8f5acdc3\"", "", ""]
--- response_body_like eval
[qr{<PostResponse>\s*<Bucket>demo-bucket</Bucket>\s*<Location>http://localhost[^<]*/demo-bucket/photos/s3-form\.txt</Location>\s*<Key>photos/s3-form\.txt</Key>\s*<ETag>"5eb63bbbe01eeed093cb22bb8f5acdc3"</ETag>\s*</PostResponse>},
 qr/\Ahello form\z/,
 qr{\APUT /demo-bucket/photos/s3-form\.txt len=10 ct=text/plain cc=no-cache color=blue session=- token=- role=- ip=- acl=- sha=UNSIGNED-PAYLOAD oss=-- auth=AWS4-HMAC-SHA256 Credential=AKIDS3POSTEXAMPLE/\d{8}/us-east-1/s3/aws4_request,SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-color,Signature=[0-9a-f]{64}\nGET /demo-bucket/photos/s3-form\.txt len=- }]
--- no_error_log
[error]



=== TEST 2: with sts_stamp_identity on, the stamps are x-amz-meta-sts-* headers
--- http_config eval: $::HttpConfig
--- config eval: $::Stamped
--- request eval
["POST /demo-bucket/\n$::plain[1]",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::plain[0]\nx-oss-meta-sts-session-name: forged", ""]
--- error_code eval
[201, 200]
--- response_body_like eval
[qr{<Key>photos/s3-form\.txt</Key>},
 qr{\APUT /demo-bucket/photos/s3-form\.txt len=10 ct=text/plain cc=no-cache color=blue session=alice-web token=\Q$::rw->{id}\E role=acs:ram::1234567890123456:role/app ip=127\.0\.0\.1 }]
--- no_error_log
[error]



=== TEST 3: success_action_status: 204 by default and for other values, 200, 201
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[map { "POST /demo-bucket/\n$_->[1]" } @::status]
--- more_headers eval
[map { "Content-Type: $_->[0]" } @::status]
--- error_code eval
[204, 200, 201, 204, 204]
--- response_body_like eval
[qr/\A\z/, qr/\A\z/, qr{<Key>photos/status-201\.txt</Key>}, qr/\A\z/, qr/\A\z/]
--- no_error_log
[error]



=== TEST 4: success_action_redirect: 303 with bucket, key and etag
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::redirect[1]",
 "GET /_store/demo-bucket/photos/r%20d.txt"]
--- more_headers eval
["Content-Type: $::redirect[0]", ""]
--- error_code eval
[303, 200]
--- response_headers eval
["Location: https://app.example.com/done?x=1&bucket=demo-bucket&key=photos%2Fr%20d.txt&etag=%225eb63bbbe01eeed093cb22bb8f5acdc3%22", ""]
--- response_body eval
["", "hello form"]



=== TEST 5: a redirect that is no http(s) URL is refused, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::bad_redirect[1]",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::bad_redirect[0]", ""]
--- error_code eval
[400, 200]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>\s*<Message>The success_action_redirect field must be}, qr/\A\z/]



=== TEST 6: ${filename}: the store writes the key that was checked
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::filename[1]",
 "GET /_store/demo-bucket/uploads/pic%201.png",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::filename[0]", "", ""]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
[qr{<Key>uploads/pic 1\.png</Key>}, qr/\APNG-bytes\z/,
 qr{\APUT /demo-bucket/uploads/pic%201\.png len=9 }]



=== TEST 7: a large file part, kept in a temporary file, arrives whole
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::big[1]",
 "GET /_store/demo-bucket/photos/big.bin"]
--- more_headers eval
["Content-Type: $::big[0]", ""]
--- error_code eval
[201, 200]
--- response_body_like eval
[qr{<Key>photos/big\.bin</Key>}, qr/\A0000001,.*,0040000,\z/s]



=== TEST 8: content-length-range and the credential's size cap hold: EntityTooLarge, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::range[1]",
 "POST /demo-bucket/\n$::capped[1]",
 "POST /demo-bucket/\n$::at_cap[1]",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::range[0]", "Content-Type: $::capped[0]",
 "Content-Type: $::at_cap[0]", ""]
--- error_code eval
[400, 400, 201, 200]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, qr{<Code>EntityTooLarge</Code>},
 qr{<Key>photos/at-cap\.txt</Key>},
 qr{\APUT /demo-bucket/photos/at-cap\.txt len=100 [^\n]*\n\z}]



=== TEST 9: a field a header cannot carry is refused, not forwarded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::crlf[1]",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::crlf[0]", ""]
--- error_code eval
[400, 200]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>}, qr/\A\z/]



=== TEST 10: x-oss-forbid-overwrite has no S3 twin: NotImplemented, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::forbid[1]",
 "GET /__rec"]
--- more_headers eval
["Content-Type: $::forbid[0]", ""]
--- error_code eval
[400, 200]
--- response_body_like eval
[qr{<Code>NotImplemented</Code>}, qr/\A\z/]



=== TEST 11: not retried once sent: a retry would resend the form's first bytes
--- http_config eval: $::HttpConfig . $::Failing
--- config eval: $::Retry
--- request eval
["POST /demo-bucket/\n$::big[1]",
 "GET /__rec",
 "GET /_store/demo-bucket/photos/big.bin"]
--- more_headers eval
["Content-Type: $::big[0]", "", ""]
--- error_code eval
[502, 200, 404]
--- response_body_like eval
[qr{<Code>InternalError</Code>}, qr/\A\z/, qr/404 Not Found/]
