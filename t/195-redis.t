# The fleet's shared state on Redis (sts_state, sts_state_use): two
# gateways, this test's nginx (A) and a second nginx started here (B),
# each with its own workers and shared memory, share one redis-server
# started on a free loopback port.  A presigned URL's uses, the STS
# endpoint's nonces, the issuance limits and the multipart grace window
# hold across both; with Redis killed, requests that need it get 503 in
# the OSS or STS format while the others pass (B lets presigned URLs
# through: "fail=open"), and both gateways recover by themselves when it
# is back; a stopped Redis costs its timeout, not a stalled worker.
# TEST 1 shows what the rest guards against: two gateways with only their
# own shared memory (the default) let a single-use URL through once each.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsPop;
use StsRedis;

use IO::Socket::INET;
use Time::HiRes qw(sleep time);

if ($ENV{TEST_NGINX_USE_VALGRIND}) {
    plan skip_all => 'a second gateway and a master process are needed';
}

repeat_each(1);
no_shuffle();
no_root_location();
master_on();
workers(2);

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

{
    my $f = "$tmp/190-directory.json";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh <<'_EOD_';
{ "Accounts": [ { "AccountId": "1234567890123456",
  "Users": [ { "UserName": "appserver",
    "AccessKeys": [ { "AccessKeyId": "LTAI5tFleet000001",
                      "AccessKeySecret": "FleetSecret0123456789abcdef01" } ],
    "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] } ],
  "Roles": [ { "RoleName": "app",
    "AssumeRolePolicyDocument": { "Version": "1", "Statement": [ {
      "Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": { "RAM": ["acs:ram::1234567890123456:root"] } } ] },
    "AttachedPolicies": ["AliyunOSSFullAccess"] } ] } ] }
_EOD_
    close $fh;
    chmod 0600, $f;
    $ENV{TEST_NGINX_STS_DIRECTORY_190} = $f;
}

our $Redis = redis_start();
$ENV{TEST_NGINX_REDIS_PORT} = $Redis->{port};

our @App = ('LTAI5tFleet000001', 'FleetSecret0123456789abcdef01');

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY_190;
    sts_state fleet redis=127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=300ms
              prefix=t190:;
    sts_state_use uses fleet;
    sts_state_use nonces fleet;
    sts_state_use limits fleet;
    sts_state_use grace fleet;
    sts_state_use revoked fleet;
_EOC_

# the server's inside, for both gateways (PORT: the gateway's own)
our $Locations = <<'_EOC_';
    sts_auth on;
    sts_region cn-hangzhou;
    sts_presign_max_uses 1;

    location / {
        proxy_pass http://127.0.0.1:PORT/_backend$request_uri;
    }

    location /demo-bucket/three/ {
        sts_presign_max_uses 3;
        proxy_pass http://127.0.0.1:PORT/_backend$request_uri;
    }

    location /demo-bucket/free/ {
        sts_presign_max_uses off;
        proxy_pass http://127.0.0.1:PORT/_backend$request_uri;
    }

    location /demo-bucket/mp/ {
        sts_multipart_grace 30m;
        proxy_pass http://127.0.0.1:PORT/_backend$request_uri;
    }

    location /_backend/ {
        sts_auth off;
        default_type application/xml;
        if ($args = uploads) {
            return 200 '<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult><Bucket>demo-bucket</Bucket>
<Key>$uri</Key><UploadId>0004B9894A22E5B1888A1E29F8236E2D</UploadId>
</InitiateMultipartUploadResult>
';
        }
        return 200 "backend: $request_method $request_uri\n";
    }

    location = /sts {
        sts_auth off;
        sts_endpoint;
        sts_assume_role_limit zone=t190_keys:64k key=access_key rate=3r/m
                              burst=3;
    }

    location = /metrics {
        sts_auth off;
        sts_status;
    }
_EOC_

our $Config = $Locations;
$Config =~ s/PORT/\$TEST_NGINX_SERVER_PORT/g;

{
    my $http = $HttpConfig;
    $http =~ s/\$(TEST_NGINX_\w+)/$ENV{$1}/g;
    # B lets presigned URLs through when Redis fails, as asked explicitly
    $http =~ s/sts_state_use uses fleet;/sts_state_use uses fleet fail=open;/
        or die;
    my $loc = $Locations;
    $loc =~ s/PORT/GATEWAY_PORT/g;
    our $BConf = $http . <<"_EOC_";
    server {
        listen 127.0.0.1:GATEWAY_PORT;
        server_name localhost;
$loc
    }
_EOC_
    our $B = gateway_start('190b', $BConf);
}

sub stsctl_revoke {
    my ($what, @rules) = @_;
    my $out = ::sts_stsctl('revoke', $what, '--redis',
                           "127.0.0.1:$::Redis->{port}", '--prefix', 't190:',
                           @rules);
    return $out;
}

our $rw = sts_issue(session_name => 'fleet');

sub url { my $u = ::sts_sign(@_); chomp $u; $u }
sub v1 { my ($c, $path, $ttl) = @_; url($c, 'GET', $path, '--presign', $ttl // 600) }

sub a_get { http_get_port(server_port_for_client(), @_) }
sub b_get { gateway_get($::B, @_) }

sub sts_call {
    my ($port, $req) = @_;
    my ($line, $body) = split /\n/, "$req", 2;
    my ($method, $target) = split / /, $line, 2;
    return http_get_port($port, $target, '', $method, $body);
}

sub assume {
    return pop_request(shape => 'form', key => $App[0], secret => $App[1],
                       params => { Action => 'AssumeRole',
                                   RoleArn => 'acs:ram::1234567890123456:role/app',
                                   RoleSessionName => 'fleet' });
}

sub identity {
    return pop_request(key => $App[0], secret => $App[1],
                       params => { Action => 'GetCallerIdentity' });
}

sub metric {
    my ($port, $result) = @_;
    my ($st, $body) = http_get_port($port, '/metrics');
    my ($n) = $body =~ /^nginx_sts_state_store_total\{store="fleet",result="\Q$result\E"\} (\d+)$/m;
    return $n // -1;
}

sub log_of { my ($file) = @_; open my $fh, '<', $file or return ''; local $/; <$fh> // '' }

our $UsedUp = qr{<Code>AccessDenied</Code>\s*<Message>The presigned URL has already been used the maximum number of times\.</Message>};
our $Unavailable = qr{^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>\s*<Code>ServiceUnavailable</Code>\s*<Message>The gateway cannot reach its shared state now; please try again\.</Message>};
our $StsUnavailable = qr{"Code":"ServiceUnavailable"};

# the same two gateways without sts_state: each its own shared memory
our $ShmHttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 1m;
    sts_multipart_grace_zone 64k;
_EOC_

our %after = (
    'without sts_state a single-use URL is used once on each gateway' => sub {
        my $http = $::ShmHttpConfig;
        $http =~ s/\$(TEST_NGINX_\w+)/$ENV{$1}/g;
        my $loc = $::Locations;
        $loc =~ s/PORT/GATEWAY_PORT/g;
        $loc =~ s/\s*location = \/sts \{.*?\n    \}\n//s or die;
        my $c = gateway_start('190c', $http . <<"_EOC_");
    server {
        listen 127.0.0.1:GATEWAY_PORT;
        server_name localhost;
$loc
    }
_EOC_
        my $u = v1($::rw, '/demo-bucket/shm-one.txt');
        my ($st) = a_get($u);
        is($st, 200, 'shm: the first use, on A');
        ($st) = gateway_get($c, $u);
        is($st, 200, 'shm: a second use on another gateway goes through');
        ($st) = gateway_get($c, $u);
        is($st, 403, 'shm: each gateway counts for itself');
        gateway_stop($c);
    },
    'a single-use URL used on A is refused on B' => sub {
        my $u = v1($::rw, '/demo-bucket/one.txt');
        my ($st, $body) = a_get($u);
        is($st, 200, 'uses: the first use, on A');
        ($st, $body) = b_get($u);
        is($st, 403, 'uses: the second, on B, is refused');
        like($body, $::UsedUp, 'uses: as used up');
        ($st, $body) = a_get($u);
        like($body, $::UsedUp, 'uses: and again on A');

        my $u3 = v1($::rw, '/demo-bucket/three/t.txt');
        my @st = map { ($_ % 2 ? b_get($u3) : a_get($u3))[0] } 1 .. 5;
        is("@st", '200 200 200 403 403', 'uses: three uses over both');

        my $keys = redis_cmd($::Redis->{port}, 'KEYS', 't190:u:*');
        is(scalar @$keys, 2, 'uses: two keys on the store');
        like($keys->[0], qr/^t190:u:\{[0-9a-f]{64}\}$/,
             'uses: prefix, kind and a hash-tagged digest');
        my $ttl = redis_cmd($::Redis->{port}, 'PTTL', $keys->[0]);
        ok($ttl > 0 && $ttl <= 600_000, "uses: kept no longer than the URL ($ttl ms)");

        ($st) = a_get(v1($::rw, '/demo-bucket/free/x.txt'));
        is($st, 200, 'uses: a URL without a limit');

        # a presigned PUT with its body and its Content-MD5: the body is
        # checked and proxied after the wait
        my $md5 = 'XUFAKrxLKna5cZ2REBfFkg==';
        my $put = url($::rw, 'PUT', '/demo-bucket/up.bin', '--presign', 600,
                      '--content-md5', $md5);
        my $send = sub {
            my ($port) = @_;
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $port, Timeout => 5)
                or die "connect: $!\n";
            print $s "PUT $put HTTP/1.0\r\nHost: localhost\r\n"
                     . "Content-MD5: $md5\r\n"
                     . "Content-Length: 5\r\n\r\nhello";
            local $/;
            my $resp = <$s> // '';
            return $resp =~ m{^HTTP/1\.\d (\d{3})} ? $1 : 0;
        };
        is($send->(server_port_for_client()), 200, 'uses: a presigned PUT on A');
        is($send->($::B->{port}), 403, 'uses: used up on B');
        ok(metric(server_port_for_client(), 'round_trip') >= 4,
           'uses: round trips counted');
    },
    'an STS call replayed to B is refused; a limit counts calls to both' => sub {
        my $call = '' . ::identity();
        my ($st, $body) = sts_call(server_port_for_client(), $call);
        is($st, 200, 'nonce: the call on A');
        like($body, qr/"IdentityType":"RAMUser"/, 'nonce: answered');
        ($st, $body) = sts_call($::B->{port}, $call);
        is($st, 400, 'nonce: the same call replayed to B is refused');
        like($body, qr/"Code":"SignatureNonceUsed"/, 'nonce: as a replay');
        ($st, $body) = sts_call(server_port_for_client(), $call);
        like($body, qr/"Code":"SignatureNonceUsed"/, 'nonce: and on A again');
        my $keys = redis_cmd($::Redis->{port}, 'KEYS', 't190:n:*');
        is(scalar @$keys, 1, 'nonce: one key on the store');
        my $ttl = redis_cmd($::Redis->{port}, 'TTL', $keys->[0]);
        ok($ttl > 0 && $ttl <= 15 * 60 + 1,
           "nonce: kept no longer than the skew window ($ttl s)");

        my @st;
        for my $i (1 .. 6) {
            ($st, $body) = sts_call($i % 2 ? server_port_for_client()
                                           : $::B->{port}, ::assume());
            push @st, $st;
            like($body, qr/"Code":"Throttling.User"/, "limit: call $i over it")
                if $st == 400;
        }
        is("@st", '200 200 200 200 400 400',
           'limit: four calls (burst 3) over both gateways, then refused');
        $keys = redis_cmd($::Redis->{port}, 'KEYS', 't190:l:*');
        is(scalar @$keys, 1, 'limit: one bucket on the store');
        like($keys->[0], qr/^t190:l:t190_keys:\{[0-9a-f]{64}\}$/,
             'limit: named by its zone');
        $ttl = redis_cmd($::Redis->{port}, 'PTTL', $keys->[0]);
        ok($ttl > 0 && $ttl <= 100_000, "limit: kept until drained ($ttl ms)");
    },
    'an upload initiated on A goes on on B after its token expired' => sub {
        my $now = int(time);
        my $c = ::sts_issue(session_name => 'grace', duration => 900,
                            issued_at => $now + 2 - 900);
        my $call = sub {
            my ($port, $method, $target) = @_;
            my $h = ::sts_sign($c, $method, $target);
            $h =~ s/\r?\n/\r\n/g;
            return http_get_port($port, $target,
                                 $h . "Content-Length: 0\r\n", $method);
        };
        my ($st, $body) = $call->(server_port_for_client(), 'POST',
                                  '/demo-bucket/mp/big.bin?uploads');
        is($st, 200, 'grace: Initiate on A');
        sleep 0.1 while time < $now + 3;
        my $id = '0004B9894A22E5B1888A1E29F8236E2D';
        ($st, $body) = $call->($::B->{port}, 'PUT',
                               "/demo-bucket/mp/big.bin?partNumber=2&uploadId=$id");
        is($st, 200, 'grace: UploadPart on B after the expiry');
        ($st, $body) = $call->($::B->{port}, 'PUT',
                               "/demo-bucket/mp/big.bin?partNumber=2&uploadId=OTHER$id");
        is($st, 403, 'grace: not for another upload');
        like($body, qr{<Code>SecurityTokenExpired</Code>}, 'grace: expired');
        ($st, $body) = $call->($::B->{port}, 'GET', '/demo-bucket/mp/other.bin');
        is($st, 403, 'grace: nor for another call');
        my $keys = redis_cmd($::Redis->{port}, 'KEYS', 't190:g:*');
        is(scalar @$keys, 1, 'grace: one upload on the store');
        my $ttl = redis_cmd($::Redis->{port}, 'TTL', $keys->[0]);
        ok($ttl > 0 && $ttl <= 30 * 60, "grace: until the token's expiry plus the grace ($ttl s)");
    },
    'a revocation made once is enforced by both within a second' => sub {
        my $c = ::sts_issue(session_name => 'revoked-1');
        my $other = ::sts_issue(session_name => 'not-revoked');
        my $get = sub {
            my ($port, $cred, $path) = @_;
            my $h = ::sts_sign($cred, 'GET', $path);
            $h =~ s/\r?\n/\r\n/g;
            return http_get_port($port, $path, $h);
        };
        my ($st) = $get->(server_port_for_client(), $c, '/demo-bucket/r.txt');
        is($st, 200, 'revoke: the token works on A');
        ($st) = $get->($::B->{port}, $c, '/demo-bucket/r.txt');
        is($st, 200, 'revoke: and on B');

        my $out = stsctl_revoke('add',
            'session acs:ram::1234567890123456:role/app revoked-1');
        like($out, qr/^version \d+: 1 rule added$/, 'revoke: stsctl revoke add');
        my $t0 = time;
        my ($done_a, $done_b, $body);
        while (time < $t0 + 3 && !($done_a && $done_b)) {
            $done_a //= time - $t0
                if ($get->(server_port_for_client(), $c, '/demo-bucket/r.txt'))[0] == 403;
            $done_b //= time - $t0
                if ($get->($::B->{port}, $c, '/demo-bucket/r.txt'))[0] == 403;
            sleep 0.02;
        }
        ok(defined $done_a && $done_a < 1,
           sprintf 'revoke: A refuses it within a second (%.2f s)', $done_a // -1);
        ok(defined $done_b && $done_b < 1,
           sprintf 'revoke: B too (%.2f s)', $done_b // -1);
        ($st, $body) = $get->($::B->{port}, $c, '/demo-bucket/r.txt');
        like($body, qr{<Code>InvalidSecurityToken</Code>}, 'revoke: as an invalid token');
        ($st) = $get->($::B->{port}, $other, '/demo-bucket/r.txt');
        is($st, 200, 'revoke: another session still works');

        # the STS endpoint refuses the revoked credentials too
        my $sts = sub {
            my ($cred) = @_;
            return "GET /sts?" . ::pop_params(method => 'GET',
                key => $cred->{id}, secret => $cred->{secret},
                params => { Action => 'GetCallerIdentity',
                            SecurityToken => $cred->{token} });
        };
        ($st, $body) = sts_call($::B->{port}, $sts->($c));
        like($body, qr/"Code":"InvalidSecurityToken.Expired"/,
             'revoke: the STS endpoint refuses the revoked session');
        ($st, $body) = sts_call(server_port_for_client(), $sts->($other));
        like($body, qr/"IdentityType":"AssumedRoleUser"/,
             'revoke: and serves the other');
        like(log_of(server_root() . '/logs/error.log'),
             qr/revoked by the state store line 1: session acs:ram::1234567890123456:role\/app revoked-1/,
             'revoke: the log names the rule');

        # a gateway that restarts refuses it from its first request
        gateway_stop($::B);
        $::B = gateway_start('190b', $::BConf);
        ($st) = $get->($::B->{port}, $c, '/demo-bucket/r.txt');
        is($st, 403, 'revoke: still refused by B after a restart');

        $out = stsctl_revoke('remove',
            'session acs:ram::1234567890123456:role/app revoked-1');
        $t0 = time;
        do { sleep 0.05; ($st) = $get->($::B->{port}, $c, '/demo-bucket/r.txt') }
            while $st == 403 && time < $t0 + 3;
        is($st, 200, 'revoke: lifted on B');
        ok(time - $t0 < 1, 'revoke: within a second');
    },
    'Redis killed: 503 for what needs it, the rest passes; back without reload' => sub {
        my $u = v1($::rw, '/demo-bucket/killed.txt');
        redis_stop($::Redis);
        my ($st, $body) = a_get($u);
        is($st, 503, 'down: a limited URL gets 503 on A');
        like($body, $::Unavailable, 'down: in the OSS format');
        ($st, $body) = b_get($u);
        is($st, 200, 'down: B, with "fail=open" for uses, lets it through');
        ok(metric($::B->{port}, 'fail_open') >= 1, 'down: counted on B');
        like(log_of("$::B->{dir}/logs/error.log"),
             qr/\[warn\].*state store "fleet" failed for the uses: let through \(fail=open\)/,
             'down: and logged on B');
        ($st) = a_get(v1($::rw, '/demo-bucket/free/k.txt'));
        is($st, 200, 'down: a URL without a limit passes on A');
        ($st) = b_get(v1($::rw, '/demo-bucket/free/k.txt'));
        is($st, 200, 'down: and on B');
        my @h = ::sts_sign($::rw, 'GET', '/demo-bucket/h.txt');
        ($st) = a_get('/demo-bucket/h.txt', join('', @h));
        is($st, 200, 'down: a header-signed request passes');
        ($st, $body) = sts_call($::B->{port}, ::identity());
        is($st, 503, 'down: an STS call needs its nonce remembered');
        like($body, $::StsUnavailable, 'down: in the STS format');

        my $elog = log_of(server_root() . '/logs/error.log');
        my @down = $elog =~ /(state store "fleet" is unreachable)/g;
        is(scalar @down, 1, 'down: logged once for all workers of A');

        $::Redis = redis_start(port => $::Redis->{port});
        my $deadline = time + 3;
        do { sleep 0.1; ($st) = a_get($u) } while $st == 503 && time < $deadline;
        is($st, 200, 'back: A uses the URL once Redis is back');
        # B's workers try again at most once a second (and let the URL
        # through meanwhile, "fail=open")
        sleep 1.2;
        ($st, $body) = b_get($u);
        like($body, $::UsedUp, 'back: B counts it');
        $elog = log_of(server_root() . '/logs/error.log');
        like($elog, qr/state store "fleet" \(127\.0\.0\.1:\d+\) answers again/,
             'back: logged');
        ok(metric(server_port_for_client(), 'refused') >= 1,
           'down: refusals counted');
    },
    'a stopped Redis costs its timeout, not a stalled worker' => sub {
        kill 'STOP', $::Redis->{pid};
        my $t0 = time;
        my ($st, $body) = a_get(v1($::rw, '/demo-bucket/slow.txt'));
        my $dt = time - $t0;
        is($st, 503, 'slow: 503 when Redis does not answer');
        ok($dt >= 0.25 && $dt < 1.5, sprintf 'slow: after the timeout (%.2f s)', $dt);
        # requests that need no state are served at once meanwhile
        $t0 = time;
        for (1 .. 4) { ($st) = a_get(v1($::rw, "/demo-bucket/free/s$_.txt")) }
        $dt = time - $t0;
        is($st, 200, 'slow: the others are served');
        ok($dt < 1, sprintf 'slow: without waiting (%.2f s)', $dt);
        ok(metric(server_port_for_client(), 'timeout') >= 1, 'slow: timeouts counted');
        kill 'CONT', $::Redis->{pid};
        my $u = v1($::rw, '/demo-bucket/slow-after.txt');
        my $deadline = time + 3;
        do { sleep 0.1; ($st) = a_get($u) } while $st == 503 && time < $deadline;
        is($st, 200, 'slow: served again once Redis answers');
    },
);

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;
    for my $name (keys %after) {
        next unless index($block->name, $name) >= 0;
        $after{$name}->();
    }
});

# the assertions of the scripted steps in the hooks above
sts_plan(extra => 69);
run_tests();

__DATA__

=== TEST 1: without sts_state a single-use URL is used once on each gateway
--- http_config eval: $::ShmHttpConfig
--- config eval
my $c = $::Config;
$c =~ s/\s*location = \/sts \{.*?\n    \}\n//s or die;
$c
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 2: a single-use URL used on A is refused on B
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 3: an STS call replayed to B is refused; a limit counts calls to both
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 4: an upload initiated on A goes on on B after its token expired
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 5: a revocation made once is enforced by both within a second
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 6: Redis killed: 503 for what needs it, the rest passes; back without reload
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 7: a stopped Redis costs its timeout, not a stalled worker
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]



=== TEST 8: a zone on a store never defined
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_state_use uses nope;
--- config
    location = /t { return 200; }
--- must_die
--- error_log
no "sts_state nope" before



=== TEST 9: TLS is refused with its reason
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_state fleet redis=127.0.0.1:6379 tls;
--- config
    location = /t { return 200; }
--- must_die
--- error_log
"tls" is not supported: the hiredis library of this system has no TLS



=== TEST 10: a prefix that would break the hash tags
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_state fleet redis=127.0.0.1:6379 "prefix=a{b}";
--- config
    location = /t { return 200; }
--- must_die
--- error_log
invalid prefix=a{b}: at most 64 visible characters, no "{" or "}"



=== TEST 11: a password file others may read is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_state fleet redis=127.0.0.1:6379 password_file=$TEST_NGINX_STS_OPEN_KEYS;
--- config
    location = /t { return 200; }
--- must_die
--- error_log
may be read or written by group or others: refused, it holds a password



=== TEST 12: fail=open does not apply to revocations
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_state fleet redis=127.0.0.1:6379;
    sts_state_use revoked fleet fail=open;
--- config
    location = /t { return 200; }
--- must_die
--- error_log
"fail" does not apply to "revoked": the rules last read stay in force
