# stsctl policy lint as a user meets it: every finding code on sample
# policies (t/data/lint), its location and severity, the exit statuses,
# the JSON form, and the usage and invalid-policy paths.

use strict;
use warnings;
use Test::More tests => 51;
use JSON::PP;
use StsTest;

my $stsctl = $ENV{TEST_NGINX_STSCTL} || 'build/stsctl';
my $dir = "$ENV{TEST_NGINX_STS_DATA}/lint";

sub run {
    my $cmd = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" } @_;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/clean.json");
is($rc, 0, 'a clean policy exits 0');
like($out, qr/^0 errors, 0 warnings in 1 file$/m, 'and says so');

($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/list-everything.json");
is($rc, 4, 'warnings only exit 4');
like($out, qr{^\Q$dir\E/list-everything\.json: Statement\[1\]\.Resource\[0\]: warning L002: oss:ListObjects on bucket "photos" without an oss:Prefix condition lists every key of it, while objects are granted only under "users/alice/" \(Statement\[0\]\.Resource\[0\]\)\n    fix: add "Condition": \{"StringLike": \{"oss:Prefix": "users/alice/\*"\}\} to this statement$}m,
     'L002: a listing of everything, with the prefix to add');

($rc, $out) = run($stsctl, 'policy', 'lint', '--warnings-ok',
                  "$dir/list-everything.json");
is($rc, 0, '--warnings-ok: warnings exit 0');

($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/mistakes.json");
is($rc, 3, 'error findings exit 3');
like($out, qr/^6 errors, 6 warnings in 1 file$/m, 'the totals');

my @want = (
    [ 'L001', 'error',   'Statement[0].Action[0]',
      qr/"oss:ListObjects" is evaluated on bucket ARNs/ ],
    [ 'L004', 'error',   'Statement[1].Action[0]',
      qr/"oss:GetObjects" is not an OSS action/ ],
    [ 'L005', 'warning', 'Statement[1].Action[1]',
      qr/"ram:ListUsers" is an action of service "ram"/ ],
    [ 'L009', 'warning', 'Statement[1].Resource[0]',
      qr/matches resources of any account/ ],
    [ 'L003', 'warning', 'Statement[1].Condition.StringLike.acs:Referer',
      qr/depends on acs:Referer/ ],
    [ 'L010', 'warning', 'Statement[1].Condition.StringEquals.acs:SourceVPC',
      qr/never supplies it/ ],
    [ 'L006', 'error',   'Statement[2].NotAction[0]',
      qr/excludes every action/ ],
    [ 'L007', 'warning', 'Statement[3].Condition.StringLike.oss:Prefix',
      qr/grants no listing action/ ],
    [ 'L008', 'warning', 'Statement[5]',
      qr/denied by Statement\[4\], an unconditional Deny/ ],
    [ 'L011', 'error',   'Statement[6].Resource[0]', qr/is not an ARN/ ],
    [ 'L012', 'error',   'Statement[6].Resource[1]',
      qr/names service "s3"/ ],
    [ 'L013', 'error',   'Statement[6].Resource[2]',
      qr/region "cn-hangzhou"/ ],
);

for my $w (@want) {
    my ($code, $sev, $loc, $msg) = @$w;
    like($out, qr/^\Q$dir\E\/mistakes\.json: \Q$loc\E: $sev $code: .*$msg.*\n    fix: \S/m,
         "$code at $loc ($sev)");
}

($rc, $out) = run($stsctl, 'policy', 'lint', '--format', 'json',
                  "$dir/mistakes.json", "$dir/clean.json");
is($rc, 3, 'json: exit 3 too');
my $j = eval { decode_json($out) } || {};
is($j->{errors}, 6, 'json: errors');
is($j->{warnings}, 6, 'json: warnings');
is(scalar @{ $j->{files} || [] }, 2, 'json: one entry per file');
is_deeply([ map { $_->{code} } @{ $j->{files}[0]{findings} || [] } ],
          [ map { $_->[0] } @want ], 'json: the codes, in document order');
is_deeply($j->{files}[0]{findings}[0] && [ sort keys %{ $j->{files}[0]{findings}[0] } ],
          [ qw(code hint location message severity) ],
          'json: code, severity, location, message, hint');
is($j->{files}[0]{findings}[8]{location}, 'Statement[5]',
   'json: a location');
is_deeply($j->{files}[1]{findings}, [], 'json: a clean file, no findings');

($rc, $out) = run($stsctl, 'policy', 'lint', '--kind', 'trust',
                  "$dir/trust-wrong.json");
is($rc, 3, 'a trust policy without sts:AssumeRole exits 3');
like($out, qr/Statement\[0\]: error L006: no Action matches sts:AssumeRole/,
     'L006 for the trust statement');
like($out, qr/Statement\[0\]\.Action\[0\]: warning L005: "oss:GetObject" is not sts:AssumeRole/,
     'L005 for its action');

($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/trust-wrong.json");
is($rc, 1, 'a trust policy linted as identity: invalid, exit 1');
like($out, qr/trust-wrong\.json: invalid policy: Statement\[0\]/,
     'with the compiler\'s message');

($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/invalid.json",
                  "$dir/clean.json");
is($rc, 1, 'an invalid policy among others exits 1');
like($out, qr/invalid\.json: invalid policy: Statement\[0\]\.Effect/,
     'names the file and the place');

($rc, $out) = run($stsctl, 'policy', 'lint', "$dir/no-such-file.json");
is($rc, 1, 'an unreadable file exits 1');
like($out, qr/no-such-file\.json: No such file or directory/, 'and says why');

($rc, $out) = run($stsctl, 'policy', 'lint');
is($rc, 2, 'no file: usage, exit 2');
like($out, qr/^usage: stsctl policy lint/m, 'prints the usage');

($rc, $out) = run($stsctl, 'policy', 'lint', '--kind', 'session', 'x');
is($rc, 2, 'a bad --kind: exit 2');

($rc, $out) = run($stsctl, 'policy', 'lint', '--bogus', 'x');
is($rc, 2, 'an unknown option: exit 2');

($rc, $out) = run($stsctl, 'policy', 'lint', '--help');
is($rc, 0, '--help exits 0');
like($out, qr/exit status: 0 no findings, 4 warnings only/, '--help: exit statuses');

($rc, $out) = run($stsctl, 'policy', 'replay', '--help');
is($rc, 0, 'replay --help exits 0');
like($out, qr/usage: stsctl policy replay --log FILE --policy FILE/,
     'replay --help: the usage');

($rc, $out) = run($stsctl, 'policy', 'replay', '--policy',
                  "$dir/clean.json");
is($rc, 2, 'replay without --log: exit 2');

($rc, $out) = run($stsctl, 'policy', 'replay', '--log', '/nonexistent',
                  '--policy', "$dir/clean.json");
is($rc, 1, 'replay of an unreadable log: exit 1');

($rc, $out) = run($stsctl, 'policy', 'replay', '--log', '/dev/null',
                  '--policy', "$dir/invalid.json");
is($rc, 1, 'replay with an invalid policy: exit 1');
like($out, qr/invalid\.json: Statement\[0\]\.Effect/, 'and says where');

($rc, $out) = run($stsctl, 'policy', 'replay', '--log', '/dev/null',
                  '--policy', "$dir/clean.json");
is($rc, 0, 'replay of an empty log: exit 0');
like($out, qr/^requests read: 0\nevaluated: 0\nskipped: 0\nunchanged: 0\nchanged: 0 /m,
     'and all counts zero');

($rc, $out) = run($stsctl, 'policy', 'help');
like($out, qr/stsctl policy lint .*\n.*\n.*\n  stsctl policy replay/,
     'stsctl policy help lists lint and replay');
