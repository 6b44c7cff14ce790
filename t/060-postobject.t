# PostObject, the browser form upload: the form's fields are read up to
# the file part, its policy signature (V1 and V4) is checked with the
# secret of the token in the form, then the policy (expiration,
# conditions, content-length-range) and the RAM policies for PutObject on
# the form's key.  The backend stores what it received (nginx's DAV
# module behind a PUT), so each test can show that an allowed form
# arrived byte for byte and that a refused one never arrived.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $api = sts_issue(role_policy => ['api']);
our $other = sts_issue(role_policy => ['api']);
our $big = join '', map { chr(($_ * 131) % 256) } 1 .. 4 * 1024 * 1024;

our @v1 = sts_post_form($api, key => 'photos/v1.txt', file => 'hello V1');
our @v4 = sts_post_form($api, key => 'photos/v4.txt', file => "hello\r\nV4",
                        v4 => 1);
our @fname = sts_post_form($api, key => 'photos/${filename}',
                           filename => 'pic.png', file => 'png',
                           conditions => [{ bucket => 'demo-bucket' },
                                          ['starts-with', '$key',
                                           'photos/']]);
# the store must see the key that was authorised, never ${filename}
our $fname_fwd = sts_post_rekey($fname[1], 'photos/pic.png');
our @twice = sts_post_form($api, key => 'photos/${filename}.d/${filename}',
                           filename => 'p.png', file => 'twice', v4 => 1);
our $twice_fwd = sts_post_rekey($twice[1], 'photos/p.png.d/p.png');
our @long = sts_post_form($api, key => 'photos/${filename}',
                          filename => 'a-file-name-longer-than-its-variable.txt');
our $long_fwd = sts_post_rekey($long[1],
                      'photos/a-file-name-longer-than-its-variable.txt');
our @climb = sts_post_form($api, key => 'photos/${filename}',
                           filename => '../secret/x.txt');
our @climb_bs = sts_post_form($api, key => 'photos/${filename}',
                              filename => '..\\secret.txt');
our @ctl_name = sts_post_form($api, key => 'photos/${filename}',
                              filename => "a\tb.png");
our $bnd = 'StsBoundary42';
our @bform = sts_post_form($api, key => 'photos/bnd.txt', boundary => $bnd);
our @denied = sts_post_form($api, key => 'secret/x.txt');
our @expired = sts_post_form($api, key => 'photos/old.txt',
                             expiration => time() - 60);
our @tampered = sts_post_form($api, key => 'photos/t.txt',
                              policy => 'eyJleHBpcmF0aW9uIjoiMjA5OS0wMS0wMVQwMDowMDowMC4wMDBaIiwiY29uZGl0aW9ucyI6W119');
our @stranger = sts_post_form($api, key => 'photos/s.txt',
                              secret => $other->{secret});
our @mismatch = sts_post_form({ %$api, token => $other->{token} },
                              key => 'photos/m.txt');
our @prefix = sts_post_form($api, key => 'public/x.txt',
                            conditions => [['starts-with', '$key',
                                            'photos/']]);
our @bucket = sts_post_form($api, key => 'photos/b.txt',
                            conditions => [{ bucket => 'other-bucket' }]);
our @large = sts_post_form($api, key => 'photos/large.txt', file => 'x' x 100,
                           conditions => [['content-length-range', 1, 10]]);
our @huge = sts_post_form($api, key => 'photos/huge.bin', file => $big,
                          conditions => [['content-length-range', 1, 1000]]);
our @small = sts_post_form($api, key => 'photos/small.txt', file => 'abc',
                           conditions => [['content-length-range', 10, 100]]);
our @nosig = sts_post_form($api, key => 'photos/n.txt',
                           drop => ['Signature']);
our @anon = sts_post_form($api, key => 'photos/a.txt',
                          drop => ['OSSAccessKeyId', 'Signature', 'policy',
                                   'x-oss-security-token']);
our @dots = sts_post_form($api, key => 'photos/../secret/x.txt');
our @upload = sts_post_form($api, key => 'photos/big.bin', file => $big,
                            v4 => 1);
our @chunked = sts_post_form($api, key => 'photos/chunked.txt',
                             file => 'sent in chunks');
our $chunked_body = join('', map { sprintf("%x\r\n%s\r\n", length, $_) }
                             unpack('(a700)*', $chunked[1]))
                    . "0\r\n\r\n";

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
    location / {
        sts_auth on;
        sts_addressing path;
        sts_region cn-hangzhou;
        proxy_request_buffering off;
        proxy_set_header X-STS-Object $sts_object;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$sts_backend_uri;
    }

    # the store: the form as received, under the key it was allowed for
    location /_backend/ {
        rewrite ^ /posted/$http_x_sts_object break;
        proxy_method PUT;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        add_header X-Backend "$request_method $request_uri" always;
    }

    # a direct look into the store, past the gateway (tests only)
    location /_store/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/;
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: V1 form: allowed, and the whole form reaches the store
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::v1[1]",
 "GET /_store/posted/photos/v1.txt"]
--- more_headers eval
["Content-Type: $::v1[0]", ""]
--- error_code eval
[201, 200]
--- response_headers eval
["X-Backend: POST /_backend/demo-bucket/", "! X-Backend"]
--- response_body eval
["", $::v1[1]]
--- no_error_log
[error]



=== TEST 2: V4 form (path style POST /bucket without a slash)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket\n$::v4[1]",
 "GET /_store/posted/photos/v4.txt"]
--- more_headers eval
["Content-Type: $::v4[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::v4[1]]
--- no_error_log
[error]



=== TEST 3: ${filename} in the key, within a starts-with condition
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::fname[1]",
 "GET /_store/posted/photos/pic.png"]
--- more_headers eval
["Content-Type: $::fname[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::fname_fwd]
--- no_error_log
[error]



=== TEST 4: a key the RAM policy denies never reaches the store
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::denied[1]",
 "GET /_store/posted/secret/x.txt"]
--- more_headers eval
["Content-Type: $::denied[0]", ""]
--- error_code eval
[403, 404]
--- response_body_like eval
[qr/<Code>AccessDenied<\/Code>/, qr/404 Not Found/]
--- error_log eval
qr/\[error\].*sts: PostObject AccessDenied .*ExplicitDeny/



=== TEST 5: an expired policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::expired[1]"
--- more_headers eval
"Content-Type: $::expired[0]"
--- error_code: 403
--- response_body_like
<Code>AccessDenied</Code>\s*<Message>Invalid according to Policy: Policy expired.</Message>
--- no_error_log
[crit]



=== TEST 6: a policy other than the one signed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::tampered[1]"
--- more_headers eval
"Content-Type: $::tampered[0]"
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>eyJleHBpcmF0aW9uIjoiMjA5OS}s
--- error_log
form signature does not match



=== TEST 7: a form signed with another secret
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::stranger[1]"
--- more_headers eval
"Content-Type: $::stranger[0]"
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>
--- error_log
SignatureDoesNotMatch



=== TEST 8: the token of another AccessKeyId
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::mismatch[1]"
--- more_headers eval
"Content-Type: $::mismatch[0]"
--- error_code: 403
--- response_body_like: <Code>AccessKeyIdAndSecurityTokenNotMatch</Code>
--- error_log
AccessKeyId does not match the token



=== TEST 9: a key outside the policy's starts-with condition
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::prefix[1]"
--- more_headers eval
"Content-Type: $::prefix[0]"
--- error_code: 403
--- response_body_like eval
qr{<Message>Invalid according to Policy: Policy Condition failed.</Message>.*<Condition>\[&quot;starts-with&quot;,&quot;\$key&quot;,&quot;photos/&quot;\]</Condition>}s
--- error_log
the form does not meet its policy



=== TEST 10: a policy for another bucket
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bucket[1]"
--- more_headers eval
"Content-Type: $::bucket[0]"
--- error_code: 403
--- response_body_like eval
qr{<Condition>\{&quot;bucket&quot;:&quot;other-bucket&quot;\}</Condition>}
--- error_log
the form does not meet its policy



=== TEST 11: a file over content-length-range
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::large[1]"
--- more_headers eval
"Content-Type: $::large[0]"
--- error_code: 400
--- response_body_like: <Code>EntityTooLarge</Code>
--- no_error_log
[error]



=== TEST 12: a 4 MiB upload over content-length-range is refused unread
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::huge[1]",
 "GET /_store/posted/photos/huge.bin"]
--- more_headers eval
["Content-Type: $::huge[0]", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
[qr/<Code>EntityTooLarge<\/Code>/, qr/404 Not Found/]
--- error_log
sts: request body paused
--- no_error_log
sts: request body complete



=== TEST 13: a file under content-length-range
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::small[1]"
--- more_headers eval
"Content-Type: $::small[0]"
--- error_code: 400
--- response_body_like: <Code>EntityTooSmall</Code>
--- no_error_log
[error]



=== TEST 14: not a form
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
POST /demo-bucket/
key=a&policy=b
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body_like: <Code>RequestIsNotMultiPartContent</Code>
--- no_error_log
[error]



=== TEST 15: a form without a file
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nphotos/k\r\n--B--"
--- more_headers
Content-Type: multipart/form-data; boundary=B
--- error_code: 400
--- response_body_like: <Code>IncorrectNumberOfFilesInPOSTRequest</Code>
--- no_error_log
[error]



=== TEST 16: OSSAccessKeyId and policy without a Signature
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::nosig[1]"
--- more_headers eval
"Content-Type: $::nosig[0]"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 17: a form without any signature is anonymous
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::anon[1]"
--- more_headers eval
"Content-Type: $::anon[0]"
--- error_code: 403
--- response_body_like: <Message>Anonymous access is forbidden for this operation.</Message>
--- no_error_log
[error]



=== TEST 18: a form key with a dot segment
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::dots[1]"
--- more_headers eval
"Content-Type: $::dots[0]"
--- error_code: 400
--- response_body_like: <Code>InvalidObjectName</Code>
--- no_error_log
[error]



=== TEST 19: a form signed in its header too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::v1[1]"
--- more_headers eval
::sts_sign($::api, 'POST', '/demo-bucket/', '--content-type', $::v1[0])
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 20: a 4 MiB V4 upload: paused at the file, allowed, stored intact
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::upload[1]",
 "GET /_store/posted/photos/big.bin"]
--- more_headers eval
["Content-Type: $::upload[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::upload[1]]
--- error_log
sts: request body paused
sts: request body complete
--- timeout: 10



=== TEST 21: a chunked form
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::chunked_body",
 "GET /_store/posted/photos/chunked.txt"]
--- more_headers eval
["Content-Type: $::chunked[0]\nTransfer-Encoding: chunked", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::chunked[1]]
--- no_error_log
[error]



=== TEST 22: a slow client: the form arrives in pieces
--- http_config eval: $::HttpConfig
--- config eval: $::Config
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
--- response_body eval
["", $::v4[1]]
--- error_log
sts: request body complete
--- no_error_log
[error]



=== TEST 23: a slow client whose form is refused at its file part
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[["POST /demo-bucket/\n" . substr($::denied[1], 0, 100),
  substr($::denied[1], 100, length($::denied[1]) - 105),
  substr($::denied[1], -5)]]
--- more_headers eval
["Content-Type: $::denied[0]"]
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/\[error\].*sts: PostObject AccessDenied .*ExplicitDeny/



=== TEST 24: ${filename} twice: the store gets the form with the key expanded
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::twice[1]",
 "GET /_store/posted/photos/p.png.d/p.png"]
--- more_headers eval
["Content-Type: $::twice[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::twice_fwd]
--- no_error_log
[error]



=== TEST 25: ${filename} with a file name that climbs out of the prefix
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::climb[1]",
 "GET /_store/posted/photos/x.txt"]
--- more_headers eval
["Content-Type: $::climb[0]", ""]
--- error_code eval
[400, 404]
--- response_body_like eval
["<Code>InvalidArgument</Code>", ""]



=== TEST 26: a backslash in a file name is refused by the form reader
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::climb_bs[1]"
--- more_headers eval
"Content-Type: $::climb_bs[0]"
--- error_code: 400
--- response_body_like: <Code>MalformedPOSTRequest</Code>
--- no_error_log
[error]



=== TEST 27: ${filename} with a control byte in the file name
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::ctl_name[1]"
--- more_headers eval
"Content-Type: $::ctl_name[0]"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 28: an RFC 2231 boundary*= beside the boundary
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; boundary*=utf-8''Other; boundary=$::bnd"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 29: an RFC 2231 boundary*0= continuation
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; boundary=$::bnd; boundary*0=Other"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 30: a second boundary written with a space before '='
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; boundary=$::bnd; boundary =Other"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 31: a repeated boundary, quoted once
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; boundary=\"$::bnd\"; Boundary=$::bnd"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 32: a quoted boundary that does not end
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; boundary=\"$::bnd"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 33: another parameter whose quoted value hides a boundary
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n$::bform[1]"
--- more_headers eval
"Content-Type: multipart/form-data; x=\"a; boundary=Other\"; boundary=$::bnd"
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 34: a boundary of 71 characters
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /demo-bucket/\n" . (::sts_post_form($::api, boundary => 'b' x 71))[1]
--- more_headers eval
"Content-Type: multipart/form-data; boundary=" . ('b' x 71)
--- error_code: 400
--- response_body_like: <Code>InvalidArgument</Code>
--- no_error_log
[error]



=== TEST 35: a charset and an upper-case BOUNDARY, quoted: one reading, allowed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::bform[1]",
 "GET /_store/posted/photos/bnd.txt"]
--- more_headers eval
["Content-Type: multipart/form-data; charset=UTF-8; BOUNDARY=\"$::bnd\"", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::bform[1]]
--- no_error_log
[error]



=== TEST 36: ${filename} longer than the variable: the rest of the key is inserted
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/\n$::long[1]",
 "GET /_store/posted/photos/a-file-name-longer-than-its-variable.txt"]
--- more_headers eval
["Content-Type: $::long[0]", ""]
--- error_code eval
[201, 200]
--- response_body eval
["", $::long_fwd]
--- no_error_log
[error]
