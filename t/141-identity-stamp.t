# Identity stamping (sts_stamp_identity on): a write that creates an
# object reaches the store with x-oss-meta-sts-session-name, -role-arn,
# -token-id and -source-ip set by the gateway, whatever the client sent
# under those names (removed, in any case, signed or not).  The store is
# a stub that answers with the stamps it received; for sts_backend oss a
# second gateway stands in front of it and verifies the re-signed request.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use MIME::Base64 ();

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $c = sts_issue(role_policy => ['api'], session_name => 'alice-phone');
our $gw = sts_issue(session_name => 'gateway', duration => 3600);
$ENV{TEST_NGINX_STS_GATEWAY_CREDS} = $gw->{file};

our $role = 'acs:ram::1234567890123456:role/app';

# what the stub store answers for the gateway's stamps
sub seen {
    my ($sn, $ra, $ti, $ip) = @_;
    return "sn=$sn\nra=$ra\nti=$ti\nip=$ip\n";
}

our $stamped = seen('alice-phone', $role, $c->{id}, '127.0.0.1');
our $none = seen('', '', '', '');

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    # the stub store: the stamps it received (the first of each name)
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type text/plain;

        location / {
            add_header X-Seen-Akid "$http_x_sts_access_key_id" always;
            return 200 "sn=$http_x_oss_meta_sts_session_name
ra=$http_x_oss_meta_sts_role_arn
ti=$http_x_oss_meta_sts_token_id
ip=$http_x_oss_meta_sts_source_ip
";
        }
    }

    # a second gateway, standing in for an OSS store: it verifies what
    # the oss connector signed with the gateway's own key
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;

        location / {
            sts_auth on;
            proxy_set_header X-STS-Access-Key-Id $sts_access_key_id;
            proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_stamp_identity on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        add_header X-Token-Id "$sts_token_id" always;
        add_header X-Session "$sts_session_name $sts_role_arn" always;
    }

    location = /metrics { sts_status; }
_EOC_

sub b64 {
    my $s = MIME::Base64::encode_base64($_[0], '');
    $s =~ tr{+/}{-_};
    $s =~ s/=+$//;
    return $s;
}

sts_plan();
run_tests();

__DATA__

=== TEST 1: PutObject: stamped; the variables carry the same values
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/photos/a.jpg
hello
--- more_headers eval
::sts_sign($::c, 'PUT', '/demo-bucket/photos/a.jpg',
           '--content-type', 'image/jpeg')
--- response_body eval
$::stamped
--- response_headers eval
"X-Token-Id: $::c->{id}\nX-Session: alice-phone $::role"
--- no_error_log
[error]



=== TEST 2: forged stamps, signed by the client, are replaced
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/photos/b.jpg
hello
--- more_headers eval
::sts_sign($::c, 'PUT', '/demo-bucket/photos/b.jpg',
           '--header', 'x-oss-meta-sts-session-name:mallory',
           '--header', 'X-Oss-Meta-Sts-Role-Arn:acs:ram::1:role/admin',
           '--header', 'X-OSS-META-STS-TOKEN-ID:STS.forged',
           '--header', 'x-oss-meta-sts-source-ip:10.9.9.9')
--- response_body eval
$::stamped
--- error_log eval
qr/\[info\].*sts: PutObject for "\Q$::c->{id}\E": 4 client header\(s\) of a stamped name removed/
--- no_error_log
[error]



=== TEST 3: a read loses the forged stamp and gets none
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/photos/a.jpg
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/photos/a.jpg',
           '--header', 'x-oss-meta-sts-session-name:mallory')
--- response_body eval
$::none
--- no_error_log
[error]



=== TEST 4: stamping off: the client's headers pass as they are
--- http_config eval: $::HttpConfig
--- config
    location / {
        sts_auth on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
PUT /demo-bucket/photos/c.jpg
hello
--- more_headers eval
::sts_sign($::c, 'PUT', '/demo-bucket/photos/c.jpg',
           '--header', 'x-oss-meta-sts-session-name:mallory')
--- response_body eval
::seen('mallory', '', '', '')
--- no_error_log
[error]



=== TEST 5: InitiateMultipartUpload and AppendObject at 0 are stamped
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/photos/big.bin?uploads",
 "POST /demo-bucket/photos/log.txt?append&position=0\nfirst",
 "POST /demo-bucket/photos/log.txt?append&position=5\nsecond"]
--- more_headers eval
[::sts_sign($::c, 'POST', '/demo-bucket/photos/big.bin?uploads'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/log.txt?append&position=0'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/log.txt?append&position=5',
            '--header', 'x-oss-meta-sts-token-id:STS.forged')]
--- response_body eval
[$::stamped, $::stamped, $::none]
--- no_error_log
[error]



=== TEST 6: CopyObject: stamped with REPLACE, refused otherwise
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/photos/copy.jpg",
 "PUT /demo-bucket/photos/copy.jpg"]
--- more_headers eval
[::sts_sign($::c, 'PUT', '/demo-bucket/photos/copy.jpg',
            '--header', 'x-oss-copy-source:/demo-bucket/photos/a.jpg',
            '--header', 'x-oss-metadata-directive:REPLACE'),
 ::sts_sign($::c, 'PUT', '/demo-bucket/photos/copy.jpg',
            '--header', 'x-oss-copy-source:/demo-bucket/photos/a.jpg')]
--- error_code eval
[200, 400]
--- response_body_like eval
["^\Q$::stamped\E\$",
 qr{<Code>InvalidArgument</Code>\s*<Message>The gateway stamps the identity of the uploader on copied objects: x-oss-metadata-directive must be REPLACE\.</Message>}]



=== TEST 7: PostObject: a form naming a stamp is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my @f = ::sts_post_form($::c, key => 'photos/p.txt',
                        fields => ['x-oss-meta-sts-role-arn' => 'forged']);
["POST /demo-bucket/\n$f[1]", "GET /metrics"]
--- more_headers eval
my @f = ::sts_post_form($::c, key => 'photos/p.txt',
                        fields => ['x-oss-meta-sts-role-arn' => 'forged']);
["Content-Type: $f[0]", ""]
--- error_code eval
[400, 200]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>\s*<Message>Form fields x-oss-meta-sts-session-name, -role-arn, -token-id and -source-ip are reserved for the gateway\.</Message>},
 qr/^nginx_sts_refusals_total\{reason="stamp"\} 1$/m]



=== TEST 8: sts_backend oss: the stamps are re-signed with the rest
--- http_config eval: $::HttpConfig
--- config
    location / {
        sts_auth on;
        sts_stamp_identity on;
        sts_backend oss;
        sts_backend_credentials $TEST_NGINX_STS_GATEWAY_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    }
--- request
PUT /demo-bucket/photos/o.jpg
hello
--- more_headers eval
::sts_sign($::c, 'PUT', '/demo-bucket/photos/o.jpg',
           '--header', 'x-oss-meta-sts-session-name:mallory')
--- response_body eval
$::stamped
--- response_headers eval
"X-Seen-Akid: $::gw->{id}"
--- no_error_log
[error]



=== TEST 9: AppendObject: position is a number, "00" is the first append
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/photos/l2.txt?append&position=00\nfirst",
 "POST /demo-bucket/photos/l3.txt?append&position=000\nfirst",
 "POST /demo-bucket/photos/l2.txt?append&position=05\nsecond",
 "POST /demo-bucket/photos/l4.txt?append&position=+0\nfirst"]
--- more_headers eval
[::sts_sign($::c, 'POST', '/demo-bucket/photos/l2.txt?append&position=00',
            '--header', 'x-oss-meta-sts-token-id:STS.forged'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/l3.txt?append&position=000'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/l2.txt?append&position=05'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/l4.txt?append&position=+0')]
--- error_code eval
[200, 200, 200, 400]
--- response_body_like eval
["^\Q$::stamped\E\$", "^\Q$::stamped\E\$", "^\Q$::none\E\$",
 qr{<Code>InvalidArgument</Code>}]



=== TEST 10: PutSymlink creates the link object: stamped
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/photos/link?symlink
--- more_headers eval
::sts_sign($::c, 'PUT', '/demo-bucket/photos/link?symlink',
           '--header', 'x-oss-symlink-target:photos%2Fa.jpg',
           '--header', 'x-oss-meta-sts-session-name:mallory')
--- response_body eval
$::stamped
--- no_error_log
[error]



=== TEST 11: ProcessObject: sys/saveas cannot carry the stamps, refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /demo-bucket/photos/a.jpg?x-oss-process\nx-oss-process=image/resize,w_10|sys/saveas,o_" . ::b64('photos/out.jpg'),
 "POST /demo-bucket/photos/a.jpg?x-oss-process\nx-oss-process=image/resize,w_10",
 "GET /metrics"]
--- more_headers eval
[::sts_sign($::c, 'POST', '/demo-bucket/photos/a.jpg?x-oss-process',
            '--content-type', 'application/x-www-form-urlencoded'),
 ::sts_sign($::c, 'POST', '/demo-bucket/photos/a.jpg?x-oss-process',
            '--content-type', 'application/x-www-form-urlencoded'),
 ""]
--- error_code eval
[400, 200, 200]
--- response_body_like eval
[qr{<Code>InvalidArgument</Code>\s*<Message>The gateway stamps the identity of the uploader on the objects it creates: sys/saveas cannot carry the stamps\.</Message>},
 "^\Q$::none\E\$",
 qr/^nginx_sts_refusals_total\{reason="stamp"\} 1$/m]
--- error_log eval
qr/sts: ProcessObject InvalidArgument for "\Q$::c->{id}\E": sys\/saveas cannot carry the identity stamps/
