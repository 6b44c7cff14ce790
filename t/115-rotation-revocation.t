# Key rotation and revocation with live traffic: a new issuing key
# prepended to the keyring and reloaded keeps the old tokens valid until
# the old key is removed; sts_revoked (AccessKeyIds, sessions, roles,
# "issued before T" for a role) takes effect on reload, for tokens in the
# per-worker cache as well, and a bad list at reload keeps the old one.
#
# The reloads are real: nginx runs with a master process, the files are
# rewritten between two requests of a block and the master gets SIGHUP
# (the response body check below does it, then waits until the old worker
# has stopped accepting).

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

use POSIX ();
use Time::HiRes qw(sleep time);

# valgrind runs nginx without a master process, and nginx reloads only
# with one (t/unit/test_revoke.c and the sanitized run cover the rest)
if ($ENV{TEST_NGINX_USE_VALGRIND}) {
    plan skip_all => 'reloads need a master process, which valgrind runs '
                     . 'do not have';
}

repeat_each(1);
no_shuffle();
no_root_location();
master_on();
workers(1);

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";
my $app = 'acs:ram::1234567890123456:role/app';
my $other_role = 'acs:ram::1234567890123456:role/other';

sub put_file {
    my ($file, $text, $mode) = @_;
    open my $fh, '>', "$file.new" or die "$file: $!\n";
    print $fh $text;
    close $fh;
    chmod $mode // 0600, "$file.new";
    rename "$file.new", $file or die "$file: $!\n";
}

# two keyrings: the key in use ("old115") and its successor ("new115")
our $old_line = sts_stsctl('keygen', '--kid', 'old115');
our $new_line = sts_stsctl('keygen', '--kid', 'new115');
our %keys = (
    old  => "$tmp/115-$$-keys-old",
    both => "$tmp/115-$$-keys-both",
    new  => "$tmp/115-$$-keys-new",
    live => "$tmp/115-$$-keys-live",
);
put_file($keys{old}, $old_line);
put_file($keys{both}, $new_line . $old_line);
put_file($keys{new}, $new_line);
put_file($keys{live}, $old_line);
$ENV{"TEST_NGINX_KEYS_115_\U$_"} = $keys{$_} for keys %keys;

# a token as AssumeRole makes it, sealed with the first key of a keyring
sub issue {
    my (%o) = @_;
    my @args = ('issue', '--keys', $o{keys},
                '--role-arn', $o{role} // $app,
                '--session-name', $o{session} // 'rotation',
                '--role-policy', sts_policy_file('read-write-bucket'));
    push @args, '--issued-at', $o{issued_at} if $o{issued_at};
    my $json = sts_stsctl(@args);
    my %c;
    ($c{id}) = $json =~ /"AccessKeyId": "([^"]+)"/;
    ($c{secret}) = $json =~ /"AccessKeySecret": "([^"]+)"/;
    ($c{token}) = $json =~ /"SecurityToken": "([^"]+)"/;
    die "unexpected issue output\n" unless $c{token};
    return \%c;
}

our $tok_old = issue(keys => $keys{old});      # kid old115
our $tok_new = issue(keys => $keys{both});     # kid new115

# revocation: tokens of the test keyring
our $s1 = sts_issue(role_arn => $app, session_name => 's1');
our $s2 = sts_issue(role_arn => $app, session_name => 's2');
our $oth = sts_issue(role_arn => $other_role, session_name => 's1');
our $early = sts_issue(role_arn => $app, session_name => 's3',
                       issued_at => int(time) - 600);
our $before = POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(int(time) - 300));

our %rev = (
    empty   => "",
    akid    => "# one token\nakid $s1->{id}\n",
    session => "\nsession $app s1\n",
    role    => "role acs:ram::1234567890123456:role/APP\n",
    before  => "# tokens of app issued before\nbefore $app $before\n",
    bad     => "akid $s1->{id}\nrole acs:ram::1234567890123456:user/x\n",
    live    => "",
);
for my $k (keys %rev) {
    put_file("$tmp/115-$$-rev-$k", $rev{$k}, 0644);
    $ENV{"TEST_NGINX_REV_115_\U$k"} = "$tmp/115-$$-rev-$k";
}
put_file("$tmp/115-$$-rev-open", "", 0646);
$ENV{TEST_NGINX_REV_115_OPEN} = "$tmp/115-$$-rev-open";

add_cleanup_handler(sub { unlink glob "$tmp/115-$$-*" });

# every token's secret and text, which no log line may show (nginx's
# own debug lines print request headers, the token among them: only the
# levels a production log has count)
our @secrets = map { qr{^(?!.*\[debug\]).*\Q$_\E} }
               map { ($_->{secret}, $_->{token}) }
               $tok_old, $tok_new, $s1, $s2, $oth, $early;

sub get {
    my ($c) = @_;
    return ::sts_sign($c, 'GET', '/demo-bucket/a.txt');
}

# ---------------------------------------------------------------------
# reloads between the requests of a block

my $errlog_pos = 0;

sub errlog_since {
    my ($pos) = @_;
    my $file = server_root() . "/logs/error.log";
    open my $fh, '<', $file or return ('', $pos);
    seek $fh, $pos, 0;
    local $/;
    my $text = <$fh> // '';
    close $fh;
    return ($text, $pos + length $text);
}

# rewrites $file, sends SIGHUP to the master and waits until the old
# worker stopped accepting (or the reload failed)
sub reload {
    my ($file, $text, $mode) = @_;
    put_file($file, $text, $mode);

    my $pidfile = server_root() . "/logs/nginx.pid";
    open my $fh, '<', $pidfile or die "$pidfile: $!\n";
    my ($pid) = <$fh> =~ /(\d+)/;
    close $fh;

    my (undef, $pos) = errlog_since(0);
    kill 'HUP', $pid or die "kill HUP $pid: $!\n";

    my $deadline = time + 5;
    while (time < $deadline) {
        my ($new) = errlog_since($pos);
        last if $new =~ /gracefully shutting down|\[emerg\]/;
        sleep 0.02;
    }
    sleep 0.1;
}

# what the error log says about request $i: the revoked ones must be
# named with their AccessKeyId and the rule
sub expect_log {
    my ($name, $i, $pattern) = @_;
    my ($text, $pos) = errlog_since($errlog_pos);
    $errlog_pos = $pos;
    like($text, $pattern, "$name - request $i logged as revoked");
}

# block name => { request index => what to do after its response }
our %after = (
    'live rotation' => {
        0 => sub { reload($keys{live}, $new_line . $old_line) },
        2 => sub { reload($keys{live}, $new_line) },
        4 => sub { put_file($keys{live}, $old_line) },
    },
    'live revocation' => {
        2 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE},
                          "session $app s1\n") },
        3 => sub { expect_log('live revocation', 3,
                       qr{\[error\].*sts: GetObject InvalidSecurityToken for "\Q$s1->{id}\E": revoked by sts_revoked line 1: session \Q$app\E s1,}) },
        5 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE}, "role $app\n") },
        6 => sub { expect_log('live revocation', 6,
                       qr{sts: GetObject InvalidSecurityToken for "\Q$s1->{id}\E": revoked by sts_revoked line 1: role \Q$app\E,}) },
        8 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE},
                          "role acs:ram::1:role/\n") },
        9 => sub { expect_log('live revocation', 9,
                       qr{\[emerg\].*115-\d+-rev-live": line 1: "acs:ram::1:role/" is not a role ARN}) },
        10 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE}, "") },
        12 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE},
                           "akid $oth->{id}\n") },
        13 => sub { expect_log('live revocation', 13,
                        qr{InvalidSecurityToken for "\Q$oth->{id}\E": revoked by sts_revoked line 1: akid \Q$oth->{id}\E,}) },
        14 => sub { reload($ENV{TEST_NGINX_REV_115_LIVE},
                           "before $app $before\n") },
        15 => sub { expect_log('live revocation', 15,
                        qr{InvalidSecurityToken for "\Q$early->{id}\E": revoked by sts_revoked line 1: before \Q$app $before\E,}) },
        16 => sub { put_file($ENV{TEST_NGINX_REV_115_LIVE}, "") },
    },
);

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;
    if ($i == 0) {
        (undef, $errlog_pos) = errlog_since(0);
    }
    for my $name (keys %after) {
        next unless index($block->name, $name) >= 0;
        my $step = $after{$name}{$i};
        $step->() if $step;
    }
});

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        add_header X-Cache $sts_token_cache always;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_uri\n";
    }
_EOC_

our $Ok = qr{^backend: /_backend/demo-bucket/a\.txt$};
our $Invalid = qr{<Code>InvalidSecurityToken</Code>};

# the five expect_log steps of %after
sts_plan(extra => 5);
run_tests();

__DATA__

=== TEST 1: rotation, before: only the old key; the new one is unknown
--- http_config
    sts_keys $TEST_NGINX_KEYS_115_OLD;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::tok_old), ::get($::tok_new)]
--- error_code eval
[200, 403]
--- response_body_like eval
[$::Ok, $::Invalid]
--- no_error_log eval
["[alert]", "exited on signal", @::secrets]



=== TEST 2: rotation, during: new key first, old key still verifies
--- http_config
    sts_keys $TEST_NGINX_KEYS_115_BOTH;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::tok_old), ::get($::tok_new)]
--- error_code eval
[200, 200]
--- response_body_like eval
[$::Ok, $::Ok]
--- no_error_log eval
["[error]", "[alert]", @::secrets]



=== TEST 3: rotation, after: the old key removed, its tokens refused
--- http_config
    sts_keys $TEST_NGINX_KEYS_115_NEW;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::tok_old), ::get($::tok_new)]
--- error_code eval
[403, 200]
--- response_body_like eval
[$::Invalid, $::Ok]
--- no_error_log eval
["[alert]", "exited on signal", @::secrets]



=== TEST 4: live rotation: prepend the new key and reload, drop the old and reload
--- http_config
    sts_keys $TEST_NGINX_KEYS_115_LIVE;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt",
 "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::tok_old),
 ::get($::tok_old), ::get($::tok_new),
 ::get($::tok_old), ::get($::tok_new)]
--- error_code eval
[200, 200, 200, 403, 200]
--- response_body_like eval
[$::Ok, $::Ok, $::Ok, $::Invalid, $::Ok]
--- no_error_log eval
["[alert]", "[emerg]", "exited on signal", @::secrets]



=== TEST 5: revoked AccessKeyId: refused, named in the log with its rule
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_AKID;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::s1), ::get($::s2)]
--- error_code eval
[403, 200]
--- response_body_like eval
[qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>
<Error>
  <Code>InvalidSecurityToken</Code>
  <Message>The security token you provided is invalid\.</Message>
}, $::Ok]
--- no_error_log eval
["[alert]", "exited on signal", @::secrets]



=== TEST 6: the log line of a revoked AccessKeyId
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_AKID;
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::get($::s1)
--- error_code: 403
--- error_log eval
qr{\[error\].*sts: GetObject InvalidSecurityToken for "\Q$::s1->{id}\E": revoked by sts_revoked line 2: akid \Q$::s1->{id}\E, request id [0-9A-F]{24}}
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 7: revoked session: only that session of that role
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_SESSION;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::s1), ::get($::s2), ::get($::oth)]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[$::Invalid, $::Ok, $::Ok]
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 8: revoked role (name in another case): all its tokens
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_ROLE;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::s1), ::get($::s2), ::get($::oth)]
--- error_code eval
[403, 403, 200]
--- response_body_like eval
[$::Invalid, $::Invalid, $::Ok]
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 9: "before": a role's tokens issued before T, not those after
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_BEFORE;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::early), ::get($::s1), ::get($::oth)]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[$::Invalid, $::Ok, $::Ok]
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 10: with the token cache: refused on the miss and on the hit
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_SESSION;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::s1), ::get($::s1), ::get($::s2)]
--- error_code eval
[403, 403, 200]
--- response_headers eval
["X-Cache: miss", "X-Cache: hit", "X-Cache: miss"]
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 11: without the token cache: refused too
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_SESSION;
    sts_cache off;
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::get($::s1), ::get($::s2)]
--- error_code eval
[403, 200]
--- response_headers eval
["X-Cache: off", "X-Cache: off"]
--- no_error_log eval
["[alert]", @::secrets]



=== TEST 12: an empty list revokes nothing
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_EMPTY;
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::get($::s1)
--- response_body_like eval
$::Ok
--- no_error_log
[error]



=== TEST 13: a bad rule is refused at start, naming the file and the line
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_BAD;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*revocation list ".*115-\d+-rev-bad": line 2: "acs:ram::1234567890123456:user/x" is not a role ARN}



=== TEST 14: a list others may write is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_OPEN;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*revocation list ".*115-\d+-rev-open" is writable by others}



=== TEST 15: a missing list is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked /nonexistent/sts-revoked;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*cannot open revocation list "/nonexistent/sts-revoked"}



=== TEST 16: sts_revoked twice
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_EMPTY;
    sts_revoked $TEST_NGINX_REV_115_EMPTY;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_revoked" directive is duplicate}



=== TEST 17: live revocation: each change takes effect on reload, a bad list keeps the last good one
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_revoked $TEST_NGINX_REV_115_LIVE;
--- config eval: $::Config
--- request eval
[("GET /demo-bucket/a.txt") x 17]
--- more_headers eval
[
 # 0-2: nothing revoked, all three cached
 ::get($::s1), ::get($::s2), ::get($::oth),
 # 3-5: session app/s1 revoked
 ::get($::s1), ::get($::s2), ::get($::oth),
 # 6-8: role app revoked
 ::get($::s1), ::get($::s2), ::get($::oth),
 # 9-10: a bad list at reload: role app stays revoked
 ::get($::s2), ::get($::oth),
 # 11-12: empty list: lifted
 ::get($::s1), ::get($::s2),
 # 13-14: the AccessKeyId of "oth"
 ::get($::oth), ::get($::s1),
 # 15-16: app tokens issued before T
 ::get($::early), ::get($::s2),
]
--- error_code eval
[200, 200, 200,
 403, 200, 200,
 403, 403, 200,
 403, 200,
 200, 200,
 403, 200,
 403, 200]
--- no_error_log eval
["[alert]", "exited on signal", @::secrets]
