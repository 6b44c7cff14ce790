# Upload limits carried by the credential: the sts:ContentLength,
# sts:ContentType and sts:ForbidOverwrite condition keys in role and
# session policies.  The store is nginx's DAV module on a second port, so
# each test shows what was committed: a refused upload leaves nothing,
# whether nginx buffers the body (the default) or streams it to the store
# (proxy_request_buffering off).

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use MIME::Base64 ();

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

# session policies narrow the role "api" (all of demo-bucket)
our $lim = sts_issue(role_policy => ['api'],
                     session_policy => 'upload-limit');
our $deny = sts_issue(role_policy => ['upload-deny-over']);
our $exact = sts_issue(role_policy => ['api'],
                       session_policy => 'upload-exact');
our $img = sts_issue(role_policy => ['api'],
                     session_policy => 'upload-images');
our $nov = sts_issue(role_policy => ['api'],
                     session_policy => 'upload-no-overwrite');
our $ext = sts_issue(role_policy => ['api'],
                     session_policy => 'upload-external-id');
our $rw = sts_issue(role_policy => ['api']);
# everything in demo-bucket, and a Deny over 50 bytes (the README's form)
our $capd = sts_issue(role_policy => ['api', 'upload-deny-over']);
# a cap that is not only from above: "no more than 50, not empty"
our $range = sts_issue(role_policy => ['upload-deny-range']);

sub put {
    my ($c, $key, @args) = @_;
    return ::sts_sign($c, 'PUT', "/demo-bucket/$key", @args);
}

# a chunked body of $n bytes, in chunks of $size
sub chunked {
    my ($n, $size) = @_;
    my $data = 'c' x $n;
    return join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                    unpack("(a$size)*", $data)) . "0\r\n\r\n";
}

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        root $TEST_NGINX_SERVER_ROOT/html;
        client_max_body_size 10m;

        location / {
            # what a POST would have done: answered, and logged here
            if ($request_method = POST) {
                return 200 "store: POST $request_uri\n";
            }

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
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        add_header X-Limit $sts_upload_limit always;
    }

    location = /_oss_error { internal; sts_error_document; }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }

    location = /metrics { sts_status; }
_EOC_

# the same, with the body streamed to the store as it arrives
our $Streaming = $Config =~ s/proxy_http_version 1.1;/proxy_http_version 1.1;
        proxy_request_buffering off;/r;

# PostObject: the store gets the form under the key it was allowed for
our $PostConfig = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
        error_page 400 403 413 /_oss_error;
    }

    location = /_oss_error { internal; sts_error_document; }

    location /_backend/ {
        rewrite ^ /posted/$http_x_sts_object break;
        proxy_method PUT;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }

    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

# the file part: 'p' x 100 is at the session's limit
our @post_ok = sts_post_form($lim, key => 'photos/post-ok.png',
                             file => 'p' x 100);
our @post_over = sts_post_form($lim, key => 'photos/post-over.png',
                               file => 'p' x 101,
                               conditions => [['content-length-range', 1,
                                               1000]]);
our @post_range = sts_post_form($lim, key => 'photos/post-range.png',
                                file => 'p' x 50,
                                conditions => [['content-length-range', 1,
                                                10]]);
our @post_huge = sts_post_form($lim, key => 'photos/post-huge.png',
                               file => 'h' x 300000);
our @post_rng = sts_post_form($range, key => 'photos/post-rng.png',
                              file => 'p' x 30);
our @post_png = sts_post_form($img, key => 'photos/form.png',
                              fields => ['Content-Type' => 'image/png']);
our @post_txt = sts_post_form($img, key => 'photos/form.txt',
                              fields => ['Content-Type' => 'text/plain']);

sub b64 {
    my $s = MIME::Base64::encode_base64($_[0], '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+$//;
    return $s;
}

sts_plan();
run_tests();

__DATA__

=== TEST 1: NumericLessThanEquals: a declared length at the limit is stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/at-limit.bin\n" . ('a' x 100),
 "GET /_store/demo-bucket/at-limit.bin"]
--- more_headers eval
[::put($::lim, 'at-limit.bin'), ""]
--- error_code eval
[201, 200]
--- response_body eval
["", 'a' x 100]
--- no_error_log
[error]



=== TEST 2: one byte over the declared limit: EntityTooLarge, nothing read
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/over.bin\n" . ('a' x 101),
 "GET /_store/demo-bucket/over.bin"]
--- more_headers eval
[::put($::lim, 'over.bin'), ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>\s*<Message>Your proposed upload exceeds the maximum allowed size\.</Message>},
 qr/404 Not Found/]
--- response_headers eval
["X-Limit: 100", ""]
--- error_log eval
qr/\[error\].*sts: PutObject EntityTooLarge for "\Q$::lim->{id}\E": declared size over the policies' limit/
--- no_error_log
[crit]



=== TEST 3: a chunked body exactly at the limit is stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/chunk-100.bin\n" . ::chunked(100, 30),
 "GET /_store/demo-bucket/chunk-100.bin"]
--- more_headers eval
[::put($::lim, 'chunk-100.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", 'c' x 100]
--- response_headers eval
["X-Limit: 100", ""]
--- no_error_log
[error]



=== TEST 4: a chunked body one byte over: cut, EntityTooLarge, not stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/chunk-101.bin\n" . ::chunked(101, 30),
 "GET /_store/demo-bucket/chunk-101.bin"]
--- more_headers eval
[::put($::lim, 'chunk-101.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, qr/404 Not Found/]
--- error_log eval
qr/\[error\].*sts: PutObject EntityTooLarge for "\Q$::lim->{id}\E": body over the policies' limit of 100 bytes, cut at 1\d\d bytes/



=== TEST 5: streaming to the store: a chunked body at the limit is stored
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/s-100.bin\n" . ::chunked(100, 10),
 "GET /_store/demo-bucket/s-100.bin"]
--- more_headers eval
[::put($::lim, 's-100.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", 'c' x 100]
--- no_error_log
[error]



=== TEST 6: streaming: one byte over, the store gets no complete body
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
[["PUT /demo-bucket/s-101.bin\n" . substr(::chunked(101, 10), 0, 60),
  substr(::chunked(101, 10), 60)],
 "GET /_store/demo-bucket/s-101.bin"]
--- more_headers eval
[::put($::lim, 's-101.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, qr/404 Not Found/]
--- error_log eval
qr/\[error\].*sts: PutObject EntityTooLarge for "\Q$::lim->{id}\E": body over the policies' limit of 100 bytes/



=== TEST 7: streaming: a large lying chunked body is cut early
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/s-big.bin\n" . ::chunked(200000, 4000),
 "GET /_store/demo-bucket/s-big.bin"]
--- more_headers eval
[::put($::lim, 's-big.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, qr/404 Not Found/]
--- error_log eval
qr/sts: PutObject EntityTooLarge .* cut at \d+ bytes/



=== TEST 8: streaming: a declared length over the limit is refused up front
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/s-decl.bin\n" . ('a' x 5000),
 "GET /_store/demo-bucket/s-decl.bin"]
--- more_headers eval
[::put($::lim, 's-decl.bin'), ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, qr/404 Not Found/]
--- error_log eval
qr/\[error\].*sts: PutObject EntityTooLarge .*declared size over/
--- no_error_log
[crit]



=== TEST 9: a Deny with NumericGreaterThan caps the size too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/d-50.bin\n" . ('a' x 50),
 "PUT /demo-bucket/d-51.bin\n" . ('a' x 51),
 "PUT /demo-bucket/d-c51.bin\n" . ::chunked(51, 20)]
--- more_headers eval
[::put($::deny, 'd-50.bin'), ::put($::deny, 'd-51.bin'),
 ::put($::deny, 'd-c51.bin') . "Transfer-Encoding: chunked"]
--- error_code eval
[201, 400, 400]
--- response_body_like eval
["", qr{<Code>EntityTooLarge</Code>}, qr{<Code>EntityTooLarge</Code>}]
--- response_headers eval
["", "X-Limit: 50", ""]



=== TEST 10: NumericEquals is no cap: a wrong size is AccessDenied
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/e-5.bin\naaaaa",
 "PUT /demo-bucket/e-6.bin\naaaaaa",
 "PUT /demo-bucket/e-c5.bin\n" . ::chunked(5, 5)]
--- more_headers eval
[::put($::exact, 'e-5.bin'), ::put($::exact, 'e-6.bin'),
 ::put($::exact, 'e-c5.bin') . "Transfer-Encoding: chunked"]
--- error_code eval
[201, 403, 403]
--- response_body_like eval
["", qr{<Code>AccessDenied</Code>}, qr{<Code>AccessDenied</Code>}]



=== TEST 11: a capped session cannot read nor write without the key
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/cp.bin",
 "POST /demo-bucket/mp.bin?uploads"]
--- more_headers eval
[::put($::lim, 'cp.bin', '--header',
       'x-oss-copy-source:/demo-bucket/at-limit.bin'),
 ::sts_sign($::lim, 'POST', '/demo-bucket/mp.bin?uploads')]
--- error_code eval
[403, 403]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>}, qr{<Code>AccessDenied</Code>}]



=== TEST 12: StringLike on sts:ContentType, and a Deny ignoring case
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/a.png\npng",
 "PUT /demo-bucket/a.html\nhtml",
 "PUT /demo-bucket/a.svg\nsvg",
 "PUT /demo-bucket/none\nnone"]
--- more_headers eval
[::put($::img, 'a.png', '--content-type', 'image/png'),
 ::put($::img, 'a.html', '--content-type', 'text/html'),
 ::put($::img, 'a.svg', '--content-type', 'IMAGE/SVG+XML'),
 ::put($::img, 'none')]
--- error_code eval
[201, 403, 403, 403]



=== TEST 13: Bool on sts:ForbidOverwrite
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/n1.bin\nn1",
 "PUT /demo-bucket/n2.bin\nn2",
 "PUT /demo-bucket/n3.bin\nn3"]
--- more_headers eval
[::put($::nov, 'n1.bin', '--header', 'x-oss-forbid-overwrite:true'),
 ::put($::nov, 'n2.bin', '--header', 'x-oss-forbid-overwrite:false'),
 ::put($::nov, 'n3.bin')]
--- error_code eval
[201, 403, 403]



=== TEST 14: Alibaba's sts:ExternalId is not one of the upload keys
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"PUT /demo-bucket/x.bin\nx"
--- more_headers eval
::put($::ext, 'x.bin', '--content-type', 'abc',
      '--header', 'x-oss-forbid-overwrite:true')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>



=== TEST 15: reads and uploads without size conditions are unaffected
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/free.bin\n" . ::chunked(5000, 1000),
 "GET /demo-bucket/free.bin"]
--- more_headers eval
[::put($::rw, 'free.bin') . "Transfer-Encoding: chunked",
 ::sts_sign($::lim, 'GET', '/demo-bucket/free.bin')]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Limit: ", "X-Limit: "]
--- no_error_log
[error]



=== TEST 16: the refusals are counted by reason
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/m1.bin\n" . ('a' x 101),
 "PUT /demo-bucket/m2.bin\n" . ::chunked(150, 50),
 "GET /metrics"]
--- more_headers eval
[::put($::lim, 'm1.bin'),
 ::put($::lim, 'm2.bin') . "Transfer-Encoding: chunked", ""]
--- error_code eval
[400, 400, 200]
--- response_body_like eval
["EntityTooLarge", "EntityTooLarge",
 qr/^nginx_sts_refusals_total\{reason="entity_too_large"\} [1-9]\d*$/m
 . qr/.*^nginx_sts_refusals_total\{reason="body_cut"\} [1-9]\d*$/ms]



=== TEST 17: PostObject: a file part at the session's limit is stored
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
["POST /demo-bucket/\n$::post_ok[1]",
 "GET /_store/posted/photos/post-ok.png"]
--- more_headers eval
["Content-Type: $::post_ok[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::post_ok[1]]
--- no_error_log
[error]



=== TEST 18: PostObject: one byte over, within content-length-range
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
["POST /demo-bucket/\n$::post_over[1]",
 "GET /_store/posted/photos/post-over.png"]
--- more_headers eval
["Content-Type: $::post_over[0]", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, "404 Not Found"]
--- error_log eval
qr/\[error\].*sts: PostObject EntityTooLarge .*file larger than the policies allow/



=== TEST 19: PostObject: content-length-range still applies under the cap
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
"POST /demo-bucket/\n$::post_range[1]"
--- more_headers eval
"Content-Type: $::post_range[0]"
--- error_code: 400
--- response_body_like: <Code>EntityTooLarge</Code>
--- error_log eval
qr/sts: PostObject EntityTooLarge .*file larger than the policy allows/



=== TEST 20: PostObject: a large file part is cut while it streams
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
["POST /demo-bucket/\n$::post_huge[1]",
 "GET /_store/posted/photos/post-huge.png"]
--- more_headers eval
["Content-Type: $::post_huge[0]", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, "404 Not Found"]
--- error_log eval
qr/sts: PostObject EntityTooLarge .*request body refused/



=== TEST 21: PostObject: the form's Content-Type is sts:ContentType
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
["POST /demo-bucket/\n$::post_png[1]",
 "POST /demo-bucket/\n$::post_txt[1]"]
--- more_headers eval
["Content-Type: $::post_png[0]", "Content-Type: $::post_txt[0]"]
--- error_code eval
[201, 403]
--- response_body_like eval
["", qr{<Code>AccessDenied</Code>}]



=== TEST 22: a lying request: Content-Length and a chunked body, refused
--- http_config eval: $::HttpConfig
--- config eval: $::Streaming
--- request eval
["PUT /demo-bucket/lie.bin\n" . ::chunked(300, 100),
 "GET /_store/demo-bucket/lie.bin"]
--- more_headers eval
[::put($::lim, 'lie.bin') . "Transfer-Encoding: chunked\nContent-Length: 50",
 ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>}, "404 Not Found"]
--- no_error_log
[crit]



=== TEST 23: Content-Type or x-oss-forbid-overwrite sent twice: no value
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/two.png\npng",
 "PUT /demo-bucket/two.bin\nbin",
 "PUT /demo-bucket/one.png\npng"]
--- more_headers eval
[::put($::img, 'two.png', '--header', 'Content-Type:image/png',
       '--header', 'Content-Type:text/html'),
 ::put($::nov, 'two.bin', '--header', 'x-oss-forbid-overwrite:true',
       '--header', 'x-oss-forbid-overwrite:true'),
 ::put($::img, 'one.png', '--header', 'Content-Type:image/png')]
--- error_code eval
[403, 403, 201]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>}, qr{<Code>AccessDenied</Code>}, ""]



=== TEST 24: multipart under a cap: Initiate and Complete refused, parts checked
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/mp-cap.bin?uploads",
 "PUT /demo-bucket/mp-part.bin?partNumber=1&uploadId=u1\n" . ('a' x 50),
 "PUT /demo-bucket/mp-part2.bin?partNumber=2&uploadId=u1\n" . ('a' x 51),
 "POST /demo-bucket/mp-cap.bin?uploadId=u1\n<CompleteMultipartUpload/>",
 "GET /_store/demo-bucket/mp-cap.bin"]
--- more_headers eval
[::sts_sign($::capd, 'POST', '/demo-bucket/mp-cap.bin?uploads'),
 ::put($::capd, 'mp-part.bin?partNumber=1&uploadId=u1'),
 ::put($::capd, 'mp-part2.bin?partNumber=2&uploadId=u1'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/mp-cap.bin?uploadId=u1'),
 ""]
--- error_code eval
[403, 201, 400, 403, 404]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded under sts:ContentLength},
 "", qr{<Code>EntityTooLarge</Code>},
 qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded under sts:ContentLength},
 "404 Not Found"]
--- error_log eval
qr/sts: InitiateMultipartUpload AccessDenied for "\Q$::capd->{id}\E": size not bounded under sts:ContentLength/



=== TEST 25: CopyObject (REPLACE or not) and UploadPartCopy under a cap: refused, nothing stored
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/cp-replace.bin",
 "PUT /demo-bucket/cp-src.bin\n" . ('s' x 40),
 "PUT /demo-bucket/cp-copy.bin",
 "PUT /demo-bucket/cp-part.bin?partNumber=1&uploadId=u1",
 "GET /_store/demo-bucket/cp-replace.bin",
 "GET /_store/demo-bucket/cp-copy.bin",
 "GET /_store/demo-bucket/cp-part.bin"]
--- more_headers eval
[::put($::capd, 'cp-replace.bin', '--header',
       'x-oss-copy-source:/demo-bucket/cp-src.bin',
       '--header', 'x-oss-metadata-directive:REPLACE'),
 ::put($::rw, 'cp-src.bin'),
 ::put($::capd, 'cp-copy.bin', '--header',
       'x-oss-copy-source:/demo-bucket/cp-src.bin'),
 ::put($::capd, 'cp-part.bin?partNumber=1&uploadId=u1', '--header',
       'x-oss-copy-source:/demo-bucket/cp-src.bin'),
 "", "", ""]
--- error_code eval
[403, 201, 403, 403, 404, 404, 404]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded under sts:ContentLength},
 "", qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded},
 qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded},
 "404 Not Found", "404 Not Found", "404 Not Found"]
--- error_log eval
qr/sts: CopyObject AccessDenied for "\Q$::capd->{id}\E": size not bounded/



=== TEST 26: AppendObject: the object's final size is capped, not each append
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/app.log?append&position=0\n" . ('a' x 50),
 "POST /demo-bucket/app.log?append&position=50\n" . ('a' x 50),
 "POST /demo-bucket/app.log?append&position=100\n" . ('a' x 50),
 "POST /demo-bucket/app.log?append&position=150\n" . ('a' x 50),
 "POST /demo-bucket/app.log?append&position=40\n" . ('a' x 10),
 "POST /demo-bucket/app.log?append&position=40\n" . ('a' x 11)]
--- more_headers eval
[::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=0'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=50'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=100'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=150'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=40'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/app.log?append&position=40')]
--- error_code eval
[200, 400, 400, 400, 200, 400]
--- response_body_like eval
["store: POST /demo-bucket/app.log\\?append&position=0",
 qr{<Code>EntityTooLarge</Code>}, qr{<Code>EntityTooLarge</Code>},
 qr{<Code>EntityTooLarge</Code>},
 "store: POST /demo-bucket/app.log\\?append&position=40",
 qr{<Code>EntityTooLarge</Code>}]
--- response_headers eval
["", "X-Limit: 50", "X-Limit: 50", "X-Limit: 50", "", "X-Limit: 50"]



=== TEST 27: AppendObject, chunked: counted from the position
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/app2.log?append&position=40\n" . ::chunked(11, 5),
 "POST /demo-bucket/app2.log?append&position=40\n" . ::chunked(10, 5),
 "POST /demo-bucket/app2.log?append&position=51\n" . ::chunked(1, 5)]
--- more_headers eval
[::sts_sign($::capd, 'POST', '/demo-bucket/app2.log?append&position=40')
     . "Transfer-Encoding: chunked",
 ::sts_sign($::capd, 'POST', '/demo-bucket/app2.log?append&position=40')
     . "Transfer-Encoding: chunked",
 ::sts_sign($::capd, 'POST', '/demo-bucket/app2.log?append&position=51')
     . "Transfer-Encoding: chunked"]
--- error_code eval
[400, 200, 400]
--- response_body_like eval
[qr{<Code>EntityTooLarge</Code>}, "store: POST /demo-bucket/app2.log",
 qr{<Code>EntityTooLarge</Code>}]
--- error_log eval
qr/sts: AppendObject EntityTooLarge for "\Q$::capd->{id}\E": body over the policies' limit of 50 bytes, cut at 5\d bytes/



=== TEST 28: AppendObject: position is a decimal number, else InvalidArgument
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[map { "POST /demo-bucket/pos.log?append&position=$_\nab" }
     '00', '+0', '-1', '%200', '0x1', '', '1e3',
     '99999999999999999999999']
--- more_headers eval
[map { ::sts_sign($::rw, 'POST', "/demo-bucket/pos.log?append&position=$_") }
     '00', '+0', '-1', '%200', '0x1', '', '1e3',
     '99999999999999999999999']
--- error_code eval
[200, 400, 400, 400, 400, 400, 400, 400]
--- response_body_like eval
["store: POST",
 (qr{<Code>InvalidArgument</Code>\s*<Message>The position of an append must be a decimal number\.</Message>}) x 7]



=== TEST 29: a chunked body under a cap that is not only from above: 411
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/r-chunked.bin\n" . ::chunked(100000, 4000),
 "PUT /demo-bucket/r-small.bin\n" . ::chunked(10, 5),
 "PUT /demo-bucket/r-30.bin\n" . ('a' x 30),
 "PUT /demo-bucket/r-51.bin\n" . ('a' x 51),
 "GET /_store/demo-bucket/r-chunked.bin",
 "GET /_store/demo-bucket/r-30.bin"]
--- more_headers eval
[::put($::range, 'r-chunked.bin') . "Transfer-Encoding: chunked",
 ::put($::range, 'r-small.bin') . "Transfer-Encoding: chunked",
 ::put($::range, 'r-30.bin'), ::put($::range, 'r-51.bin'), "", ""]
--- error_code eval
[411, 411, 201, 403, 404, 200]
--- response_body_like eval
[qr{<Code>MissingContentLength</Code>\s*<Message>You must provide the Content-Length HTTP header\.</Message>},
 qr{<Code>MissingContentLength</Code>}, "", qr{<Code>AccessDenied</Code>},
 "404 Not Found", 'a' x 30]
--- error_log eval
qr/sts: PutObject MissingContentLength for "\Q$::range->{id}\E"/



=== TEST 30: PutSymlink and ProcessObject's sys/saveas under a cap: refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/cap-link?symlink",
 "POST /demo-bucket/src.jpg?x-oss-process\nx-oss-process=image/resize,w_10|sys/saveas,o_" . ::b64('cap-out.jpg'),
 "GET /_store/demo-bucket/cap-link"]
--- more_headers eval
[::put($::capd, 'cap-link?symlink', '--header',
       'x-oss-symlink-target:cp-src.bin'),
 ::sts_sign($::capd, 'POST', '/demo-bucket/src.jpg?x-oss-process',
            '--content-type', 'application/x-www-form-urlencoded'),
 ""]
--- error_code eval
[403, 403, 404]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded under sts:ContentLength},
 qr{<Code>AccessDenied</Code>\s*<Message>The size of the object cannot be bounded under sts:ContentLength},
 "404 Not Found"]



=== TEST 31: no cap on the object: copy, multipart and symlinks pass
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/free-mp.bin?uploads",
 "POST /demo-bucket/free-mp.bin?uploadId=u1\n<CompleteMultipartUpload/>",
 "PUT /demo-bucket/free-link?symlink"]
--- more_headers eval
[::sts_sign($::rw, 'POST', '/demo-bucket/free-mp.bin?uploads'),
 ::sts_sign($::rw, 'POST', '/demo-bucket/free-mp.bin?uploadId=u1'),
 ::put($::rw, 'free-link?symlink', '--header',
       'x-oss-symlink-target:cp-src.bin') . "Content-Length: 0\n"]
--- error_code eval
[200, 200, 201]
--- response_body_like eval
["store: POST", "store: POST", ""]



=== TEST 32: PostObject under a size condition that is not only a cap: refused
--- http_config eval: $::HttpConfig
--- config eval: $::PostConfig
--- request eval
["POST /demo-bucket/\n$::post_rng[1]",
 "GET /_store/posted/photos/post-rng.png"]
--- more_headers eval
["Content-Type: $::post_rng[0]", ""]
--- error_code eval
[403, 404]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>\s*<Message>The size of a form upload can be checked against a limit from above on sts:ContentLength only\.</Message>},
 "404 Not Found"]
--- error_log eval
qr/sts: PostObject AccessDenied for "\Q$::range->{id}\E": file size not checkable under sts:ContentLength/
