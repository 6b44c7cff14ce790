# stsctl as a user meets it: output shapes, --json, --help, exit codes and
# messages, and that it never prints a secret unless asked.

use strict;
use warnings;
use Test::More tests => 127;
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
like($s->{url} // '', qr{^http://127\.0\.0\.1/demo-bucket/a\.txt\?OSSAccessKeyId=STS\.\w+&Expires=\d+&Signature=},
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

# a statement that could have allowed asks for a key the context lacks
my $refpol = sts_policy_file('explain-role');
($rc, $out) = run($stsctl, 'policy', 'simulate', '--role-policy', $refpol,
                  '--action', 'oss:GetObject', '--resource',
                  'acs:oss:*:*:demo-bucket/site/a.txt');
is($rc, 3, 'policy simulate: denied without a Referer');
like($out, qr/^  missing condition keys: acs:Referer$/m,
     'and names the missing condition key');

($rc, $out) = run($stsctl, 'policy', 'simulate', '--role-policy', $refpol,
                  '--action', 'oss:GetObject', '--resource',
                  'acs:oss:*:*:demo-bucket/site/a.txt', '--context',
                  'acs:Referer=https://www.example.com/p');
is($rc, 0, 'policy simulate: allowed with the Referer');
unlike($out, qr/missing condition keys/, 'and nothing is missing');

# --help and -h: every command and subcommand prints its usage, exits 0
for my $cmd (['keygen'], ['issue'], ['assume-role'], ['caller-identity'],
             ['sign'], ['inspect'], ['help'], ['policy'],
             ['policy', 'check'], ['policy', 'simulate'],
             ['policy', 'lint'], ['policy', 'replay'])
{
    for my $flag ('--help', '-h') {
        ($rc, $out) = run($stsctl, @$cmd, $flag);
        is($rc, 0, "stsctl @$cmd $flag exits 0");
        like($out, qr/^usage: stsctl \Q$cmd->[0]\E/m,
             "stsctl @$cmd $flag prints its usage");
    }
}

# after other arguments, and with a value-taking option before it
($rc, $out) = run($stsctl, 'policy', 'simulate', '--role-policy', $pol,
                  '--help');
is($rc, 0, 'policy simulate --role-policy F --help exits 0');
like($out, qr/^usage: stsctl policy simulate --role-policy FILE/m,
     'and prints the simulate usage');
unlike($out, qr/needs a value/, 'not "needs a value"');

($rc, $out) = run($stsctl, 'sign', '--help');
like($out, qr/^usage: stsctl sign /, 'sign --help: the usage of sign');
unlike($out, qr/stsctl keygen/, 'sign --help: not every command');

($rc, $out) = run($stsctl, 'help');
is($rc, 0, 'stsctl help exits 0');
like($out, qr/^usage:\n/, 'stsctl help prints the usage');
for my $c ('keygen', 'issue', 'assume-role', 'caller-identity', 'sign',
           'inspect', 'policy check', 'policy simulate', 'policy lint',
           'policy replay', 'help')
{
    like($out, qr/^  stsctl \Q$c\E /m, "stsctl help lists $c");
}

my ($rc2, $out2) = run($stsctl, '--help');
is($rc2, 0, 'stsctl --help exits 0');
is($out2, $out, 'stsctl --help prints what stsctl help prints');

($rc, $out) = run($stsctl, 'help', 'sign');
is($rc, 0, 'stsctl help sign exits 0');
like($out, qr/^usage: stsctl sign .*--presign SECONDS/s,
     'stsctl help sign prints the usage of sign');

($rc, $out) = run($stsctl, 'help', 'policy', 'replay');
is($rc, 0, 'stsctl help policy replay exits 0');
like($out, qr/^usage: stsctl policy replay --log FILE/,
     'stsctl help policy replay prints its usage');

($rc, $out) = run($stsctl, 'help', 'frobnicate');
is($rc, 2, 'stsctl help of an unknown command exits 2');
like($out, qr/unknown command "frobnicate"/, 'and says so');

($rc, $out) = run($stsctl, 'frobnicate');
like($out, qr/unknown command "frobnicate".*^usage:/ms,
     'an unknown command: the message and the usage');

($rc, $out) = run($stsctl, 'keygen', '--bogus');
is($rc, 2, 'an unknown option exits 2');
like($out, qr/^usage: stsctl keygen/m, 'and prints the usage of that command');

# sign --presign: a URL curl can use
($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--presign',
                  '600', '--host', '127.0.0.1:8080', 'GET',
                  '/demo-bucket/a%20b.txt?response-content-type=text%2Fplain');
is($rc, 0, 'sign --presign exits 0');
like($out, qr{^http://127\.0\.0\.1:8080/demo-bucket/a%20b\.txt\?[^\s]*\bOSSAccessKeyId=STS\.\w+&Expires=\d+&Signature=[^\s]+\n\z},
     'sign --presign prints http://HOST/PATH?QUERY');
{
    require URI;
    my $u = URI->new((split /\n/, $out)[0]);
    is($u->scheme, 'http', 'the URL parses: scheme');
    is($u->host, '127.0.0.1', 'the URL parses: host');
    is($u->port, 8080, 'the URL parses: port');
    is($u->path, '/demo-bucket/a%20b.txt', 'the URL parses: path');
    my %q = $u->query_form;
    is($q{OSSAccessKeyId}, $c->{Credentials}{AccessKeyId},
       'the URL parses: OSSAccessKeyId');
    is($q{'security-token'}, $c->{Credentials}{SecurityToken},
       'the URL parses: the token');
    is($q{'response-content-type'}, 'text/plain',
       'the URL parses: the query of PATH');
}

($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--presign',
                  '600', '--endpoint', 'https://oss.example.com', 'GET',
                  '/demo-bucket/a.txt');
is($rc, 0, 'sign --presign --endpoint exits 0');
like($out, qr{^https://oss\.example\.com/demo-bucket/a\.txt\?OSSAccessKeyId=},
     'sign --presign --endpoint: its scheme and host');

($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--presign',
                  '600', '--path-only', 'GET', '/demo-bucket/a.txt');
is($rc, 0, 'sign --presign --path-only exits 0');
like($out, qr{^/demo-bucket/a\.txt\?OSSAccessKeyId=STS\.\w+&Expires=\d+&Signature=},
     'sign --presign --path-only: the request target alone');

($rc, $out) = run($stsctl, 'sign', '--credentials', $credfile, '--presign',
                  '600', '--endpoint', 'ftp://x', 'GET', '/demo-bucket/a.txt');
is($rc, 2, 'sign --endpoint that is not http(s): usage error');

# tools/oss-curl against a stand-in for the gateway (forked here): the
# body on stdout, a 403 an exit status other than 0 with the status on
# stderr and the OSS error document still on stdout
{
    require IO::Socket::INET;
    my $srv = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1',
                                    LocalPort => 0, Proto => 'tcp',
                                    ReuseAddr => 1) or die "listen: $!";
    my $port = $srv->sockport;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        while (my $cl = $srv->accept) {
            my $line = <$cl> // '';
            my ($len, $auth) = (0, 0);
            while (my $h = <$cl>) {
                last if $h =~ /^\r?\n\z/;
                $len = $1 if $h =~ /^content-length:\s*(\d+)/i;
                $auth = 1 if $h =~ /^authorization: OSS STS\./i;
            }
            read($cl, my $ignored, $len) if $len;
            my ($st, $body) = !$auth ? (400, "no signature\n")
                            : $line =~ m{^\S+ /demo-bucket/}
                            ? (200, $line =~ /^PUT/ ? '' : "hello\n")
                            : (403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                    . "<Error>\n  <Code>AccessDenied</Code>\n"
                                    . "</Error>\n");
            print $cl "HTTP/1.1 $st X\r\nContent-Length: " . length($body)
                      . "\r\nConnection: close\r\n\r\n$body";
            close $cl;
        }
        exit 0;
    }
    close $srv;

    my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";
    my $oss_curl = sub {
        local $ENV{STS_PORT} = $port;
        local $ENV{STS_CREDENTIALS} = $credfile;
        local $ENV{STSCTL} = $stsctl;
        my $cmd = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" }
                  ('sh', 'tools/oss-curl', @_);
        system("$cmd >$tmp/oss-curl.out 2>$tmp/oss-curl.err");
        my $rc = $? >> 8;
        local $/;
        open my $o, '<', "$tmp/oss-curl.out" or die;
        open my $e, '<', "$tmp/oss-curl.err" or die;
        return ($rc, scalar <$o>, scalar <$e>);
    };

    my ($orc, $oout, $oerr) = $oss_curl->('GET', '/demo-bucket/a.txt');
    is($orc, 0, 'oss-curl: a 200 exits 0');
    is($oout, "hello\n", 'oss-curl: prints the body');

    ($orc, $oout, $oerr) = $oss_curl->('PUT', '/demo-bucket/a.txt',
                                       '--data-binary', 'x');
    is($orc, 0, 'oss-curl: a PUT answered 200 exits 0');

    ($orc, $oout, $oerr) = $oss_curl->('GET', '/other-bucket/a.txt');
    isnt($orc, 0, 'oss-curl: a 403 exits non-zero');
    like($oout, qr{<Code>AccessDenied</Code>},
         'oss-curl: a 403 still prints the OSS error document');
    like($oerr, qr/\b403\b/, 'oss-curl: and the status on stderr');

    kill 'TERM', $pid;
    waitpid $pid, 0;
    unlink "$tmp/oss-curl.out", "$tmp/oss-curl.err";
}

unlink $credfile;
