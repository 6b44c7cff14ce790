# stsctl as a user meets it: output shapes, --json, --help, exit codes and
# messages, and that it never prints a secret unless asked.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use StsTest;

my $stsctl = $ENV{TEST_NGINX_STSCTL} || 'build/stsctl';
my $keys = "$ENV{TEST_NGINX_STS_DATA}/../tmp/keys";
my $pol = sts_policy_file('read-write-bucket');

sub run {
    my $cmd = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" } @_;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = run($stsctl, 'keygen', '--kid', 'k-1');
is($rc, 0, 'keygen exits 0');
like($out, qr{^k-1 [A-Za-z0-9+/]{43}=\n\z}, 'keygen prints "<kid> <base64 32 bytes>"');

($rc, $out) = run($stsctl, 'keygen', '--kid', 'bad kid');
is($rc, 1, 'keygen with a bad kid exits 1');
like($out, qr/invalid key id/, 'and says why');

($rc, $out) = run($stsctl, 'issue', '--keys', $keys, '--role-arn',
                  'acs:ram::1234567890123456:role/app', '--role-policy', $pol,
                  '--session-name', 'cli-test', '--duration', '900');
is($rc, 0, 'issue exits 0');
my $c = eval { decode_json($out) };
ok($c && $c->{Credentials}{AccessKeyId} =~ /^STS\.[1-9A-HJ-NP-Za-km-z]{28}$/,
   'issue: Credentials.AccessKeyId is STS. + 28 base58');
ok($c && $c->{Credentials}{SecurityToken} =~ /^STS1\./, 'issue: a sealed token');
like($c->{Credentials}{Expiration} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
     'issue: Expiration in ISO 8601 UTC');
is($c->{AssumedRoleUser}{Arn},
   'acs:ram::1234567890123456:role/app/cli-test',
   'issue: AssumedRoleUser.Arn');

($rc, $out) = run($stsctl, 'issue', '--keys', $keys, '--role-arn',
                  'acs:ram::1234567890123456:role/app', '--role-policy', $pol,
                  '--duration', '899');
is($rc, 1, 'issue refuses a duration under 900');
like($out, qr/--duration must be 900\.\.43200/, 'and says the range');

my $credfile = "$ENV{TEST_NGINX_STS_DATA}/../tmp/cli-creds.json";
open my $fh, '>', $credfile or die;
print $fh encode_json($c);
close $fh;
chmod 0600, $credfile;

($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--json',
                  'GET', '/demo-bucket/a.txt');
my $s = eval { decode_json($out) };
is($rc, 0, 'sign --json exits 0');
like($s->{headers}{Authorization} // '', qr/^OSS STS\.\w+:[A-Za-z0-9+\/]{27}=$/,
     'sign --json: the Authorization header');
is($s->{headers}{'x-oss-security-token'}, $c->{Credentials}{SecurityToken},
   'sign --json: the token header');

($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--json',
                  '--presign', '60', 'GET', '/demo-bucket/a.txt');
$s = eval { decode_json($out) };
like($s->{url} // '', qr{^/demo-bucket/a\.txt\?OSSAccessKeyId=STS\.\w+&Expires=\d+&Signature=},
     'sign --json --presign: the URL');

($rc, $out) = run($stsctl, 'inspect', '--keys', $keys,
                  $c->{Credentials}{SecurityToken});
is($rc, 0, 'inspect exits 0');
unlike($out, qr/\Q$c->{Credentials}{AccessKeySecret}\E/,
       'inspect hides the secret');
like($out, qr/"RoleSessionName": "cli-test"/, 'inspect shows the claims');

($rc, $out) = run($stsctl, 'inspect', '--keys', $keys, '--show-secret',
                  $c->{Credentials}{SecurityToken});
like($out, qr/\Q$c->{Credentials}{AccessKeySecret}\E/,
     'inspect --show-secret shows it');

($rc, $out) = run($stsctl, 'inspect', '--keys', $keys, 'STS1.AAAA');
is($rc, 1, 'inspect of a bad token exits 1');
like($out, qr/invalid token/, 'and says so');

($rc, $out) = run($stsctl, 'sign', '--help');
is($rc, 0, '--help exits 0');
like($out, qr/^usage:/, '--help prints the usage');

($rc, $out) = run($stsctl, 'frobnicate');
is($rc, 2, 'an unknown command exits 2');

($rc, $out) = run($stsctl, 'policy', 'simulate', '--role-policy', $pol,
                  '--action', 'oss:DeleteObject', '--resource',
                  'acs:oss:*:*:other-bucket/x');
is($rc, 3, 'policy simulate exits 3 for a denial');
like($out, qr/ImplicitDeny/, 'and names it');

unlink $credfile;
done_testing();
