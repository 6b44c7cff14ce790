# The token cache keeps what a token's secret derives: the keyed HMAC-SHA1
# state of V1, and the V4 signing key of the last date and region seen.
# Requests with one cached token in turn in two regions, in V1 and V4,
# header and presigned, are each checked against their own key; a bad
# signature between good ones is still refused; two tokens never share
# keys.  The explanations and replay texts written out when read are the
# same wherever they are read.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $rw = sts_issue(role_policy => ['forward-all']);
our $other = sts_issue();

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

sub v4 {
    my ($c, $path, $region) = @_;
    return ::sts_sign($c, 'GET', $path, '--v4', '--region', $region);
}

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_region cn-hangzhou;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /eu-bucket/ {
        sts_auth on;
        sts_region eu-central-1;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: one cached token, V4 in two regions in turn: each its own signing key
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /eu-bucket/b.txt", "GET /demo-bucket/c.txt",
 "GET /eu-bucket/d.txt"]
--- more_headers eval
[::v4($::rw, '/demo-bucket/a.txt', 'cn-hangzhou'),
 ::v4($::rw, '/eu-bucket/b.txt', 'eu-central-1'),
 ::v4($::rw, '/demo-bucket/c.txt', 'cn-hangzhou'),
 ::v4($::rw, '/eu-bucket/d.txt', 'eu-central-1')]
--- response_body eval
["backend: GET /_backend/demo-bucket/a.txt\n",
 "backend: GET /_backend/eu-bucket/b.txt\n",
 "backend: GET /_backend/demo-bucket/c.txt\n",
 "backend: GET /_backend/eu-bucket/d.txt\n"]
--- no_error_log
[error]



=== TEST 2: a V4 signature for another region's key, between good ones, is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
my $good = ::v4($::rw, '/demo-bucket/a.txt', 'cn-hangzhou');
my $eu = ::v4($::rw, '/demo-bucket/a.txt', 'eu-central-1');
# the signature computed with eu-central-1's key, under cn-hangzhou's scope
my ($sig) = $eu =~ /Signature=([0-9a-f]{64})/;
(my $bad = $good) =~ s/Signature=[0-9a-f]{64}/Signature=$sig/;
[$good, $bad, $good]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[qr{^backend: GET /_backend/demo-bucket/a\.txt$},
 qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>OSS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}/cn-hangzhou/oss/aliyun_v4_request\n[0-9a-f]{64}</StringToSign>}s,
 qr{^backend: GET /_backend/demo-bucket/a\.txt$}]



=== TEST 3: V1 after a good request with the token: a flipped signature is refused, with its StringToSign
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
my $good = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt');
my ($sig) = $good =~ /^Authorization: OSS [^:]+:(\S+)$/m;
(my $bad = $good) =~ s/\Q$sig\E/::sts_flip($sig, 3)/e;
[$good, $bad, $good]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[qr{^backend: GET /_backend/demo-bucket/a\.txt$},
 qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>GET\n\n\n.*\nx-oss-security-token:.*\n/demo-bucket/a\.txt</StringToSign>}s,
 qr{^backend: GET /_backend/demo-bucket/a\.txt$}]



=== TEST 4: two tokens in turn, each signed with its own secret; one token's signature with the other's token is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt",
 "GET /demo-bucket/a.txt"]
--- more_headers eval
my $a = ::sts_sign($::rw, 'GET', '/demo-bucket/a.txt');
my $b = ::sts_sign($::other, 'GET', '/demo-bucket/a.txt');
# the other token's secret, with this token's AccessKeyId and token
my ($sig) = $b =~ /^Authorization: OSS [^:]+:(\S+)$/m;
(my $mixed = $a) =~ s/^(Authorization: OSS [^:]+:)\S+$/$1$sig/m;
[$a, $b, $mixed, $b]
--- error_code eval
[200, 200, 403, 200]
--- response_body_like eval
[qr{^backend:}, qr{^backend:}, qr{<Code>SignatureDoesNotMatch</Code>},
 qr{^backend:}]



=== TEST 5: V1 and V4 presigned URLs and headers with one token, in turn
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET " . ::url($::rw, 'GET', '/demo-bucket/p.txt', '--presign', 600),
 "GET " . ::url($::rw, 'GET', '/demo-bucket/p.txt', '--presign', 600, '--v4', '--region', 'cn-hangzhou'),
 "GET /demo-bucket/h.txt",
 "GET " . ::url($::rw, 'GET', '/eu-bucket/p.txt', '--presign', 600, '--v4', '--region', 'eu-central-1'),
 "GET " . ::url($::rw, 'GET', '/demo-bucket/q.txt', '--presign', 600)]
--- more_headers eval
["", "", ::sts_sign($::rw, 'GET', '/demo-bucket/h.txt'), "", ""]
--- response_body eval
["backend: GET /_backend/demo-bucket/p.txt\n",
 "backend: GET /_backend/demo-bucket/p.txt\n",
 "backend: GET /_backend/demo-bucket/h.txt\n",
 "backend: GET /_backend/eu-bucket/p.txt\n",
 "backend: GET /_backend/demo-bucket/q.txt\n"]
--- no_error_log
[error]



=== TEST 6: explanations and replay texts, written out when read: in a header filter (and again in the log)
--- http_config eval
$::HttpConfig . q{
    log_format sts190 escape=none 'LOG [$sts_statement|$sts_layer|$sts_sid|$sts_grants|$sts_context]';
}
--- config eval
q{
    location / {
        sts_auth on;
        access_log $TEST_NGINX_SERVER_ROOT/logs/error.log sts190;
        add_header x-seen "[$sts_statement|$sts_layer|$sts_sid|$sts_grants|$sts_context]" always;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        access_log off;
        return 200 "ok\n";
    }
}
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/secret/b.txt"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/a.txt', '--header', 'User-Agent:t190'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/secret/b.txt', '--header', 'User-Agent:t190')]
--- error_code eval
[200, 403]
--- response_headers_like eval
["x-seen: " . quotemeta('[role[0].Statement[1]|role-policy[0]||[["oss:GetObject","acs:oss:*:*:demo-bucket/a.txt"]]|[["acs:SourceIp","127.0.0.1"],["acs:CurrentTime","') . '[-0-9T:]+Z' . quotemeta('"],["acs:SecureTransport","false"],["acs:AccessId","' . $::rw->{id} . '"],["acs:MFAPresent","false"],["acs:UserAgent","t190"]]]'),
 "x-seen: " . quotemeta('[role[0].Statement[0](NoSecrets)|role-policy[0]|NoSecrets|[["oss:GetObject","acs:oss:*:*:demo-bucket/secret/b.txt"]]|[["acs:SourceIp","127.0.0.1"],["acs:CurrentTime","') . '[-0-9T:]+Z' . quotemeta('"],["acs:SecureTransport","false"],["acs:AccessId","' . $::rw->{id} . '"],["acs:MFAPresent","false"],["acs:UserAgent","t190"]]]')]
--- no_error_log
[alert]
[crit]
