# The fleet's shared state on a Redis Cluster: three masters started on
# loopback ports (redis-server --cluster-enabled yes, redis-cli --cluster
# create), the gateways given one of them.  Keys go to the node of their
# hash slot, found by following MOVED; the same promises hold as on one
# server (t/195-redis.t): a URL's uses, nonces, issuance limits and
# revocations are shared by two gateways.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsPop;
use StsRedis;

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
    my $f = "$tmp/191-directory.json";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh <<'_EOD_';
{ "Accounts": [ { "AccountId": "1234567890123456",
  "Users": [ { "UserName": "appserver",
    "AccessKeys": [ { "AccessKeyId": "LTAI5tCluster0001",
                      "AccessKeySecret": "ClusterSecret0123456789abcdef" } ],
    "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] } ],
  "Roles": [ { "RoleName": "app",
    "AssumeRolePolicyDocument": { "Version": "1", "Statement": [ {
      "Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": { "RAM": ["acs:ram::1234567890123456:root"] } } ] },
    "AttachedPolicies": ["AliyunOSSFullAccess"] } ] } ] }
_EOD_
    close $fh;
    chmod 0600, $f;
    $ENV{TEST_NGINX_STS_DIRECTORY_191} = $f;
}

our $Cluster = cluster_start();
# the gateways know one node; the others are found by redirection
$ENV{TEST_NGINX_REDIS_PORT} = $Cluster->[0]{port};

our @App = ('LTAI5tCluster0001', 'ClusterSecret0123456789abcdef');

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY_191;
    sts_state fleet redis=127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=500ms
              prefix=t191:;
    sts_state_use uses fleet;
    sts_state_use nonces fleet;
    sts_state_use limits fleet;
    sts_state_use revoked fleet;
_EOC_

our $Locations = <<'_EOC_';
    sts_auth on;
    sts_presign_max_uses 1;

    location / {
        proxy_pass http://127.0.0.1:PORT/_backend$request_uri;
    }

    location /_backend/ {
        sts_auth off;
        return 200 "backend: $request_method $request_uri\n";
    }

    location = /sts {
        sts_auth off;
        sts_endpoint;
        sts_assume_role_limit zone=t191_keys:64k key=access_key rate=3r/m
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
    my $loc = $Locations;
    $loc =~ s/PORT/GATEWAY_PORT/g;
    our $B = gateway_start('191b', $http . <<"_EOC_");
    server {
        listen 127.0.0.1:GATEWAY_PORT;
        server_name localhost;
$loc
    }
_EOC_
}

our $rw = sts_issue(session_name => 'cluster');

sub url { my $u = ::sts_sign(@_); chomp $u; $u }
sub v1 { my ($c, $path) = @_; url($c, 'GET', $path, '--presign', 600) }
sub a_get { http_get_port(server_port_for_client(), @_) }
sub b_get { gateway_get($::B, @_) }

sub sts_call {
    my ($port, $req) = @_;
    my ($line, $body) = split /\n/, "$req", 2;
    my ($method, $target) = split / /, $line, 2;
    return http_get_port($port, $target, '', $method, $body);
}

sub metric {
    my ($port, $result) = @_;
    my ($st, $body) = http_get_port($port, '/metrics');
    my ($n) = $body =~ /^nginx_sts_state_store_total\{store="fleet",result="\Q$result\E"\} (\d+)$/m;
    return $n // -1;
}

# every key of the cluster matching a pattern, and the nodes holding them
sub cluster_keys {
    my ($pattern) = @_;
    my (@keys, %nodes);
    for my $n (@$::Cluster) {
        my $k = redis_cmd($n->{port}, 'KEYS', $pattern) || [];
        push @keys, @$k;
        $nodes{$n->{port}}++ if @$k;
    }
    return (\@keys, scalar keys %nodes);
}

our $UsedUp = qr{<Message>The presigned URL has already been used the maximum number of times\.</Message>};

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;

    # URLs, twelve at a time, until their keys fall on every node (a
    # key's slot follows its signature: twelve miss a node one run in
    # forty, sixty one run in ten billion)
    my (@first, @second, $keys, $nodes);
    my $n = 0;
    while (1) {
        my @urls = map { v1($::rw, "/demo-bucket/c$_.txt") }
                       $n + 1 .. $n + 12;
        $n += 12;
        push @first, map { (a_get($_))[0] } @urls;
        push @second, map { (b_get($_))[1] } @urls;
        ($keys, $nodes) = cluster_keys('t191:u:*');
        last if $nodes == 3 || $n >= 60;
    }
    is("@first", join(' ', (200) x $n), 'cluster: each URL once on A');
    is(scalar(grep { $_ =~ $::UsedUp } @second), $n,
       'cluster: and refused as used up on B');
    is(scalar @$keys, $n, 'cluster: one key for each URL');
    is($nodes, 3, 'cluster: spread over the three masters');
    ok(metric(server_port_for_client(), 'redirect') >= 1,
       'cluster: MOVED followed');

    my $call = '' . pop_request(key => $::App[0], secret => $::App[1],
                                params => { Action => 'GetCallerIdentity' });
    my ($st, $b) = sts_call(server_port_for_client(), $call);
    is($st, 200, 'cluster: an STS call on A');
    ($st, $b) = sts_call($::B->{port}, $call);
    like($b, qr/"Code":"SignatureNonceUsed"/, 'cluster: replayed to B, refused');

    my @st;
    for my $i (1 .. 6) {
        my $req = pop_request(shape => 'form', key => $::App[0],
                              secret => $::App[1],
                              params => { Action => 'AssumeRole',
                                          RoleArn => 'acs:ram::1234567890123456:role/app',
                                          RoleSessionName => 'cluster' });
        my ($s, $b) = sts_call($i % 2 ? server_port_for_client()
                                      : $::B->{port}, $req);
        push @st, $s;
        like($b, qr/"Code":"Throttling.User"/, "cluster: call $i over it")
            if $s != 200;
    }
    is("@st", '200 200 200 200 400 400', 'cluster: one limit over both');

    my $c = ::sts_issue(session_name => 'cluster-revoked');
    # stsctl given the node the gateways know follows MOVED too
    ::sts_stsctl('revoke', 'add', '--redis', "127.0.0.1:$::Cluster->[0]{port}",
                 '--prefix', 't191:',
                 'session acs:ram::1234567890123456:role/app cluster-revoked');
    my ($rk, $rn) = cluster_keys('t191:{revoked}*');
    is(scalar @$rk, 2, 'cluster: the rules and their version');
    is($rn, 1, 'cluster: on one node (one hash tag)');
    my $t0 = time;
    my ($sa, $sb);
    do {
        sleep 0.05;
        my $h = ::sts_sign($c, 'GET', '/demo-bucket/r.txt');
        $h =~ s/\r?\n/\r\n/g;
        ($sa) = a_get('/demo-bucket/r.txt', $h);
        ($sb) = b_get('/demo-bucket/r.txt', $h);
    } while (($sa != 403 || $sb != 403) && time < $t0 + 3);
    is("$sa $sb", '403 403', 'cluster: a revocation enforced by both');
    ok(time - $t0 < 1, sprintf 'cluster: within a second (%.2f s)', time - $t0);
});

# the assertions of the scripted steps in the hooks above
sts_plan(extra => 14);
run_tests();

__DATA__

=== TEST 1: two gateways on a three-master cluster
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /_backend/start
--- response_body_like: ^backend
--- no_error_log
[alert]
