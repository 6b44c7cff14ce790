# N-use presigned URLs: sts_presign_max_uses counts the uses of each
# presigned URL (by its AccessKeyId and signature) in a shared zone, for
# every worker (two here), across reloads; x-sts-max-uses in a V4 URL
# lowers the limit and is covered by the signature; a V1 URL cannot carry
# it; a full table refuses; expired entries make room again; one
# AccessKeyId holds at most its share of the table, and no entry outlives
# its token.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

use Digest::SHA ();
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

if ($ENV{TEST_NGINX_USE_VALGRIND}) {
    plan skip_all => 'several workers and reloads need a master process, '
                     . 'which valgrind runs do not have';
}

repeat_each(1);
no_shuffle();
no_root_location();
master_on();
workers(2);

our $rw = sts_issue(session_name => 'uses');
our $rw2 = sts_issue(session_name => 'uses-2');

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

sub v1 {
    my ($c, $path, $ttl) = @_;
    return url($c, 'GET', $path, '--presign', $ttl // 600);
}

# a V1 presigned URL signed here (stsctl once per URL is too slow for
# the hundreds a full table needs)
sub fast_v1 {
    my ($c, $path, $expires) = @_;
    my $tok = defined $c->{token} ? "?security-token=$c->{token}" : '';
    my $sts = "GET\n\n\n$expires\n$path$tok";
    my $sig = Digest::SHA::hmac_sha1_base64($sts, $c->{secret});
    $sig .= '=' while length($sig) % 4;
    $sig =~ s{([+/=])}{sprintf '%%%02X', ord $1}ge;
    $tok =~ s/^\?/&/;
    return "$path?OSSAccessKeyId=$c->{id}&Expires=$expires"
           . "&Signature=$sig$tok";
}

# a RAM user's long-term key, from a directory
our $lt = { id => 'LTAI5tLongTerm0001',
            secret => 'LongTermSecret0123456789abcd' };
{
    my $f = "$ENV{TEST_NGINX_STS_DATA}/../tmp/145-directory.json";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh <<"_EOD_";
{ "Accounts": [ { "AccountId": "1234567890123456",
  "Users": [ { "UserName": "presigner",
    "AccessKeys": [ { "AccessKeyId": "$lt->{id}",
                      "AccessKeySecret": "$lt->{secret}" } ],
    "AttachedPolicies": ["AliyunOSSFullAccess"] } ] } ] }
_EOD_
    close $fh;
    chmod 0600, $f;
    $ENV{TEST_NGINX_STS_DIRECTORY_145} = $f;
}

sub v4 {
    my ($c, $path, $ttl) = @_;
    return url($c, 'GET', $path, '--presign', $ttl // 600, '--v4',
               '--region', 'cn-hangzhou');
}

our $UsedUp = qr{^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>\s*<Code>AccessDenied</Code>\s*<Message>The presigned URL has already been used the maximum number of times\.</Message>\s*<RequestId>[0-9A-F]{24}</RequestId>\s*<HostId>localhost</HostId>\s*</Error>\s*$};
our $Full = qr{<Code>AccessDenied</Code>\s*<Message>The presigned URL cannot be used now: the gateway's table of URL uses is full\.</Message>};
our $Share = qr{^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>\s*<Code>AccessDenied</Code>\s*<Message>The presigned URL cannot be used now: its AccessKeyId holds its share of the gateway's table of URL uses\.</Message>};
our $TooLong = qr{<Code>AccessDenied</Code>\s*<Message>A presigned URL with a use limit may be valid for at most 7 days\.</Message>};
our $Unsigned = qr{<Code>InvalidArgument</Code>\s*<Message>x-sts-max-uses is only accepted in a V4 presigned URL, which signs it\.</Message>};
our $Ok = qr{^backend: GET /_backend/};

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m;
_EOC_

our $Config = <<'_EOC_';
    sts_auth on;
    sts_region cn-hangzhou;
    sts_presign_max_uses 1;

    location / {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /demo-bucket/three/ {
        sts_presign_max_uses 3;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /demo-bucket/free/ {
        sts_presign_max_uses off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        sts_auth off;
        return 200 "backend: $request_method $request_uri\n";
    }

    location = /metrics {
        sts_auth off;
        sts_status;
    }
_EOC_

# ---------------------------------------------------------------------
# a small HTTP client for the checks that run between two requests

sub http_get {
    my ($target, $headers) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => server_port_for_client(),
                                  Timeout => 3)
        or die "connect: $!\n";
    print $s "GET $target HTTP/1.0\r\nHost: localhost\r\n"
             . ($headers // '') . "\r\n";
    local $/;
    my $resp = <$s> // '';
    close $s;
    my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
    my (undef, $body) = split /\r\n\r\n/, $resp, 2;
    return ($status // 0, $body // '');
}

sub master_pid {
    my $pidfile = server_root() . "/logs/nginx.pid";
    open my $fh, '<', $pidfile or die "$pidfile: $!\n";
    my ($pid) = <$fh> =~ /(\d+)/;
    close $fh;
    return $pid;
}

sub errlog_from {
    my ($pos) = @_;
    open my $fh, '<', server_root() . "/logs/error.log" or return ('', $pos);
    seek $fh, $pos, 0;
    local $/;
    my $text = <$fh> // '';
    close $fh;
    return ($text, $pos + length $text);
}

# SIGHUP to the master, then wait until the old workers are told to go
sub reload {
    my (undef, $pos) = errlog_from(0);
    kill 'HUP', master_pid() or die "kill HUP: $!\n";
    my $deadline = time + 5;
    while (time < $deadline) {
        my ($new) = errlog_from($pos);
        last if $new =~ /gracefully shutting down|\[emerg\]/;
        sleep 0.02;
    }
    sleep 0.2;
}

sub metric {
    my ($result) = @_;
    my ($st, $body) = http_get('/metrics');
    my ($n) = $body =~ /^nginx_sts_presign_uses_total\{result="\Q$result\E"\} (\d+)$/m;
    return $n;
}

our $ReloadUrl = v1($rw, '/demo-bucket/three/reload.txt');
our @FullUrls;
our $FullUrls = 400;

our %after = (
    'counts survive a reload' => {
        1 => sub {
            reload();
            my ($st, $body) = http_get($ReloadUrl);
            is($st, 200, 'reload: the third use after a reload is allowed');
            reload();
            ($st, $body) = http_get($ReloadUrl);
            is($st, 403, 'reload: a fourth use after two reloads is refused');
            like($body, $::UsedUp, 'reload: refused as used up');
        },
    },
    'a full table refuses' => {
        0 => sub {
            my (%seen, $first_full);
            my $exp = int(time) + 8;
            @FullUrls = map { fast_v1($rw, "/demo-bucket/full/$_.txt", $exp) }
                        1 .. $FullUrls;
            for my $i (0 .. $#FullUrls) {
                my ($st, $body) = http_get($FullUrls[$i]);
                $seen{$st}++;
                if ($st == 403 && !defined $first_full) {
                    $first_full = $i;
                    like($body, $::Full, 'full: refused with the OSS error');
                }
            }
            ok($seen{200} && $seen{200} > 50, "full: the table took "
               . ($seen{200} // 0) . " URLs before it was full");
            ok(defined $first_full, 'full: a URL was refused');
            is(($seen{200} // 0) + ($seen{403} // 0), scalar @FullUrls,
               'full: every request was allowed or refused, nothing else');

            # a URL already in the table is still counted, not refused
            my ($st, $body) = http_get($FullUrls[0]);
            like($body, $::UsedUp, 'full: a known URL is still used up');

            my ($log) = errlog_from(0);
            my @lines = $log =~ /(\[error\].*is full.*)/g;
            is(scalar @lines, 1, 'full: logged once at error level');
            like($lines[0] // '', qr/"sts_presign_uses_zone" is full/,
                 'full: the log names the directive');

            ok(metric('table_full') >= 1, 'full: counted in sts_status');

            # the URLs expire: their entries make room again
            sleep 0.1 while time < $exp + 1;
            my $fresh = v1($::rw, '/demo-bucket/after-expiry.txt');
            ($st, $body) = http_get($fresh);
            is($st, 200, 'full: expired entries free the table');
            ($st, $body) = http_get($fresh);
            like($body, $::UsedUp, 'full: and the new URL is counted');
        },
    },
    'one AccessKeyId fills only its share' => {
        0 => sub {
            # far-future V1 URLs of one token: only its share is taken
            my (%seen, $first);
            my @urls = map { fast_v1($::rw, "/demo-bucket/share/$_.txt",
                                     4102444800) } 1 .. 300;
            for my $i (0 .. $#urls) {
                my ($st, $body) = http_get($urls[$i]);
                $seen{$st}++;
                if ($st == 403 && !defined $first) {
                    $first = $i;
                    like($body, $::Share, 'share: refused as over its share');
                }
            }
            ok($seen{200} && $seen{200} >= 10 && $seen{200} < 100,
               'share: one AccessKeyId took ' . ($seen{200} // 0)
               . ' entries, not the table');
            is(($seen{200} // 0) + ($seen{403} // 0), scalar @urls,
               'share: every request was allowed or refused');

            # a URL it already holds is still counted
            my ($st, $body) = http_get($urls[0]);
            like($body, $::UsedUp, 'share: a known URL is still used up');

            # another credential's fresh URLs are allowed, also after a
            # reload, and the first one's still refused
            ($st, $body) = http_get(v1($::rw2, '/demo-bucket/share-other.txt'));
            is($st, 200, 'share: another AccessKeyId is served');
            ($st, $body) = http_get(fast_v1($::rw2, '/demo-bucket/share/2100.txt',
                                            4102444800));
            is($st, 200, 'share: its far-future URL too');
            reload();
            ($st, $body) = http_get(v1($::rw2, '/demo-bucket/share-reload.txt'));
            is($st, 200, 'share: another AccessKeyId is served after a reload');
            ($st, $body) = http_get(v1($::rw, '/demo-bucket/share-reload.txt'));
            like($body, $::Share, 'share: the first still over it after a reload');

            my ($log) = errlog_from(0);
            my @lines = $log =~ /(\[error\].*holds its share.*)/g;
            is(scalar @lines, 1, 'share: logged once at error level');
            like($lines[0] // '', qr/"\Q$::rw->{id}\E" holds its share of the table of "sts_presign_uses_zone"/,
                 'share: the log names the AccessKeyId and the directive');
            unlike($log, qr/is full/, 'share: the table is not full');
            ok(metric('key_share_full') >= 1, 'share: counted in sts_status');
        },
    },
    'entries do not outlive their token' => {
        0 => sub {
            # tokens that expire in a few seconds fill the table with
            # URLs that expire in 2100
            my $exp = int(time) + 6;
            my @tokens = map { ::sts_issue(session_name => "short-$_",
                                           issued_at => $exp - 900,
                                           duration => 900) } 1 .. 12;
            my %seen;
            for my $c (@tokens) {
                for my $i (1 .. 40) {
                    my ($st) = http_get(fast_v1($c, "/demo-bucket/short/$i.txt",
                                                4102444800));
                    $seen{$st}++;
                }
            }
            ok($seen{200} && $seen{200} > 50, 'short: the tokens took '
               . ($seen{200} // 0) . ' entries');
            my $fresh = v1($::rw2, '/demo-bucket/short-fresh.txt');
            my ($st, $body) = http_get($fresh);
            is($st, 403, 'short: the table is full while the tokens live');
            like($body, $::Full, 'short: refused as full');

            # once the tokens expired their entries are gone
            sleep 0.1 while time < $exp + 1;
            ($st, $body) = http_get($fresh);
            is($st, 200, 'short: the entries went with their tokens');
            reload();
            ($st, $body) = http_get(v1($::rw2, '/demo-bucket/short-reload.txt'));
            is($st, 200, 'short: and stay gone after a reload');
        },
    },
);

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;
    for my $name (keys %after) {
        next unless index($block->name, $name) >= 0;
        my $step = $after{$name}{$i};
        $step->() if $step;
    }
});

# the assertions of the %after steps: reload 3, full 10, share 12,
# short 5
sts_plan(extra => 3 + 10 + 12 + 5);
run_tests();

__DATA__

=== TEST 1: a single-use V1 URL works once, then 403 used up
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v1($::rw, '/demo-bucket/once.txt');
["GET $u", "GET $u", "GET $u"]
--- error_code eval
[200, 403, 403]
--- response_body_like eval
[$::Ok, $::UsedUp, $::UsedUp]
--- no_error_log
[error]
[alert]



=== TEST 2: a single-use V4 URL works once, then 403 used up
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/once-v4.txt');
["GET $u", "GET $u"]
--- error_code eval
[200, 403]
--- response_body_like eval
[$::Ok, $::UsedUp]
--- no_error_log
[error]
[alert]



=== TEST 3: three uses, counted across two workers
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v1($::rw, '/demo-bucket/three/a.txt');
[("GET $u") x 6]
--- error_code eval
[200, 200, 200, 403, 403, 403]
--- response_body_like eval
[$::Ok, $::Ok, $::Ok, $::UsedUp, $::UsedUp, $::UsedUp]
--- no_error_log
[error]



=== TEST 4: different URLs are counted separately (path, token)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $a = ::v1($::rw, '/demo-bucket/sep-a.txt');
my $b = ::v1($::rw, '/demo-bucket/sep-b.txt');
my $c = ::v1($::rw2, '/demo-bucket/sep-a.txt');
my $d = ::v4($::rw, '/demo-bucket/sep-a.txt');
["GET $a", "GET $b", "GET $c", "GET $d", "GET $a", "GET $b", "GET $c",
 "GET $d"]
--- error_code eval
[200, 200, 200, 200, 403, 403, 403, 403]
--- no_error_log
[error]



=== TEST 5: x-sts-max-uses in a V4 URL lowers the limit
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/three/lower.txt?x-sts-max-uses=2');
[("GET $u") x 3]
--- error_code eval
[200, 200, 403]
--- response_body_like eval
[qr{^backend: GET /_backend/demo-bucket/three/lower\.txt\n$}, $::Ok,
 $::UsedUp]
--- no_error_log
[error]



=== TEST 6: x-sts-max-uses cannot raise the directive's limit
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/raise.txt?x-sts-max-uses=5');
[("GET $u") x 2]
--- error_code eval
[200, 403]
--- response_body_like eval
[$::Ok, $::UsedUp]



=== TEST 7: x-sts-max-uses limits where the directive is off
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/free/x.txt?x-sts-max-uses=1');
my $free = ::v4($::rw, '/demo-bucket/free/y.txt');
["GET $u", "GET $u", "GET $free", "GET $free", "GET $free"]
--- error_code eval
[200, 403, 200, 200, 200]



=== TEST 8: a tampered x-sts-max-uses breaks the signature
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/free/t.txt?x-sts-max-uses=1');
(my $t = $u) =~ s/x-sts-max-uses=1/x-sts-max-uses=9/ or die;
(my $s = $u) =~ s/([?&])x-sts-max-uses=1&?/$1/ or die;
["GET $t", "GET $s", "GET $u", "GET $u"]
--- error_code eval
[403, 403, 200, 403]
--- response_body_like eval
[qr{<Code>SignatureDoesNotMatch</Code>}, qr{<Code>SignatureDoesNotMatch</Code>},
 $::Ok, $::UsedUp]



=== TEST 9: a V1 URL cannot carry x-sts-max-uses (V1 does not sign it)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v1($::rw, '/demo-bucket/v1.txt');
["GET $u&x-sts-max-uses=1", "GET $u", "GET $u"]
--- error_code eval
[400, 200, 403]
--- response_body_like eval
[$::Unsigned, $::Ok, $::UsedUp]



=== TEST 10: header-signed requests are not counted, and cannot carry it
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/h.txt", "GET /demo-bucket/h.txt",
 "GET /demo-bucket/h.txt?x-sts-max-uses=1"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/h.txt'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/h.txt'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/h.txt?x-sts-max-uses=1', '--v4',
            '--region', 'cn-hangzhou')]
--- error_code eval
[200, 200, 400]
--- response_body_like eval
[$::Ok, $::Ok, $::Unsigned]



=== TEST 11: a refused attempt does not use the URL; HEAD counts
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $bad = ::url($::rw, 'GET', '/other-bucket/a.txt', '--presign', 600);
my $head = ::url($::rw, 'HEAD', '/demo-bucket/three/h.txt', '--presign', 600);
["GET $bad", "GET $bad", "HEAD $head", "HEAD $head", "HEAD $head",
 "HEAD $head"]
--- error_code eval
[403, 403, 200, 200, 200, 403]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>\s*<Message>Access denied by authorizer's policy\.</Message>},
 qr{<Code>AccessDenied</Code>\s*<Message>Access denied by authorizer's policy\.</Message>},
 qr/^$/, qr/^$/, qr/^$/, qr/^$/]



=== TEST 12: no secret, token or signature in the log; counters
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::v4($::rw, '/demo-bucket/metrics.txt');
["GET $u", "GET $u", "GET /metrics"]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[$::Ok, $::UsedUp,
 qr/nginx_sts_presign_uses_total\{result="counted"\} [1-9]\d*\n(?:.*\n)*nginx_sts_presign_uses_total\{result="used_up"\} [1-9]/]
--- no_error_log eval
["[alert]", qr{^(?!.*\[debug\]).*\Q$::rw->{secret}\E},
 qr{^(?!.*\[debug\]).*\Q$::rw->{token}\E}, qr{^(?!.*\[debug\]).*x-oss-signature=}]



=== TEST 13: counts survive a reload (same zone size)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET $::ReloadUrl", "GET $::ReloadUrl"]
--- error_code eval
[200, 200]
--- no_error_log
[alert]



=== TEST 14: a full table refuses, never allows; expiry makes room
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 32k max_per_key=1000;
--- config eval: $::Config
--- request eval
["GET /metrics"]
--- error_code: 200
--- no_error_log
[alert]



=== TEST 15: sts_presign_max_uses needs the zone
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_auth on;
        sts_presign_max_uses 2;
    }
--- must_die
--- error_log
"sts_presign_max_uses" requires "sts_presign_uses_zone" or "sts_state_use uses" at the http level



=== TEST 16: bad values are refused at configuration time
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m;
--- config
    location / {
        sts_auth on;
        sts_presign_max_uses 0;
    }
--- must_die
--- error_log
invalid value "0": a number from 1 to 1000000, or "off"



=== TEST 17: one AccessKeyId fills only its share; others keep working
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 32k;
--- config eval: $::Config
--- request eval
["GET /metrics"]
--- error_code: 200
--- no_error_log
[alert]



=== TEST 18: entries do not outlive their token
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 32k;
--- config eval: $::Config
--- request eval
["GET /metrics"]
--- error_code: 200
--- no_error_log
[alert]



=== TEST 19: a long-term key's URL with a use limit is valid for 7 days at most
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY_145;
    sts_presign_uses_zone 1m;
--- config eval: $::Config
--- request eval
my $t = time;
my $week = ::fast_v1($::lt, '/demo-bucket/lt-week.txt', $t + 7 * 86400 - 5);
my $far = ::fast_v1($::lt, '/demo-bucket/lt-far.txt', $t + 8 * 86400);
my $y2100 = ::fast_v1($::lt, '/demo-bucket/lt-2100.txt', 4102444800);
my $free = ::fast_v1($::lt, '/demo-bucket/free/lt.txt', 4102444800);
["GET $week", "GET $week", "GET $far", "GET $y2100", "GET $free",
 "GET $free"]
--- error_code eval
[200, 403, 403, 403, 200, 200]
--- response_body_like eval
[$::Ok, $::UsedUp, $::TooLong, $::TooLong, $::Ok, $::Ok]
--- no_error_log
[alert]



=== TEST 20: max_per_key= is checked at configuration time
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m max_per_key=0;
--- config eval: $::Config
--- must_die
--- error_log
invalid parameter "max_per_key=0": max_per_key=, a number from 1 to 1000000
