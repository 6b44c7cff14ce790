# A corpus of malformed and hostile requests, generated here: broken and
# oversize Authorization headers, tokens cut, flipped, re-encoded, from an
# unknown key or sealed with claims no issuer writes (wrong version, huge
# and deeply nested policies), absurd dates, duplicate credentials,
# conflicting Host forms, NUL and control bytes, non-UTF-8 keys, unsafe
# paths, broken presigned URLs and V4 scopes, hostile DeleteMultipleObjects
# XML, ProcessObject and PostObject bodies, requests nginx itself refuses,
# and malformed STS API calls (deep and oversize session policies).
#
# Every one must get a 4xx whose error document carries an OSS code (or,
# from the STS endpoint, an STS code) the module defines: never a 5xx,
# never an allow, never a worker crash, never an [alert], and never a
# token or secret in the error log at the levels a production log keeps.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

use Digest::SHA qw(hmac_sha1);
use MIME::Base64 qw(encode_base64);
use POSIX ();

repeat_each(1);
no_shuffle();
no_root_location();
master_on();
workers(1);

my $root = "$ENV{TEST_NGINX_STS_DATA}/../..";
my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

# ---------------------------------------------------------------------
# the codes the module defines: an answer must carry one of them

our %Known;
for my $f ("$root/src/core/sts_error.c", "$root/src/core/sts_pop.c",
           "$root/src/ngx_http_sts_errdoc.c")
{
    open my $fh, '<', $f or die "$f: $!\n";
    local $/;
    my $src = <$fh>;
    $Known{$2} = 1 while $src =~ /\b([45]\d\d),\s*"([A-Z][A-Za-z]*(?:\.[A-Za-z]+)*)"/g;
}
die "no error codes found in the sources\n" unless $Known{AccessDenied};

# ---------------------------------------------------------------------
# credentials

our $c = sts_issue();                               # read-write demo-bucket
our $c2 = sts_issue();
our $unknown = sts_issue(keys => 'other');          # key not in the ring
our $expired = sts_issue(issued_at => time - 7200, duration => 900);
our $ro = sts_issue(role_policy => ['read-only']);

my @tokens = ($c, $c2, $unknown, $expired, $ro);

sub hset {
    my ($h, $name, $value) = @_;
    $h =~ s/^\Q$name\E:.*\n//mi;
    return $h . "$name: $value\n";
}

sub hdrop {
    my ($h, $name) = @_;
    $h =~ s/^\Q$name\E:.*\n//mgi;
    return $h;
}

sub hget {
    my ($h, $name) = @_;
    return $h =~ /^\Q$name\E: (.*)$/mi ? $1 : '';
}

# one character replaced so that the bits it carries change
sub flip {
    my ($s, $pos) = @_;
    my $ch = substr $s, $pos, 1;
    substr($s, $pos, 1) = $ch eq 'A' ? 'Q' : 'A';
    return $s;
}

# signed when stsctl agrees to sign it (it refuses keys it would not
# send), else the credentials of a plain GET
sub tsign {
    my $h = eval { sts_sign(@_) };
    return $h // $::H;
}

sub url {
    my ($cred, $method, $path, @args) = @_;
    my $u = sts_sign($cred, $method, $path, @args);
    chomp $u;
    return $u;
}

my $get = '/demo-bucket/a.txt';
our $H = sts_sign($c, 'GET', $get);
our $H4 = sts_sign($c, 'GET', $get, '--v4', '--region', 'cn-hangzhou');
my $auth = hget($H, 'Authorization');
my ($akid, $sig) = $auth =~ /^OSS ([^:]+):(.+)$/;
my $tok = $c->{token};

# a case: [name, request, headers, expected code or undef]
our (%Group, @Order);

sub add {
    my ($group, $name, $req, $hdr, $code) = @_;
    push @Order, $group unless $Group{$group};
    push @{ $Group{$group} }, [$name, $req, $hdr // '', $code];
}

# ---------------------------------------------------------------------
# 1. Authorization header

for my $v ('', 'OSS', 'OSS ', 'OSS :', 'OSS a', "OSS $akid", "OSS $akid:",
           "OSS :$sig", "oss $akid:$sig", "AWS $akid:$sig",
           "OSS  $akid:$sig", "OSS $akid:$sig:x", "OSS ${akid}::$sig",
           "OSS\t$akid:$sig", 'Basic dXNlcjpwYXNz',
           'Bearer abc', 'OSS4-HMAC-SHA256', 'OSS4-HMAC-SHA256 ',
           'OSS4-HMAC-SHA256 Credential=', 'OSS4-HMAC-SHA256 Signature=00',
           'OSS ' . ('A' x 6000), "OSS $akid:" . ('=' x 28),
           "OSS \xff\xfe:$sig", "OSS $akid:\xc3\x28", "OSS STS.\xe2\x80\x8b:$sig",
           "OSS $akid:" . ('A' x 4000), "OSS " . ('STS.' x 1000) . ":$sig",
           "OSS LTAI5tNotAnSTSKey:$sig", "OSS STS.:$sig")
{
    (my $show = substr($v, 0, 48)) =~ s/([^\x21-\x7e])/sprintf('\\x%02x', ord $1)/ge;
    add('authorization', "Authorization \"$show\" (" . length($v) . " bytes)",
        "GET $get", hset($H, 'Authorization', $v));
}

for (my $n = 1; $n < length $auth; $n += 3) {
    add('authorization', "authorization cut at $n", "GET $get",
        hset($H, 'Authorization', substr($auth, 0, $n)));
}

for my $pos (0 .. length($sig) - 2) {
    add('signature', "V1 signature flipped at $pos", "GET $get",
        hset($H, 'Authorization', "OSS $akid:" . flip($sig, $pos)),
        'SignatureDoesNotMatch');
}

my $auth4 = hget($H4, 'Authorization');
my ($sig4) = $auth4 =~ /Signature=([0-9a-f]+)/;
sub hexflip {
    my ($s, $pos) = @_;
    my $ch = substr $s, $pos, 1;
    substr($s, $pos, 1) = $ch eq '0' ? '1' : '0';
    return $s;
}

for my $pos (0, 1, 31, 32, 62, 63) {
    (my $a = $auth4) =~ s/Signature=\K$sig4/hexflip($sig4, $pos)/e;
    add('signature', "V4 signature flipped at $pos", "GET $get",
        hset($H4, 'Authorization', $a), 'SignatureDoesNotMatch');
}

# ---------------------------------------------------------------------
# 2. the SecurityToken

my $tl = length $tok;
for my $n (0, 1, 4, 5, 6, 8, 10, 20, 40, 64, int($tl / 2), $tl - 22,
           $tl - 2, $tl - 1)
{
    add('token', "token cut to $n", "GET $get",
        hset($H, 'x-oss-security-token', substr($tok, 0, $n)));
}

for my $pos (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 30,
             int($tl / 2), $tl - 30, $tl - 22, $tl - 16, $tl - 8, $tl - 3)
{
    add('token', "token flipped at $pos", "GET $get",
        hset($H, 'x-oss-security-token', flip($tok, $pos)),
        $pos >= 5 ? 'InvalidSecurityToken' : undef);
}

for my $bad ('+', '/', '=', '!', ' ', '.', '%', '%41', "\x80", "\xff",
             "\xc3\xa9", "\t", '\\')
{
    my $t = $tok;
    substr($t, int($tl / 2), 1) = $bad;
    add('token', sprintf('token with %vd in it', $bad), "GET $get",
        hset($H, 'x-oss-security-token', $t));
}

for my $prefix ('STS2.', 'STS1', 'sts1.', 'STS1..', 'STS0.', '', 'STS1.=',
                'STS1.STS1.')
{
    (my $t = $tok) =~ s/^STS1\./$prefix/;
    add('token', "token prefix \"$prefix\"", "GET $get",
        hset($H, 'x-oss-security-token', $t));
}

add('token', 'token of an unknown keyring', "GET $get",
    sts_sign($unknown, 'GET', $get), 'InvalidSecurityToken');
add('token', 'token of other credentials', "GET $get",
    hset($H, 'x-oss-security-token', $c2->{token}),
    'AccessKeyIdAndSecurityTokenNotMatch');
add('token', 'token twice in one value', "GET $get",
    hset($H, 'x-oss-security-token', $tok . $tok));
add('token', 'token of 7000 bytes', "GET $get",
    hset($H, 'x-oss-security-token', 'STS1.' . ('A' x 7000)));
add('token', 'token of 9000 bytes', "GET $get",
    hset($H, 'x-oss-security-token', 'STS1.' . ('A' x 9000)));
add('token', 'token empty', "GET $get",
    hset($H, 'x-oss-security-token', ''));
add('token', 'no token', "GET $get", hdrop($H, 'x-oss-security-token'),
    'InvalidSecurityToken');
add('token', 'expired token', "GET $get", sts_sign($expired, 'GET', $get),
    'SecurityTokenExpired');

# tokens sealed with the test key but claims no issuer writes (needs
# Python's "cryptography": Debian's python3-cryptography)
my $py = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
my $reseal = <<'_PY_';
import base64, json, os, sys, zlib
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
kid, b64 = open(sys.argv[1]).read().split()[:2]
key, tok, mode = base64.b64decode(b64), sys.argv[2], sys.argv[3]
raw = base64.urlsafe_b64decode(tok[5:] + '=' * (-len(tok[5:]) % 4))
kl = raw[0]
aad = b'STS1' + raw[:1 + kl]
pt = AESGCM(key).decrypt(raw[1 + kl:13 + kl], raw[13 + kl:], aad)
claims = zlib.decompress(pt[1:], -15) if pt[0] == 1 else pt[1:]
c = json.loads(claims)
deep = {"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": "oss:GetObject", "Resource": "*", "Condition":
        {"StringEquals": {"k": [[[[[[[[["x"]]]]]]]]]}}}]}
big = {"Version": "1", "Statement": [{"Effect": "Allow",
       "Action": "oss:GetObject", "Resource": ["acs:oss:*:*:b/%05d" % i
       for i in range(300)]}]}
flag, body = 0, None
if mode == 'v2': c['v'] = 2
elif mode == 'v0': c['v'] = 0
elif mode == 'vstr': c['v'] = "1"
elif mode == 'no-secret': del c['sk']
elif mode == 'empty-secret': c['sk'] = ''
elif mode == 'not-sts': c['ak'] = 'LTAI' + c['ak'][4:]
elif mode == 'exp-before-iat': c['exp'] = c['iat'] - 1
elif mode == 'exp-huge': c['exp'] = 2 ** 62
elif mode == 'iat-string': c['iat'] = str(c['iat'])
elif mode == 'rp-object': c['rp'] = {}
elif mode == 'rp-65': c['rp'] = [c['rp'][0]] * 65
elif mode == 'rp-garbage': c['rp'] = [1, "x", None]
elif mode == 'sp-deep': c['sp'] = deep
elif mode == 'sp-big': c['sp'] = big
elif mode == 'sp-string': c['sp'] = "policy"
elif mode == 'not-json': body = b'{"v":1,'
elif mode == 'array': body = b'[1,2,3]'
elif mode == 'nul': body = json.dumps(c).encode()[:-1] + b'\x00}'
elif mode == 'bad-deflate': flag, body = 1, b'\xff\xff\xff\xff'
elif mode == 'bad-flag': flag = 7
elif mode == 'empty': flag, body = None, b''
if body is None: body = json.dumps(c, separators=(',', ':')).encode()
plain = (b'' if flag is None else bytes([flag])) + body
nonce = os.urandom(12)
ct = AESGCM(key).encrypt(nonce, plain, aad)
print('STS1.' + base64.urlsafe_b64encode(raw[:1 + kl] + nonce + ct)
      .rstrip(b'=').decode())
_PY_

my $reseal_py = "$tmp/110-$$-reseal.py";
open my $pyfh, '>', $reseal_py or die "$reseal_py: $!\n";
print $pyfh $reseal;
close $pyfh;
add_cleanup_handler(sub { unlink $reseal_py });

if (system("$py -c 'import cryptography' 2>/dev/null") == 0) {
    for my $mode (qw(v2 v0 vstr no-secret empty-secret not-sts
                     exp-before-iat iat-string rp-object rp-65
                     rp-garbage sp-deep sp-big sp-string not-json array
                     bad-deflate bad-flag empty))
    {
        open my $out, '-|', $py, $reseal_py, $ENV{TEST_NGINX_STS_KEYS},
                            $tok, $mode
            or die "$py: $!\n";
        my $t = <$out> // '';
        close $out;
        die "resealing ($mode) failed\n" if $? != 0 || $t !~ /^STS1\./;
        chomp $t;
        my $forged = { %$c, token => $t };
        add('token', "token sealed with claims \"$mode\"", "GET $get",
            sts_sign($forged, 'GET', $get),
            $mode =~ /^(?:exp-before-iat|rp-65|sp-big)$/
            ? undef : 'InvalidSecurityToken');
    }
} else {
    diag("python3-cryptography missing: no resealed tokens");
}

# ---------------------------------------------------------------------
# 3. dates

my $now = time;
for my $d ('', 'x', 'Thu, 31 Feb 2024 12:00:00 GMT',
           'Mon, 01 Jan 0000 00:00:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT',
           'Thu, 01 Jan 1970 00:00:00 GMT', '-1', '0',
           '99999999999999999999', 'Thu, 26 Nov 2026 13:49:51 UTC',
           'Thursday, 26-Nov-26 13:49:51 GMT', 'Thu Nov 26 13:49:51 2026',
           '2026-11-26T13:49:51Z', 'Thu, 26 Nov 2026 25:61:61 GMT',
           "Thu, 26 N\xc3\xb6v 2026 13:49:51 GMT", 'A' x 2000,
           POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime($now - 1000)),
           POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime($now + 1000)),
           POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT',
                           gmtime($now + 100 * 365 * 86400)),
           POSIX::strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime($now))
           . ' extra')
{
    add('dates', 'Date "' . substr($d, 0, 40) . '"', "GET $get",
        hset($H, 'Date', $d));
}

for my $t ($now - 3600, $now + 3600, 0, 1, 253402300799, 2147483648) {
    add('dates', "signed with Date $t", "GET $get",
        sts_sign($c, 'GET', $get, '--date', $t), 'RequestTimeTooSkewed');
}

for my $d ('', '20261126', '20261126T999999Z', '99991231T235959Z',
           '00000101T000000Z', '19700101T000000Z', '2026-11-26T13:49:51Z',
           "\x00", 'x' x 300)
{
    add('dates', "x-oss-date \"" . substr($d, 0, 20) . '"', "GET $get",
        hset($H4, 'x-oss-date', $d));
}

add('dates', 'no Date', "GET $get", hdrop($H, 'Date'), 'AccessDenied');
add('dates', 'no x-oss-date (V4)', "GET $get", hdrop($H4, 'x-oss-date'));

# ---------------------------------------------------------------------
# 4. duplicate credentials, conflicting Host forms

add('duplicates', 'two Authorization headers, the same', "GET $get",
    $H . "Authorization: $auth\n");
add('duplicates', 'two Authorization headers, one forged', "GET $get",
    $H . "Authorization: OSS $akid:" . flip($sig, 3) . "\n");
add('duplicates', 'Authorization V1 and V4', "GET $get",
    $H . "Authorization: " . hget($H4, 'Authorization') . "\n"
    . "x-oss-date: " . hget($H4, 'x-oss-date') . "\n");
add('duplicates', 'two tokens, different', "GET $get",
    $H . "x-oss-security-token: $c2->{token}\n");
add('duplicates', 'two tokens, the same', "GET $get",
    $H . "x-oss-security-token: $tok\n");
add('duplicates', 'two Date headers', "GET $get",
    $H . "Date: Thu, 01 Jan 1970 00:00:00 GMT\n");
add('duplicates', 'two x-oss-date headers', "GET $get",
    $H4 . "x-oss-date: 19700101T000000Z\n");
my $p = url($c, 'GET', $get, '--presign', 600);
add('duplicates', 'Authorization and a presigned URL', "GET $p", $H);
add('duplicates', 'presigned URL with its Signature twice',
    "GET $p&Signature=x", '');
add('duplicates', 'presigned URL with OSSAccessKeyId twice',
    "GET $p&OSSAccessKeyId=$akid", '');
add('duplicates', 'presigned URL with a token in the header too',
    "GET $p", "x-oss-security-token: $c2->{token}\n");
my $p4 = url($c, 'GET', $get, '--presign', 600, '--v4', '--region',
             'cn-hangzhou');
add('duplicates', 'V1 and V4 presigned at once',
    "GET $p&" . (split /\?/, $p4)[1], '');
add('duplicates', 'V4 presigned with Authorization', "GET $p4", $H4);

# Host forms nginx refuses, with valid credentials
for my $host ("localhost\nHost: evil.example", '', 'a b', "local\x00host",
              'localhost/x', '..', 'a..b', "local\\host")
{
    add('duplicates', 'Host "' . substr($host, 0, 24) . '"', "GET $get",
        "Host: $host\n" . $H);
}

# virtual-host addressing: the bucket is in the Host; a request signed
# for one bucket and sent to another, or naming two, is refused
my $vh = 'demo-bucket.oss.example.com';
my $HV = sts_sign($c, 'GET', '/a.txt', '--host', $vh, '--bucket',
                  'demo-bucket');
for my $case (['Host of another bucket', 'GET /a.txt',
               'other-bucket.oss.example.com'],
              ['Host outside the domain', 'GET /a.txt', 'evil.example'],
              ['Host of an invalid bucket', 'GET /a.txt',
               'Bad_Bucket.oss.example.com'],
              ['Host of the bare domain', 'GET /a.txt', 'oss.example.com'],
              ['Host with two bucket labels', 'GET /a.txt',
               'x.demo-bucket.oss.example.com'])
{
    my ($name, $req, $host) = @$case;
    add('duplicates', "virtual host: $name", $req, "Host: $host\n" . $HV);
}

# an absolute request target naming another host than the Host header:
# nginx would pick the server by the one, the gateway the bucket by the
# other
add('duplicates', 'absolute target of another bucket',
    'GET http://other-bucket.oss.example.com/a.txt', "Host: $vh\n" . $HV,
    'InvalidArgument');
add('duplicates', 'absolute target of another host',
    'GET http://evil.example/a.txt', "Host: $vh\n" . $HV, 'InvalidArgument');
add('duplicates', 'absolute target of a longer host',
    "GET http://$vh.evil.example/a.txt", "Host: $vh\n" . $HV,
    'InvalidArgument');

# ---------------------------------------------------------------------
# 5. paths and object keys

for my $path ('/demo-bucket/../a.txt', '/demo-bucket/%2e%2e/a.txt',
              '/demo-bucket/a/./b', '/demo-bucket/a/%2E/b',
              '/demo-bucket/a//b', '/demo-bucket/%2F/a',
              '/demo-bucket/a%00b', '/demo-bucket/%ff',
              '/demo-bucket/%c0%af', '/demo-bucket/%ed%a0%80',
              '/demo-bucket/%f8%88%80%80%80', '/demo-bucket/%c3%28',
              "/demo-bucket/\xff\xfe", "/demo-bucket/\xc3\x28",
              '/demo-bucket/a%zz', '/demo-bucket/a%', '/demo-bucket/a%4',
              '/demo-bucket/%5c..%5cx', '/demo-bucket/..%5cx',
              '/demo-bucket/%5cx', '/demo-bucket/%0d%0ax',
              '/demo-bucket/a%09b', '/demo-bucket/a%7fb',
              '/demo-bucket/' . ('k' x 1100), '/demo-bucket/' . ('%ff' x 10),
              '/DEMO-BUCKET/a.txt', '/de/a.txt', '/demo_bucket/a.txt',
              '/-demo/a.txt', '/' . ('b' x 64) . '/a.txt',
              '/demo-bucket./a.txt', '//demo-bucket/a.txt',
              '/../demo-bucket/a.txt',
              '/demo-bucket/.', '/demo-bucket/..', '/demo-bucket/a/..',
              '/demo-bucket/a/../../other-bucket/x', "/demo-bucket/a\x01b")
{
    add('paths', "path " . substr($path, 0, 40), "GET $path",
        tsign($c, 'GET', '/demo-bucket/a.txt'));
}

# signed for what they name: refused by the key rules or the policy
for my $path ('/other-bucket/a.txt', '/demo-bucket/a%2F..%2Fb',
              '/demo-bucket/a/%2e%2e/b')
{
    add('paths', "signed $path", "GET $path", tsign($c, 'GET', $path));
}

for my $src ('/demo-bucket/%ff', '/demo-bucket/../x', '', 'nobucket',
             '/demo-bucket/', '/Bad_Bucket/x', '/demo-bucket/a%00',
             '/other-bucket/secret.txt', '/demo-bucket/' . ('x' x 1100),
             "/demo-bucket/\xff")
{
    add('paths', 'copy source "' . substr($src, 0, 30) . '"',
        "PUT /demo-bucket/copy.txt",
        tsign($c, 'PUT', '/demo-bucket/copy.txt', '--header',
                 "x-oss-copy-source:$src"));
}

for my $target ('%ff', '../x', '', 'a//b', '/abs', "a\x01b") {
    add('paths', "symlink target \"$target\"",
        "PUT /demo-bucket/link?symlink",
        tsign($c, 'PUT', '/demo-bucket/link?symlink', '--header',
                 "x-oss-symlink-target:$target"));
}

add('paths', 'copy source on a GET', "GET $get",
    tsign($c, 'GET', $get, '--header', 'x-oss-copy-source:/demo-bucket/b'));
add('paths', 'two copy sources', "PUT /demo-bucket/copy.txt",
    tsign($c, 'PUT', '/demo-bucket/copy.txt', '--header',
             'x-oss-copy-source:/demo-bucket/b')
    . "x-oss-copy-source: /other-bucket/secret\n");

# ---------------------------------------------------------------------
# 6. query strings and presigned URLs

my $qbase = sts_sign($c, 'GET', $get);
for my $q ('acl&acl', '%zz', '=v', 'a=%', 'a=%4', 'foo', 'uploads&foo',
           'x-oss-process=style/x', 'x-oss-process=video/convert',
           'x-oss-process=image/watermark,image_!!!',
           'x-oss-process=image/watermark,image_' . ('A' x 100),
           'x-oss-process=image/resize,w_100/sys/saveas,o_%ff',
           'versionId=v1&versionId=v2', 'a%00=1',
           join('&', map { "a$_" } 1 .. 1001), 'response-content-type=%0d%0a',
           "\xff=1", 'acl=&tagging=', 'a' x 7000)
{
    add('query', 'query "' . substr($q, 0, 30) . '"', "GET $get?$q",
        $qbase);
}

my ($pq) = $p =~ /\?(.*)$/;
my %pp = map { split /=/, $_, 2 } split /&/, $pq;
for my $mut (['Expires', 'abc'], ['Expires', '-1'],
             ['Expires', '99999999999999999999'], ['Expires', $now - 10],
             ['Expires', ''], ['Signature', ''],
             ['Signature', flip($pp{Signature}, 2)],
             ['security-token', ''], ['security-token', flip($tok, 20)],
             ['OSSAccessKeyId', ''], ['OSSAccessKeyId', 'STS.x'],
             ['OSSAccessKeyId', $c2->{id}])
{
    my ($k, $v) = @$mut;
    (my $u = $p) =~ s/([?&]\Q$k\E=)[^&]*/$1$v/;
    add('query', "presign $k=\"" . substr($v, 0, 20) . '"', "GET $u", '');
}
for my $k ('Expires', 'Signature', 'security-token', 'OSSAccessKeyId') {
    (my $u = $p) =~ s/([?&])\Q$k\E=[^&]*&?/$1/;
    add('query', "presign without $k", "GET $u", '');
}

my ($p4q) = $p4 =~ /\?(.*)$/;
for my $mut (['x-oss-expires', '0'], ['x-oss-expires', '604801'],
             ['x-oss-expires', '-1'], ['x-oss-expires', 'abc'],
             ['x-oss-date', '20261126'], ['x-oss-date', '99991231T235959Z'],
             ['x-oss-credential', 'a%2Fb%2Fc'],
             ['x-oss-credential', "$akid%2F20240101%2Fcn-hangzhou%2Foss%2Faliyun_v4_request"],
             ['x-oss-credential', "$akid%2F20261126%2Fcn-hangzhou%2Fs3%2Faws4_request"],
             ['x-oss-signature-version', 'OSS4-HMAC-SHA1'],
             ['x-oss-signature', 'zz'], ['x-oss-signature', 'A' x 64],
             ['x-oss-additional-headers', 'Host'],
             ['x-oss-additional-headers', 'host%3Bhost'],
             ['x-oss-security-token', 'STS1.AAAA'])
{
    my ($k, $v) = @$mut;
    my $u = $p4;
    $u =~ s/([?&]\Q$k\E=)[^&]*/$1$v/ or $u .= "&$k=$v";
    add('query', "V4 presign $k=\"" . substr($v, 0, 20) . '"', "GET $u", '');
}

# ---------------------------------------------------------------------
# 7. the V4 Authorization header

my ($cred4) = $auth4 =~ /Credential=([^,]+)/;
my @cp = split m{/}, $cred4;
for my $a ("OSS4-HMAC-SHA256 Credential=$cp[0]/$cp[1]/$cp[2]/$cp[3],Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cp[0]/$cp[1]/$cp[2]/s3/$cp[4],Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cp[0]/$cp[1]/$cp[2]/$cp[3]/aws4_request,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cp[0]/20200101/$cp[2]/$cp[3]/$cp[4],Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cp[0]/$cp[1]//$cp[3]/$cp[4],Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=/$cp[1]/$cp[2]/$cp[3]/$cp[4],Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,AdditionalHeaders=Host,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,AdditionalHeaders=host;host,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,AdditionalHeaders=zzz;aaa,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,AdditionalHeaders=authorization,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,AdditionalHeaders=;,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=" . ('z' x 64),
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=" . substr($sig4, 1),
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=${sig4}0",
           "OSS4-HMAC-SHA256 Credential=$cred4 Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=$sig4,Extra=1",
           "OSS4-HMAC-SHA256 Credential=$cred4,Credential=$cred4,Signature=$sig4",
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=$sig4,Signature=$sig4",
           "OSS4-HMAC-SHA1 Credential=$cred4,Signature=$sig4",
           "OSS4-HMAC-SHA256  Credential=$cred4,Signature=$sig4\x00",
           "OSS4-HMAC-SHA256 Credential=$cred4,Signature=$sig4," . ('x' x 5000))
{
    add('v4', 'V4 "' . substr($a, 17, 40) . '"', "GET $get",
        hset($H4, 'Authorization', $a));
}

add('v4', 'V4 for region "xx" at a gateway of cn-hangzhou',
    "GET /hz/a.txt",
    sts_sign($c, 'GET', '/hz/a.txt', '--bucket', 'demo-bucket', '--v4',
             '--region', 'xx'));

# ---------------------------------------------------------------------
# 8. request bodies: DeleteMultipleObjects, ProcessObject, PostObject

sub delete_case {
    my ($name, $body, %o) = @_;
    my @args = ('--content-type', 'application/xml');
    push @args, '--content-md5', $o{md5} // sts_content_md5($body);
    add('bodies', "delete: $name", "POST /demo-bucket/?delete\n$body",
        sts_sign($c, 'POST', '/demo-bucket/?delete', @args));
}

my $x = '<?xml version="1.0" encoding="UTF-8"?>';
my $obj = '<Object><Key>a.txt</Key></Object>';
delete_case('DOCTYPE', "$x<!DOCTYPE d [<!ENTITY e \"x\">]><Delete>$obj</Delete>");
delete_case('billion laughs', "$x<!DOCTYPE l [<!ENTITY a \"aaaa\">"
            . join('', map { "<!ENTITY a$_ \"" . ('&a' . ($_ - 1 || '') . ';') x 10 . '">' } 1 .. 9)
            . "]><Delete><Object><Key>&a9;</Key></Object></Delete>");
delete_case('external entity', "$x<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Delete><Object><Key>&e;</Key></Object></Delete>");
delete_case('comment', "<Delete><!-- c -->$obj</Delete>");
delete_case('CDATA key', '<Delete><Object><Key><![CDATA[a.txt]]></Key></Object></Delete>');
delete_case('processing instruction', "<Delete><?pi x?>$obj</Delete>");
delete_case('deep nesting', '<Delete>' . ('<Object>' x 10000) . ('</Object>' x 10000) . '</Delete>');
delete_case('1001 keys', '<Delete>' . join('', map { "<Object><Key>k$_</Key></Object>" } 1 .. 1001) . '</Delete>');
delete_case('no keys', '<Delete></Delete>');
delete_case('unknown element', "<Delete><Evil/>$obj</Delete>");
delete_case('no end tag', "<Delete>$obj");
delete_case('empty body', '');
delete_case('not XML', 'hello');
delete_case('JSON', '{"Delete":[{"Key":"a.txt"}]}');
delete_case('namespace prefix', "<s:Delete xmlns:s=\"x\">$obj</s:Delete>");
delete_case('raw CR in a key', '<Delete><Object><Key>a' . "\r" . 'b</Key></Object></Delete>');
delete_case('key with dot segment', '<Delete><Object><Key>a/../b</Key></Object></Delete>');
delete_case('empty key', '<Delete><Object><Key></Key></Object></Delete>');
delete_case('key &#0;', '<Delete><Object><Key>a&#0;b</Key></Object></Delete>');
delete_case('key &#xD800;', '<Delete><Object><Key>a&#xD800;b</Key></Object></Delete>');
delete_case('key &#x110000;', '<Delete><Object><Key>&#x110000;</Key></Object></Delete>');
delete_case('key &bogus;', '<Delete><Object><Key>&bogus;</Key></Object></Delete>');
delete_case('key not UTF-8', "<Delete><Object><Key>a\xff\xfeb</Key></Object></Delete>");
delete_case('key overlong UTF-8', "<Delete><Object><Key>a\xc0\xafb</Key></Object></Delete>");
delete_case('key of 1100 bytes', '<Delete><Object><Key>' . ('k' x 1100) . '</Key></Object></Delete>');
delete_case('Quiet maybe', "<Delete><Quiet>maybe</Quiet>$obj</Delete>");
delete_case('bytes after the end', "<Delete>$obj</Delete>junk");
delete_case('two roots', "<Delete>$obj</Delete><Delete>$obj</Delete>");
delete_case('Content-MD5 of another body', "<Delete>$obj</Delete>",
            md5 => sts_content_md5('other'));
delete_case('Content-MD5 not base64', "<Delete>$obj</Delete>",
            md5 => '!!!!');
delete_case('attribute without quotes', "<Delete a=b>$obj</Delete>");
delete_case('unclosed attribute', "<Delete a=\"b>$obj</Delete>");

for my $b ('x-oss-process=style/x', 'x-oss-process=image/watermark,image_!!!',
           'x-oss-process=image/resize,w_10|sys/saveas,o_' . encode_base64("a/../b", ''),
           'x-oss-process=image/resize,w_10|sys/saveas,o_%ff',
           'x-oss-process=video/convert', 'x-oss-process=' . ('%' x 100),
           'x-oss-process=image/resize,w_10|sys/saveas,o_YQ,b_' . encode_base64('Bad_Bucket', ''),
           'nothing', 'x-oss-process=' . ('a' x 70000))
{
    add('bodies', 'process body "' . substr($b, 0, 30) . '"',
        "POST /demo-bucket/a.txt?x-oss-process\n$b",
        sts_sign($c, 'POST', '/demo-bucket/a.txt?x-oss-process',
                 '--content-type', 'application/x-www-form-urlencoded'));
}

sub post_case {
    my ($name, $ctype, $body) = @_;
    add('bodies', "form: $name", "POST /demo-bucket/\n$body",
        "Content-Type: $ctype\n");
}

my ($fct, $fbody) = sts_post_form($c);
my ($bnd) = $fct =~ /boundary=(.*)$/;
post_case('no boundary', 'multipart/form-data', $fbody);
post_case('another boundary', "multipart/form-data; boundary=zzz", $fbody);
post_case('boundary of 300 bytes', 'multipart/form-data; boundary=' . ('b' x 300), $fbody);
post_case('not multipart', 'application/json', '{}');
post_case('cut in half', $fct, substr($fbody, 0, length($fbody) / 2));
post_case('cut before the file', $fct, substr($fbody, 0, index($fbody, 'name="file"')));
post_case('empty', $fct, '');
post_case('field of 70000 bytes', $fct, "--$bnd\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" . ('k' x 70000) . "\r\n" . $fbody);
post_case('header line of 20000 bytes', $fct, "--$bnd\r\nContent-Disposition: form-data; name=\"" . ('n' x 20000) . "\"\r\n\r\nv\r\n" . $fbody);
for my $mut (['policy', 'not base64!'], ['policy', encode_base64('not json', '')],
             ['policy', encode_base64('[' x 100 . ']' x 100, '')],
             ['policy', encode_base64('{"expiration":"2099-01-01T00:00:00.000Z","conditions":' . ('[' x 50) . (']' x 50) . '}', '')],
             ['policy', encode_base64('{"expiration":"0000-01-01T00:00:00.000Z","conditions":[]}', '')],
             ['policy', encode_base64('{"expiration":"2099-01-01T00:00:00.000Z","conditions":[["content-length-range",-1,-5]]}', '')],
             ['policy', encode_base64('{"expiration":"2099-01-01T00:00:00.000Z","conditions":[' . join(',', ('{"bucket":"demo-bucket"}') x 5000) . ']}', '')],
             ['Signature', 'AAAA'], ['OSSAccessKeyId', 'STS.nobody'],
             ['x-oss-security-token', 'STS1.AAAA'], ['key', "a\xff\xfe"],
             ['key', '../x'], ['key', ''], ['key', '/abs'])
{
    my ($field, $value) = @$mut;
    (my $b = $fbody) =~ s/(name="\Q$field\E"\r\n\r\n)[^\r]*/$1$value/;
    post_case("$field \"" . substr($value, 0, 20) . '"', $fct, $b);
}
my ($two_ct, $two) = sts_post_form($c, fields => [file => 'x']);
post_case('two files', $two_ct, $two);
my ($nf_ct, $nf) = sts_post_form($c);
$nf =~ s/name="file"; filename="[^"]*"/name="nofile"/;
post_case('no file', $nf_ct, $nf);

# ---------------------------------------------------------------------
# 9. requests nginx itself refuses (answered through sts_error_document)

add('nginx', 'request line of 10000 bytes', 'GET /demo-bucket/' . ('a' x 10000), $H);
add('nginx', 'header of 10000 bytes', "GET $get", $H . 'x-oss-meta-big: ' . ('b' x 10000) . "\n");
add('nginx', 'headers of 40000 bytes', "GET $get",
    $H . join('', map { "x-oss-meta-h$_: " . ('v' x 4000) . "\n" } 1 .. 10));
add('nginx', 'Content-Length too large', "PUT /demo-bucket/a.txt",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "Content-Length: 99999999999\n");
add('nginx', 'Content-Length not a number', "PUT /demo-bucket/a.txt\nabc",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "Content-Length: abc\n");
add('nginx', 'Content-Length twice', "PUT /demo-bucket/a.txt\nabc",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "Content-Length: 3\nContent-Length: 4\n");
add('nginx', 'chunked and Content-Length', "PUT /demo-bucket/a.txt\n3\r\nabc\r\n0\r\n\r\n",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "Transfer-Encoding: chunked\nContent-Length: 3\n");
add('nginx', 'bad chunk size', "PUT /demo-bucket/a.txt\nzz\r\nabc\r\n0\r\n\r\n",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "Transfer-Encoding: chunked\n");
add('nginx', 'NUL in a header value', "GET $get", $H . "x-oss-meta-a: a\x00b\n");
add('nginx', 'NUL in the Authorization', "GET $get",
    hset($H, 'Authorization', "OSS $akid\x00:$sig"));
add('nginx', 'NUL in the path', "GET /demo-bucket/a\x00b", $H);
add('nginx', 'CR in a header value', "GET $get", $H . "x-oss-meta-a: a\rb\n");
add('nginx', 'header name with a space', "GET $get", $H . "Bad Name: v\n");
add('nginx', 'header name of one NUL', "GET $get", $H . "\x00: v\n");
add('nginx', 'control byte in the path', "GET /demo-bucket/a\x01b", $H);
add('nginx', 'lower-case method', "get $get", $H);
add('nginx', 'method with a control byte', "G\x01T $get", $H);
add('nginx', 'method of 5000 bytes', ('M' x 5000) . " $get", $H);
add('nginx', 'unknown method', "PROPFIND $get", $H);
add('nginx', 'TRACE', "TRACE $get", $H);
add('nginx', 'path without a slash', "GET demo-bucket/a.txt", $H);
add('nginx', 'absolute URI of another host', "GET http://evil.example/demo-bucket/a.txt", hdrop($H, 'Date'));
add('nginx', 'HTTP/1.9', "GET $get HTTP/1.9", hdrop($H, 'Authorization'));
add('nginx', 'HTTP/1.0 without Host', "GET $get HTTP/1.0", "Host: \n" . hdrop($H, 'Authorization'));
add('nginx', 'non-UTF-8 metadata value', "PUT /demo-bucket/a.txt\nx",
    sts_sign($c, 'PUT', '/demo-bucket/a.txt') . "x-oss-meta-a: \xff\xfe\n");

# ---------------------------------------------------------------------
# 10. the STS endpoint: POP-signed calls with hostile parameters

# the role of the test tokens is in the directory, with the policy its
# tokens carry (the gateway evaluates the directory's)
my $dir = <<'_EOD_';
{ "Accounts": [ { "AccountId": "1234567890123456",
    "Policies": [ { "PolicyName": "rw", "PolicyDocument": { "Version": "1",
      "Statement": [ { "Effect": "Allow",
        "Action": ["oss:GetObject", "oss:PutObject", "oss:DeleteObject",
                   "oss:ListObjects"],
        "Resource": ["acs:oss:*:*:demo-bucket",
                     "acs:oss:*:*:demo-bucket/*"] } ] } } ],
    "Users": [ { "UserName": "appserver",
      "AccessKeys": [ { "AccessKeyId": "LTAI5tBadInput0001",
                        "AccessKeySecret": "BadInputSecret0123456789ab" } ],
      "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] } ],
    "Roles": [ { "RoleName": "app",
      "AssumeRolePolicyDocument": { "Version": "1", "Statement": [
        { "Action": "sts:AssumeRole", "Effect": "Allow",
          "Principal": { "RAM": ["acs:ram::1234567890123456:root"] } } ] },
      "AttachedPolicies": ["rw"] } ] } ] }
_EOD_
open my $dfh, '>', "$tmp/directory-110.json" or die;
print $dfh $dir;
close $dfh;
chmod 0600, "$tmp/directory-110.json";
$ENV{TEST_NGINX_DIRECTORY_110} = "$tmp/directory-110.json";

sub pct {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    $s =~ s/([^A-Za-z0-9\-_.~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

my $nonce = 0;
sub pop_query {
    my (%o) = @_;
    my $secret = delete $o{-secret} // 'BadInputSecret0123456789ab';
    my %p = (Format => 'JSON', Version => '2015-04-01',
             AccessKeyId => 'LTAI5tBadInput0001',
             SignatureMethod => 'HMAC-SHA1', SignatureVersion => '1.0',
             SignatureNonce => "n110-$$-" . $nonce++,
             Timestamp => POSIX::strftime('%Y-%m-%dT%H:%M:%SZ', gmtime),
             Action => 'AssumeRole',
             RoleArn => 'acs:ram::1234567890123456:role/app',
             RoleSessionName => 'bad-input', %o);
    delete $p{$_} for grep { !defined $p{$_} } keys %p;
    my $canon = join '&', map { pct($_) . '=' . pct($p{$_}) } sort keys %p;
    my $sts = 'GET&' . pct('/') . '&' . pct($canon);
    $p{Signature} = encode_base64(hmac_sha1($sts, "$secret&"), '');
    return join '&', map { pct($_) . '=' . pct($p{$_}) } sort keys %p;
}

sub sts_case {
    my ($name, %o) = @_;
    my $code = delete $o{-code};
    add('sts', $name, 'GET /sts?' . pop_query(%o), '', $code);
}

my $nest = sub { my ($n) = @_; ('[' x $n) . '"x"' . (']' x $n) };
sts_case('Policy nested 20 deep',
    Policy => '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*","Condition":{"StringEquals":{"k":' . $nest->(20) . '}}}]}');
sts_case('Policy nested 2000 deep', Policy => $nest->(2000));
sts_case('Policy of 2049 bytes',
    Policy => '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Resource":"' . ('r' x 2000) . '"}]}',
    -code => 'InvalidParameter.PolicySize');
sts_case('Policy of 60000 bytes', Policy => '{"Version":"1","Statement":[]' . (' ' x 60000) . '}');
sts_case('Policy not JSON', Policy => '{"Version":',
         -code => 'InvalidParameter.PolicyGrammar');
sts_case('Policy not UTF-8', Policy => "{\"Version\":\"1\",\"Statement\":[{\"Sid\":\"\xff\xfe\"}]}");
sts_case('Policy with duplicate keys', Policy => '{"Version":"1","Version":"1","Statement":[]}');
sts_case('Policy with a NUL', Policy => "{\"Version\":\"1\x00\",\"Statement\":[]}");
sts_case('Policy with a huge number', Policy => '{"Version":1e999999,"Statement":[]}');
sts_case('Policy with an unknown operator', Policy => '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:*","Resource":"*","Condition":{"Evil":{"a":"b"}}}]}');
sts_case('Policy with 300 statements', Policy => '{"Version":"1","Statement":[' . join(',', ('{"Effect":"Allow","Action":"a","Resource":"r"}') x 300) . ']}');
for my $v ('x', '-1', '0', '899', '43201', '99999999999999999999', '1e3',
           '3600.5', ' 3600', '0x10')
{
    sts_case("DurationSeconds \"$v\"", DurationSeconds => $v);
}
for my $v ('', 'a', 'x' x 65, 'a b', "a\xffb", 'a/b', "a\x00b") {
    sts_case('RoleSessionName "' . substr($v, 0, 10) . '"',
             RoleSessionName => $v);
}
for my $v ('', 'x', 'acs:ram::1234567890123456:role/', 'acs:ram:::role/app',
           'acs:ram::1234567890123456:user/app',
           'acs:ram::1234567890123456:role/' . ('r' x 65),
           'acs:ram::1234567890123456:role/nope', "acs:ram::1:role/\xff")
{
    sts_case('RoleArn "' . substr($v, 0, 40) . '"', RoleArn => $v);
}
for my $v ('', 'x', '2015-04-01T00:00:00Z', '0000-01-01T00:00:00Z',
           '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z', '-1', 'x' x 500)
{
    sts_case("Timestamp \"" . substr($v, 0, 20) . '"', Timestamp => $v);
}
sts_case('Version 2099-01-01', Version => '2099-01-01', -code => 'InvalidVersion');
sts_case('SignatureMethod MD5', SignatureMethod => 'MD5', -code => 'InvalidSignatureMethod');
sts_case('Format YAML', Format => 'YAML');
sts_case('Action unknown', Action => 'DeleteEverything', -code => 'InvalidAction.NotFound');
sts_case('Action empty', Action => '');
sts_case('AccessKeyId unknown', AccessKeyId => 'LTAI5tNobody000001', -code => 'InvalidAccessKeyId.NotFound');
sts_case('AccessKeyId STS. without token', AccessKeyId => 'STS.nobody');
sts_case('STS caller with a broken token', AccessKeyId => $c->{id},
         SecurityToken => flip($tok, 30), -secret => $c->{secret});
sts_case('STS caller with an expired token', AccessKeyId => $expired->{id},
         SecurityToken => $expired->{token}, -secret => $expired->{secret},
         -code => 'InvalidSecurityToken.Expired');
sts_case('wrong secret', -secret => 'wrong', -code => 'SignatureDoesNotMatch');
sts_case('no RoleArn', RoleArn => undef, -code => 'MissingRoleArn');
sts_case('no SignatureNonce', SignatureNonce => undef);
sts_case('ExternalId of 2000 bytes', ExternalId => 'e' x 2000);
add('sts', 'unsigned', 'GET /sts?Action=AssumeRole', '');
add('sts', 'repeated parameter', 'GET /sts?' . pop_query() . '&Action=AssumeRole', '');
add('sts', 'bad escape', 'GET /sts?' . pop_query() . '&x=%zz', '');
add('sts', 'replayed nonce', 'GET /sts?' . pop_query(SignatureNonce => 'same-110', DurationSeconds => 1), '');
add('sts', 'replayed nonce, again', 'GET /sts?' . pop_query(SignatureNonce => 'same-110', DurationSeconds => 1), '');
add('sts', 'POST with a JSON body', "POST /sts\n{\"Action\":\"AssumeRole\"}", "Content-Type: application/json\n");
add('sts', 'POST form of 70000 bytes', "POST /sts\n" . ('a=b&' x 17500), "Content-Type: application/x-www-form-urlencoded\n");
add('sts', 'PUT', "PUT /sts\nx", '');
add('sts', 'query of 1001 parameters', 'GET /sts?' . join('&', map { "p$_=" } 1 .. 1001), '');

# ---------------------------------------------------------------------
# controls: the requests the corpus mutates are allowed as they are, so
# each refusal above comes from its mutation; and forms that are only
# other spellings of an allowed request reach the store as the target
# that was authorised

my $okdel = sts_delete_xml('a.txt', 'b c.txt');
our @Controls = (
    ["GET $get", $H, 'ALLOWED /demo-bucket/a.txt'],
    ["GET $get", $H4, 'ALLOWED /demo-bucket/a.txt'],
    ["GET $p", '', 'ALLOWED /demo-bucket/a.txt'],
    ["GET $p4", '', 'ALLOWED /demo-bucket/a.txt'],
    ['GET /a.txt', "Host: $vh\n" . $HV, 'ALLOWED /demo-bucket/a.txt'],
    ["POST /demo-bucket/?delete\n$okdel",
     sts_sign($c, 'POST', '/demo-bucket/?delete', '--content-md5',
              sts_content_md5($okdel), '--content-type', 'application/xml'),
     'ALLOWED /demo-bucket/?delete'],
    ["POST /demo-bucket/\n$fbody", "Content-Type: $fct\n",
     'ALLOWED /demo-bucket/'],
    ['GET /sts?' . pop_query(), '', qr/"AccessKeySecret"/],
    # an encoded bucket name or separator: decoded once, forwarded canonical
    ['GET /%64emo-bucket/a.txt', $H, 'ALLOWED /demo-bucket/a.txt'],
    ['GET /demo-bucket%2Fa.txt', $H, 'ALLOWED /demo-bucket/a.txt'],
    # an absolute request target naming the Host header's host (case and
    # port aside: they select no bucket) is that request
    ['GET http://demo-bucket.oss.example.com/a.txt', "Host: $vh\n" . $HV,
     'ALLOWED /demo-bucket/a.txt'],
    ['GET http://Demo-Bucket.OSS.example.com:8080/a.txt',
     "Host: $vh:8080\n" . $HV, 'ALLOWED /demo-bucket/a.txt'],
);

# ---------------------------------------------------------------------
# what no line of the error log may show

our @Secrets = map { qr{^(?!.*\[debug\]).*\Q$_\E} }
               map { ($_->{secret}, $_->{token}) } @tokens;
push @Secrets, qr{^(?!.*\[debug\]).*BadInputSecret0123456789ab};

# every answer: a code the module defines, for the case's name
add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry) = @_;
    return if $dry;
    my ($group) = $block->name =~ /group "([a-z0-9]+)"/ or return;
    my $case = $Group{$group}[$i];
    my $code;
    $code = $1 if defined $body
                  && ($body =~ m{<Code>([A-Za-z.]+)</Code>}
                      || $body =~ m{"Code"\s*:\s*"([A-Za-z.]+)"});
    ok(defined $code && ($Known{$code} || $code =~ /^Missing[A-Z]\w+$/),
       "$group: $case->[0] - answered with a known code ("
       . ($code // 'none') . ')')
        or diag("request: " . substr($case->[1], 0, 200) . "\nanswer: "
                . substr($body // '', 0, 200));
    if (defined $case->[3]) {
        is($code // '', $case->[3], "$group: $case->[0] - the expected code");
    }
});

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_DIRECTORY_110;

    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name .oss.example.com;
        error_page 400 404 405 408 413 414 494 500 502 503 504 /_oss_error;

        location / {
            sts_auth on;
            sts_addressing virtual-host oss.example.com;
            proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1$sts_backend_uri;
        }

        location = /_oss_error {
            internal;
            sts_error_document;
        }
    }

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 200 "ALLOWED $request_uri\n";
        }
    }
_EOC_

# a refused request whose body never comes (Content-Length too large):
# nginx waits lingering_timeout for it before closing, and the client
# reads until the close with a 3 s timeout
our $Config = <<'_EOC_';
    error_page 400 404 405 408 413 414 494 500 502 503 504 /_oss_error;
    lingering_timeout 1s;

    location / {
        sts_auth on;
        client_max_body_size 1m;
        sts_account 1234567890123456;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1$sts_backend_uri;
    }

    location /hz/ {
        sts_auth on;
        sts_addressing bucket demo-bucket;
        sts_region cn-hangzhou;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1$sts_backend_uri;
    }

    location = /sts {
        sts_endpoint;
    }

    location = /_oss_error {
        internal;
        sts_error_document;
    }
_EOC_

# one block per group, its requests and expectations from the lists
my $spec = <<'_EOB_';
=== TEST 1: controls: the unmutated requests are allowed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[map { $_->[0] } @::Controls]
--- more_headers eval
[map { $_->[1] } @::Controls]
--- error_code eval
[map { 200 } @::Controls]
--- response_body_like eval
[map { ref $_->[2] ? $_->[2] : qr/^\Q$_->[2]\E$/ } @::Controls]
--- no_error_log eval
["[error]", "[alert]", @::Secrets]



_EOB_
my $n = 1;
for my $group (@Order) {
    $n++;
    $spec .= <<"_EOB_";
=== TEST $n: group "$group": ${\ scalar @{ $Group{$group} }} requests
--- http_config eval: \$::HttpConfig
--- config eval: \$::Config
--- request eval
[map { \$_->[1] } \@{ \$::Group{'$group'} }]
--- more_headers eval
[map { \$_->[2] } \@{ \$::Group{'$group'} }]
--- error_code_like eval
[map { qr/^4\\d\\d\$/ } \@{ \$::Group{'$group'} }]
--- no_error_log eval
["[alert]", "[crit]", "exited on signal", \@::Secrets]



_EOB_
}

my $total = 0;
$total += @{ $Group{$_} } for @Order;
diag("$total malformed requests in " . scalar(@Order) . " groups");

Test::Base::spec_string($spec);
# the check above: a known code per answer, and the expected one where a
# case names it
sts_plan(per_response => sub {
    my ($block, $i) = @_;
    my ($group) = $block->name =~ /group "([a-z0-9]+)"/ or return 0;
    return defined $Group{$group}[$i][3] ? 2 : 1;
});
run_tests();
