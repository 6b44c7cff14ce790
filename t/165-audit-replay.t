# $sts_grants and $sts_context: the audit log of conf/audit-log.conf
# records every {action, resource} pair a request needed and the
# condition keys it was decided with, as JSON texts inside JSON strings;
# `stsctl policy replay` decides the logged requests again from them.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use JSON::PP;
use File::Temp qw(tempfile);

repeat_each(1);
no_shuffle();
no_root_location();

our $rw = sts_issue(session_name => 'replay-me');
our $stsctl = $ENV{TEST_NGINX_STSCTL} || 'build/stsctl';
our $data = $ENV{TEST_NGINX_STS_DATA};

open my $fh, '<', "$ENV{TEST_NGINX_STS_DATA}/../../conf/audit-log.conf"
    or die "conf/audit-log.conf: $!";
our $AuditFormat = join '', grep { !/^\s*#/ } <$fh>;
close $fh;

our $HttpConfig = "    sts_keys \$TEST_NGINX_STS_KEYS;\n" . $AuditFormat;

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        access_log off;
        return 200 "stored\n";
    }

    location = /_audit {
        access_log off;
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/audit.log;
    }
_EOC_

sub replay {
    my ($log, @args) = @_;
    my ($lf, $name) = tempfile(UNLINK => 1);
    print $lf $log;
    close $lf;
    my $cmd = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" }
                        ($stsctl, 'policy', 'replay', '--log', $name, @args);
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $rep, $dry_run) = @_;
    return unless defined $block->replay_checks;
    my $last = ref $block->request ? $#{ $block->request } : 0;
    return unless $req_idx == $last;
    my $name = $block->name;

    my @l = eval { map { decode_json($_) } grep { length } split /\n/, $body };
    is(scalar @l, 5, "$name - five audit lines") or diag($body);
    ok(index($body, $::rw->{token}) < 0 && index($body, $::rw->{secret}) < 0,
       "$name - no token or secret in the log");

    my @g = map { eval { decode_json($_->{grants}) } } @l;
    my @c;
    for my $line (@l) {
        my $x = eval { decode_json($line->{context}) } || [];
        push @c, { map { @$_ } @$x };
    }

    is_deeply($g[0], [['oss:PutObject', 'acs:oss:*:*:demo-bucket/a.txt']],
              "$name - PutObject: one pair");
    is_deeply($g[1], [['oss:PutObject', 'acs:oss:*:*:demo-bucket/c.txt'],
                      ['oss:GetObject', 'acs:oss:*:*:demo-bucket/a.txt']],
              "$name - CopyObject: both pairs, in order");
    is_deeply($g[2], [['oss:ListObjects', 'acs:oss:*:*:demo-bucket']],
              "$name - ListObjects on the bucket");
    is($c[2]{'oss:Prefix'}, 'photos/', "$name - oss:Prefix in the context");
    is($c[2]{'oss:Delimiter'}, '/', "$name - oss:Delimiter in the context");
    is($l[3]{decision}, 'implicit-deny', "$name - the denied request");
    is_deeply($g[3], [['oss:GetObject', 'acs:oss:*:*:other-bucket/b.txt']],
              "$name - its pair");
    is($c[0]{'acs:AccessId'}, $::rw->{id}, "$name - acs:AccessId");
    is($c[0]{'acs:SourceIp'}, '127.0.0.1', "$name - acs:SourceIp");
    is($c[0]{'acs:SecureTransport'}, 'false', "$name - acs:SecureTransport");
    like($c[0]{'acs:CurrentTime'} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
         "$name - acs:CurrentTime");
    is($c[0]{'acs:UserAgent'}, 'replay "test"\\agent',
       "$name - a User-Agent with quotes and a backslash survives");

    my ($rc, $out) = replay($body, '--policy',
                            "$::data/policies/read-write-bucket.json");
    is($rc, 0, "$name - replay under the same policy exits 0");
    like($out, qr/^requests read: 5\nevaluated: 5\nskipped: 0\nunchanged: 5\nchanged: 0 \(allow->deny 0, deny->allow 0\)\n\z/m,
         "$name - nothing changes") or diag($out);

    ($rc, $out) = replay($body, '--policy', "$::data/replay/no-delete.json");
    is($rc, 3, "$name - replay without DeleteObject exits 3");
    like($out, qr/^allow->deny DeleteObject oss:DeleteObject demo-bucket\/a\.txt request \w+$/m,
         "$name - the delete is named") or diag($out);
    like($out, qr/^by action: oss:DeleteObject allow->deny 1, deny->allow 0$/m,
         "$name - counted by action");
    like($out, qr/^changed: 1 \(allow->deny 1, deny->allow 0\)$/m,
         "$name - one change");

    ($rc, $out) = replay($body, '--policy', "$::data/replay/other-bucket.json",
                         '--format', 'json');
    my $j = eval { decode_json($out) } || {};
    is($rc, 3, "$name - replay granting other-bucket exits 3");
    is($j->{deny_to_allow}, 1, "$name - json: one deny->allow");
    is($j->{allow_to_deny}, 0, "$name - json: no allow->deny");
    is($j->{by_bucket}{'other-bucket'}{deny_to_allow}, 1,
       "$name - json: counted by bucket");
    is($j->{requests}[0]{object}, 'b.txt', "$name - json: the request");

    ($rc, $out) = replay($body, '--policy', "$::data/replay/before-2000.json",
                         '--format', 'json');
    $j = eval { decode_json($out) } || {};
    is($j->{allow_to_deny}, 4,
       "$name - a date condition on acs:CurrentTime uses the logged time");

    ($rc, $out) = replay($body, '--policy',
                         "$::data/policies/read-write-bucket.json",
                         '--session', "$::data/policies/list-photos.json",
                         '--format', 'json');
    $j = eval { decode_json($out) } || {};
    is($j->{allow_to_deny}, 3,
       "$name - a session policy narrows: put, copy and delete change");

    ($rc, $out) = replay($body . "not json\n"
                         . '{"decision":"skip"}' . "\n"
                         . '{"decision":"error","role_arn":"x"}' . "\n"
                         . '{"decision":"allow","role_arn":"x"}' . "\n",
                         '--policy', "$::data/policies/read-write-bucket.json",
                         '--role', 'acs:ram::1234567890123456:role/app',
                         '--format', 'json');
    $j = eval { decode_json($out) } || {};
    is($j->{read}, 9, "$name - nine lines read");
    is($j->{evaluated}, 5, "$name - five evaluated");
    is_deeply($j->{skipped_by_reason},
              { 'not JSON' => 1, 'not a decision' => 2,
                'no role (an account root key)' => 0,
                'no grants or context recorded' => 1, 'other role' => 0,
                'line too long' => 0 },
              "$name - skipped, with reasons") or diag($out);

    ($rc, $out) = replay($body, '--policy',
                         "$::data/policies/read-write-bucket.json",
                         '--role', 'acs:ram::1:role/other');
    like($out, qr/^skipped: 5, other role 5$/m, "$name - --role skips others");
});

# the replay_checks hook: 31 assertions, after the block's last request
sts_plan(per_response => sub {
    my ($block, $i) = @_;
    return defined $block->replay_checks && $i == sts_responses($block) - 1
           ? 31 : 0;
});
run_tests();

__DATA__

=== TEST 1: grants and context are logged and replayed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/a.txt", "PUT /demo-bucket/c.txt",
 "GET /demo-bucket/?prefix=photos%2F&delimiter=%2F",
 "GET /other-bucket/b.txt", "DELETE /demo-bucket/a.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/demo-bucket/a.txt') . "User-Agent: replay \"test\"\\agent\n",
 ::sts_sign($::rw, 'PUT', '/demo-bucket/c.txt',
            '--header', 'x-oss-copy-source:/demo-bucket/a.txt'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=photos%2F&delimiter=%2F'),
 ::sts_sign($::rw, 'GET', '/other-bucket/b.txt'),
 ::sts_sign($::rw, 'DELETE', '/demo-bucket/a.txt'), ""]
--- error_code eval
[200, 200, 200, 403, 200, 200]
--- replay_checks: yes
--- no_error_log
[crit]
