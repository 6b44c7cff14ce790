# Explainable decisions: the policy layer, statement, Sid and missing
# condition keys of a denial, the redacted signature strings of a
# SignatureDoesNotMatch, in the audit log always and, with "sts_explain
# on", in the error document and x-sts-explain; the token's remaining
# lifetime in x-sts-token-expires-in; ServerTime for a skewed clock and
# Expiration for an expired token.  No token or secret ever appears in a
# body, a header (x-oss-err decoded too), the audit log or the error log.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use JSON::PP;
use MIME::Base64;
use HTTP::Date qw(str2time);

repeat_each(1);
no_shuffle();
no_root_location();

# role policies [0] explain-base and [1] explain-role, a session policy
our $c = sts_issue(role_policy => ['explain-base', 'explain-role'],
                   session_policy => 'explain-session',
                   session_name => 'explain-me');

# expired an hour ago
our $old = sts_issue(issued_at => time - 3600 - 900, duration => 900);
our $old_exp = time - 3600;

# with a RAM directory the role's policies are named: BaseRead, Drafts
sub slurp { local (@ARGV, $/) = @_; <> }
my $pdir = "$ENV{TEST_NGINX_STS_DATA}/policies";
my $base = slurp("$pdir/explain-base.json");
my $drafts = slurp("$pdir/explain-role.json");
our $Directory = <<"_EOD_";
{ "Accounts": [ { "AccountId": "1234567890123456",
  "Policies": [
    { "PolicyName": "BaseRead", "PolicyDocument": $base },
    { "PolicyName": "Drafts", "PolicyDocument": $drafts } ],
  "Users": [ { "UserName": "app",
    "AccessKeys": [ { "AccessKeyId": "LTAI5tExplainApp01",
                      "AccessKeySecret": "ExplainAppSecret0123456789abcd" } ],
    "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] } ],
  "Roles": [ { "RoleName": "app",
    "AssumeRolePolicyDocument": {"Version": "1", "Statement": [
      {"Action": "sts:AssumeRole", "Effect": "Allow",
       "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}]},
    "AttachedPolicies": ["BaseRead", "Drafts"] } ] } ] }
_EOD_
my $dfile = "$ENV{TEST_NGINX_STS_DATA}/../tmp/explain-directory.json";
open my $dfh, '>', $dfile or die "$dfile: $!";
print $dfh $Directory;
close $dfh;
chmod 0600, $dfile;
$ENV{TEST_NGINX_EXPLAIN_DIRECTORY} = $dfile;

our $named = do {
    my $json = StsTest::sts_stsctl('issue', '--keys',
                                   $ENV{TEST_NGINX_STS_KEYS},
                                   '--directory', $dfile,
                                   '--caller-key-id', 'LTAI5tExplainApp01',
                                   '--role-arn',
                                   'acs:ram::1234567890123456:role/app');
    my %k;
    ($k{id}) = $json =~ /"AccessKeyId": "([^"]+)"/;
    ($k{secret}) = $json =~ /"AccessKeySecret": "([^"]+)"/;
    ($k{token}) = $json =~ /"SecurityToken": "([^"]+)"/;
    die "unexpected issue output\n" unless $k{id} && $k{token};
    \%k;
};

# the RAM user's own long-term key: no token, nothing expires
our $longterm = { id => 'LTAI5tExplainApp01',
                  secret => 'ExplainAppSecret0123456789abcd' };

our @creds = ($c, $old, $named);

sub url { my $u = ::sts_sign(@_); chomp $u; $u }

# an OSS error document as it was before explanations existed
sub oss_error {
    my ($code, $msg, @extra) = @_;
    my $x = join '', map { "<$_->[0]>$_->[1]</$_->[0]>" } @extra;
    return qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n  <Code>\Q$code\E</Code>\n  <Message>\Q$msg\E</Message>\n  <RequestId>[0-9A-F]{24}</RequestId>\n  <HostId>localhost</HostId>\n$x</Error>\n?\z};
}

open my $fh, '<', "$ENV{TEST_NGINX_STS_DATA}/../../conf/audit-log.conf"
    or die "conf/audit-log.conf: $!";
our $AuditFormat = join '', grep { !/^\s*#/ } <$fh>;
close $fh;

# "sts_explain on" in a server of its own (on a unix socket), so that the
# client signs the same path for both; /explain/ reaches it
our $HttpConfig = "    sts_keys \$TEST_NGINX_STS_KEYS;\n" . $AuditFormat . <<'_EOC_';

    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/logs/explain.sock;
        server_name localhost;
        sts_region cn-hangzhou;
        sts_explain on;

        location / {
            sts_auth on;
            access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;
            proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
        }
    }
_EOC_

our $Config = <<'_EOC_';
    sts_region cn-hangzhou;

    location / {
        sts_auth on;
        access_log $TEST_NGINX_SERVER_ROOT/logs/audit.log sts_audit;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /explain/ {
        access_log off;
        proxy_set_header Host localhost;
        proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/logs/explain.sock:/;
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

# No token or secret in any response: the body (a hook, below), and the
# header lines, x-oss-err's base64 document included (a
# raw_response_headers_unlike added to every block here).  A block
# marked token_echoed expects a 403 that is OSS's own V1 StringToSign,
# which holds the client's token: its body is not checked.

# a regex for $s in the clear or inside base64 at any of the three
# alignments (only the groups made of $s's bytes alone)
sub in_base64 {
    my ($s) = @_;
    my @alt = (quotemeta $s);
    for my $k (0 .. 2) {
        my $groups = int(($k + length $s) / 3);
        my $b = substr encode_base64(("\0" x $k) . $s, ''), 0, 4 * $groups;
        $b = substr $b, 4 if $k;
        push @alt, quotemeta $b if length $b >= 16;
    }
    return join '|', @alt;
}

our $Leak = join '|', map { in_base64($_) }
                      map { ($_->{token}, $_->{secret}) } @creds;

for my $block (Test::Base::blocks()) {
    my $own = $block->raw_response_headers_unlike;
    my $re = defined $own ? "(?:$own)|$Leak" : $Leak;
    my $n = sts_responses($block);
    $block->set_value('raw_response_headers_unlike',
                      $n > 1 ? [($re) x $n] : $re);
}

sub body_checked {
    my ($block, $i) = @_;
    return !(defined $block->token_echoed
             && sts_expected_code($block, $i) eq '403');
}

add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry_run) = @_;
    return if $dry_run || !body_checked($block, $i);
    my @leaks = grep { index($body // '', $_) >= 0 }
                map { ($_->{token}, $_->{secret}) } @::creds;
    ok(!@leaks, $block->name . " - no token or secret in the body");
});

# the base64 of an error document: $before, a RequestId of 24 bytes,
# $after; a regex for the x-oss-err header line carrying it (with or
# without a final newline)
sub x_oss_err_re {
    my ($before, $after) = @_;
    my ($from, $to) = (length $before, length($before) + 24);
    my @alt;
    for my $doc ($before . ('0' x 24) . $after,
                 $before . ('0' x 24) . $after . "\n")
    {
        my $b = encode_base64($doc, '');
        my $re = '';
        for (my $g = 0; 4 * $g < length $b; $g++) {
            my $var = 3 * $g < $to && 3 * $g + 3 > $from;
            $re .= $var ? '[A-Za-z0-9+/]{4}' : quotemeta substr $b, 4 * $g, 4;
        }
        push @alt, $re;
    }
    return '(?m)^x-oss-err: (?:' . join('|', @alt) . ')\r?$';
}

# blocks with "server_time": ServerTime (and Expiration) hold real times
add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry_run) = @_;
    return if $dry_run || !defined $block->server_time;
    my ($st) = $body =~ m{<ServerTime>([^<]+)</ServerTime>};
    my $t = defined $st ? str2time($st) : undef;
    ok(defined $t && abs($t - time) < 60,
       $block->name . " - ServerTime is the gateway's time") or diag($body);
    if ($block->server_time =~ /expiration/) {
        my ($e) = $body =~ m{<Expiration>([^<]+)</Expiration>};
        my $et = defined $e ? str2time($e) : undef;
        ok(defined $et && abs($et - $::old_exp) < 5
           && $e =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
           $block->name . " - Expiration is when the token expired")
            or diag($body);
    }
});

# blocks with "audit_json": the audit log's last line (the previous
# request's decision) has these field=regex pairs
add_response_body_check(sub {
    my ($block, $body, $i, $rep, $dry_run) = @_;
    return if $dry_run || !defined $block->audit_json;
    my $last = ref $block->request ? $#{ $block->request } : 0;
    return unless $i == $last;
    my @lines = grep { length } split /\n/, $body;
    my $j = eval { decode_json($lines[-1]) } || {};
    for my $pair (grep { /\S/ } split /\n/, $block->audit_json) {
        my ($field, $re) = split /=/, $pair, 2;
        like($j->{$field} // '<none>', qr/$re/s,
             $block->name . " - audit $field");
    }
});

# the hooks' assertions: the body's leak check, ServerTime (and
# Expiration), the audit_json fields after a block's last request
sts_plan(per_response => sub {
    my ($block, $i) = @_;
    my $n = body_checked($block, $i) ? 1 : 0;
    if (defined $block->server_time) {
        $n += $block->server_time =~ /expiration/ ? 2 : 1;
    }
    if (defined $block->audit_json && $i == sts_responses($block) - 1) {
        $n += grep { /\S/ } split /\n/, $block->audit_json;
    }
    return $n;
});
run_tests();

__DATA__

=== TEST 1: off (default): an explicit deny is OSS's document, byte for byte
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/drafts/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/drafts/a.txt')
--- error_code: 403
--- response_body_like eval
::oss_error('AccessDenied',
            "Access denied by authorizer's policy.")
--- raw_response_headers_unlike: (?mi)^x-sts-explain:
--- response_headers_like
x-sts-token-expires-in: (?:3[0-5]\d\d|3600)
--- error_log
AccessDenied



=== TEST 2: on: an explicit deny by role policy 1, its statement and Sid
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/drafts/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/drafts/a.txt')
--- error_code: 403
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>Access denied by authorizer's policy\.</Message>\n  <RequestId>[0-9A-F]{24}</RequestId>\n  <HostId>localhost</HostId>\n  <Layer>role-policy\[1\]</Layer>\n  <Statement>role\[1\]\.Statement\[0\]\(NoDrafts\)</Statement>\n  <Sid>NoDrafts</Sid>\n  <Reason>ExplicitDeny</Reason>\n</Error>\n?\z}
--- response_headers_like
x-sts-explain: decision=deny code=AccessDenied action=oss:GetObject resource=acs:oss:\*:\*:demo-bucket/drafts/a\.txt layer=role-policy\[1\] statement=role\[1\]\.Statement\[0\]\(NoDrafts\) sid=NoDrafts reason="ExplicitDeny" bucket-policy=none
x-sts-token-expires-in: (?:3[0-5]\d\d|3600)



=== TEST 3: on: an explicit deny by the session policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/private/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/private/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Layer>session-policy</Layer>\n  <Statement>session\.Statement\[1\]\(SessionNoPrivate\)</Statement>\n  <Sid>SessionNoPrivate</Sid>\n  <Reason>ExplicitDeny</Reason>}
--- response_headers_like
x-sts-explain: decision=deny .* layer=session-policy .*sid=SessionNoPrivate .*



=== TEST 4: on: an implicit deny by the session policy (the role allows)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/other-bucket/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/other-bucket/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<HostId>localhost</HostId>\n  <Layer>session-policy</Layer>\n  <Statement>session</Statement>\n  <Reason>ImplicitDeny</Reason>\n</Error>}
--- response_headers_like
x-sts-explain: decision=implicit-deny code=AccessDenied .* layer=session-policy statement=session reason="ImplicitDeny" bucket-policy=none



=== TEST 5: on: a missing condition key (no Referer)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/site/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/site/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Layer>role-policies</Layer>\n  <Statement>none</Statement>\n  <MissingConditionKeys>acs:Referer</MissingConditionKeys>\n  <Reason>ImplicitDeny</Reason>}
--- response_headers_like
x-sts-explain: decision=implicit-deny .* layer=role-policies statement=none missing=acs:Referer .*



=== TEST 6: off: the same denial shows no missing key to the client
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/site/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/site/a.txt')
--- error_code: 403
--- response_body_like eval
::oss_error('AccessDenied',
            "Access denied by authorizer's policy.")
--- response_headers
! x-sts-explain



=== TEST 7: with the Referer: allowed, and the expiry header on the upstream's answer
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/site/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/site/a.txt')
. "Referer: https://www.example.com/page\n"
--- response_body
stored
--- raw_response_headers_unlike: (?mi)^x-sts-explain:
--- response_headers_like
x-sts-token-expires-in: (?:3[0-5]\d\d|3600)



=== TEST 8: the audit log: layer, Sid, missing keys, one-line explanation, OSS request id
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/site/a.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::c, 'GET', '/demo-bucket/site/a.txt'), ""]
--- error_code eval
[403, 200]
--- audit_json
layer=^role-policies$
missing_keys=^acs:Referer$
statement=^none$
explain=^decision=implicit-deny code=AccessDenied action=oss:GetObject resource=acs:oss:\*:\*:demo-bucket/site/a\.txt layer=role-policies statement=none missing=acs:Referer reason="ImplicitDeny" bucket-policy=none$
oss_request_id=^[0-9A-F]{24}$
session_name=^explain-me$



=== TEST 9: the audit log of an explicit deny names the role policy and Sid
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/drafts/a.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::c, 'GET', '/demo-bucket/drafts/a.txt'), ""]
--- error_code eval
[403, 200]
--- audit_json
layer=^role-policy\[1\]$
sid=^NoDrafts$
missing_keys=^$
decision=^deny$



=== TEST 10: on: V1 SignatureDoesNotMatch, the token redacted everywhere
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/public/b.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/public/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<StringToSign>GET\n\n\n[^\n]+ GMT\nx-oss-security-token:&lt;redacted&gt;\n/demo-bucket/public/b\.txt</StringToSign>\n  <StringToSignBytes>47 45 54 0A [0-9A-F ]+</StringToSignBytes>\n  <SignatureVersion>OSS</SignatureVersion>\n  <Reason>signature does not match</Reason>\n</Error>}s
--- response_headers_like
x-sts-explain: decision=error code=SignatureDoesNotMatch sig=OSS reason="signature does not match"
--- error_log
SignatureDoesNotMatch
--- no_error_log eval
[quotemeta($::c->{token}), quotemeta($::c->{secret})]



=== TEST 11: off: V1 SignatureDoesNotMatch is OSS's, StringToSign as the client sent it
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- token_echoed
--- request
GET /demo-bucket/public/b.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/public/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<StringToSign>GET\n\n\n[^\n]+ GMT\nx-oss-security-token:\Q$::c->{token}\E\n/demo-bucket/public/b\.txt</StringToSign>\n  <StringToSignBytes>[0-9A-F ]+</StringToSignBytes>\n</Error>}s
--- response_headers
! x-sts-explain
--- no_error_log eval
[quotemeta($::c->{token})]



=== TEST 12: on: V4 SignatureDoesNotMatch, canonical request with the token redacted
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/public/?prefix=a%2Fc
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/public/?prefix=a%2Fb', '--v4',
           '--region', 'cn-hangzhou')
--- error_code: 403
--- response_body_like eval
qr{<StringToSign>OSS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}/cn-hangzhou/oss/aliyun_v4_request\n[0-9a-f]{64}</StringToSign>.*<SignatureVersion>OSS4-HMAC-SHA256</SignatureVersion>\n  <CanonicalRequest>GET\n/demo-bucket/public/\nprefix=a%2Fc\n(?:[^\n]+\n)*x-oss-security-token:&lt;redacted&gt;\n(?:[^\n]+\n)*\n[^\n]*\nUNSIGNED-PAYLOAD</CanonicalRequest>}s
--- no_error_log eval
[quotemeta($::c->{token})]



=== TEST 13: on: V4 presigned URL, the token in the canonical query redacted
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::url($::c, 'GET', '/demo-bucket/public/a.txt', '--presign', 600,
              '--v4', '--region', 'cn-hangzhou');
$u =~ s{^/demo-bucket/public/a\.txt}{/explain/demo-bucket/public/b.txt};
"GET $u"
--- error_code: 403
--- response_body_like eval
qr{<CanonicalRequest>GET\n/demo-bucket/public/b\.txt\n[^\n]*x-oss-security-token=&lt;redacted&gt;[^\n]*\n}s
--- no_error_log eval
[quotemeta($::c->{token})]



=== TEST 14: the audit log of a V4 failure: redacted strings, no token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/public/b.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::c, 'GET', '/demo-bucket/public/a.txt', '--v4', '--region',
            'cn-hangzhou'), ""]
--- error_code eval
[403, 200]
--- audit_json
error_code=^SignatureDoesNotMatch$
canonical_request=^GET\n/demo-bucket/public/b\.txt\n.*x-oss-security-token:<redacted>\n
string_to_sign=^OSS4-HMAC-SHA256\n
explain=^decision=error code=SignatureDoesNotMatch sig=OSS4-HMAC-SHA256 reason="signature does not match"$



=== TEST 15: the audit log of a V1 failure: the StringToSign redacted
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- token_echoed
--- request eval
["GET /demo-bucket/public/b.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::c, 'GET', '/demo-bucket/public/a.txt'), ""]
--- error_code eval
[403, 200]
--- audit_json
error_code=^SignatureDoesNotMatch$
string_to_sign=^GET\n\n\n[^\n]+ GMT\nx-oss-security-token:<redacted>\n/demo-bucket/public/b\.txt$
canonical_request=^$
explain=^decision=error code=SignatureDoesNotMatch sig=OSS reason="signature does not match"$



=== TEST 16: on: a denied HEAD carries the explanation in x-oss-err
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
HEAD /explain/demo-bucket/drafts/a.txt
--- more_headers eval
::sts_sign($::c, 'HEAD', '/demo-bucket/drafts/a.txt')
--- error_code: 403
--- response_headers_like
x-oss-err: PD94bWwg\S+
x-sts-explain: decision=deny .*layer=role-policy\[1\] .*
x-sts-token-expires-in: (?:3[0-5]\d\d|3600)
--- raw_response_headers_like eval
::x_oss_err_re(qq{<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n}
               . qq{  <Code>AccessDenied</Code>\n}
               . qq{  <Message>Access denied by authorizer's policy.</Message>\n}
               . qq{  <RequestId>},
               qq{</RequestId>\n  <HostId>localhost</HostId>\n}
               . qq{  <Layer>role-policy[1]</Layer>\n}
               . qq{  <Statement>role[1].Statement[0](NoDrafts)</Statement>\n}
               . qq{  <Sid>NoDrafts</Sid>\n  <Reason>ExplicitDeny</Reason>\n}
               . qq{</Error>})
--- response_body



=== TEST 17: RequestTimeTooSkewed carries RequestTime and ServerTime
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/a.txt
--- more_headers eval
::sts_sign($::c, 'GET', '/demo-bucket/public/a.txt', '--date', time - 3600)
--- error_code: 403
--- response_body_like eval
qr{<Code>RequestTimeTooSkewed</Code>.*<RequestTime>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT</RequestTime>\n  <ServerTime>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT</ServerTime>\n</Error>}s
--- server_time: skew



=== TEST 18: an expired token: when it expired, and the server's time
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/a.txt
--- more_headers eval
::sts_sign($::old, 'GET', '/demo-bucket/public/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>SecurityTokenExpired</Code>\n  <Message>The security token you provided has expired\.</Message>\n.*</HostId>\n  <Expiration>[^<]+</Expiration>\n  <ServerTime>[^<]+</ServerTime>\n</Error>}s
--- server_time: expiration
--- response_headers
x-sts-token-expires-in: 0
! x-sts-explain



=== TEST 19: no credentials: no token, no expiry header
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /explain/demo-bucket/public/a.txt
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- raw_response_headers_unlike: (?mi)^x-sts-token-expires-in:
--- response_headers_like
x-sts-explain: decision=error code=AccessDenied reason="no credentials"



=== TEST 20: with a RAM directory the layer names the role policy
--- http_config eval
"    sts_keys \$TEST_NGINX_STS_KEYS;\n"
. "    sts_directory \$TEST_NGINX_EXPLAIN_DIRECTORY;\n" . $::AuditFormat
--- config
    location / {
        sts_auth on;
        sts_explain on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "stored\n";
    }
--- request
GET /demo-bucket/drafts/a.txt
--- more_headers eval
::sts_sign($::named, 'GET', '/demo-bucket/drafts/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Layer>role-policy\[1\]\(Drafts\)</Layer>\n  <Statement>role\[1\]\.Statement\[0\]\(NoDrafts\)</Statement>\n  <Sid>NoDrafts</Sid>}
--- response_headers_like
x-sts-explain: decision=deny .*layer=role-policy\[1\]\(Drafts\) .*



=== TEST 21: a long-term key: explained, but no x-sts-token-expires-in
--- http_config eval
"    sts_keys \$TEST_NGINX_STS_KEYS;\n"
. "    sts_directory \$TEST_NGINX_EXPLAIN_DIRECTORY;\n" . $::AuditFormat
--- config
    location / {
        sts_auth on;
        sts_explain on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "stored\n";
    }
--- request
GET /demo-bucket/public/a.txt
--- more_headers eval
::sts_sign($::longterm, 'GET', '/demo-bucket/public/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>AccessDenied</Code>.*<Layer>role-policies</Layer>}s
--- raw_response_headers_unlike: (?mi)^x-sts-token-expires-in:
--- response_headers_like
x-sts-explain: decision=implicit-deny code=AccessDenied .*



=== TEST 22: a UTF-8 key: as it is in the audit log's explain, %XX in x-sts-explain
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/drafts/%E6%96%87%E4%BB%B6%25.txt",
 "GET /explain/demo-bucket/drafts/%E6%96%87%E4%BB%B6%25.txt", "GET /_audit"]
--- more_headers eval
[::sts_sign($::c, 'GET', '/demo-bucket/drafts/%E6%96%87%E4%BB%B6%25.txt'),
 ::sts_sign($::c, 'GET', '/demo-bucket/drafts/%E6%96%87%E4%BB%B6%25.txt'),
 ""]
--- error_code eval
[403, 403, 200]
--- response_headers_like eval
["", "x-sts-explain: decision=deny code=AccessDenied action=oss:GetObject resource=acs:oss:\\*:\\*:demo-bucket/drafts/%E6%96%87%E4%BB%B6%25\\.txt layer=role-policy\\[1\\] .*", ""]
--- audit_json
resource=^acs:oss:\*:\*:demo-bucket/drafts/\x{6587}\x{4ef6}%\.txt$
explain=^decision=deny code=AccessDenied action=oss:GetObject resource=acs:oss:\*:\*:demo-bucket/drafts/\x{6587}\x{4ef6}%25\.txt layer=role-policy\[1\] 
