# The STS endpoint's SignatureNonce replay cache (sts_nonce_cache) when it
# is full: a new nonce is refused with 503 ServiceUnavailable and the
# cache's own message, never let through unremembered, while a nonce the
# cache holds is still caught as a replay.  One caller holds at most its
# share of the cache: over it, that caller's new nonces get Throttling.User
# while the other callers are served.
#
# The smallest cache (eight pages) holds far fewer than 400 nonces, and
# none of them leaves the skew window within the test.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsPop;

repeat_each(1);
no_shuffle();
no_root_location();

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

{
    my $f = "$tmp/175-directory.json";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh <<'_EOD_';
{
  "Accounts": [ {
    "AccountId": "11223344",
    "Users": [
      { "UserName": "appserver",
        "AccessKeys": [ { "AccessKeyId": "LTAI5tAppServer0001",
            "AccessKeySecret": "AppServerSecret0123456789abcdef" } ],
        "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] },
      { "UserName": "other",
        "AccessKeys": [ { "AccessKeyId": "LTAI5tOther000001",
            "AccessKeySecret": "OtherSecret0123456789abcdef0" } ],
        "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] }
    ]
  } ]
}
_EOD_
    close $fh;
    chmod 0600, $f;
    $ENV{TEST_NGINX_STS_DIRECTORY_175} = $f;
}

our @App = ('LTAI5tAppServer0001', 'AppServerSecret0123456789abcdef');
our @Other = ('LTAI5tOther000001', 'OtherSecret0123456789abcdef0');
our $Fill = 400;

sub identity {
    return pop_request(key => $App[0], secret => $App[1],
                       params => { Action => 'GetCallerIdentity' });
}

sub other {
    return pop_request(key => $Other[0], secret => $Other[1],
                       params => { Action => 'GetCallerIdentity' });
}

# the first request, then the very same text again
# one request sent twice in a block: the second is a replay
our $Once = identity();
our $Again = $Once;

our $Identity = qr{"IdentityType":"RAMUser"};
our $Full = qr{^\{"RequestId":"[0-9A-F-]{36}","HostId":"localhost","Code":"ServiceUnavailable","Message":"The request has failed due to a temporary failure of the server\."\}$};
our $Throttled = qr{^\{"RequestId":"[0-9A-F-]{36}","HostId":"localhost","Code":"Throttling.User","Message":"Request was denied due to user flow control\."\}$};
our $Used = qr{"Code":"SignatureNonceUsed"};

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY_175;
_EOC_

our $Config = <<'_EOC_';
    location = /sts {
        sts_endpoint;
        add_header X-STS-Code $sts_error_code always;
    }

    location = /_log {
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/error.log;
    }
_EOC_

pop_hooks();
sts_plan();
run_tests();

__DATA__

=== TEST 1: a full nonce cache refuses new nonces and still knows the old ones
--- http_config eval
$::HttpConfig . "    sts_nonce_cache 32k max_per_key=1000;\n"
--- config eval: $::Config
--- request eval
[$::Once, (map { ::identity() } 1 .. $::Fill), $::Again, ::identity(),
 "GET /_log"]
--- error_code_like eval
[qr/^200$/, (map { qr/^200$/ } 1 .. 20),
 (map { qr/^(?:200|503)$/ } 21 .. $::Fill), qr/^400$/, qr/^503$/,
 qr/^200$/]
--- response_body_like eval
[$::Identity, (map { $::Identity } 1 .. 20),
 (map { qr/$::Identity|$::Full/ } 21 .. $::Fill), $::Used, $::Full,
 qr/\[error\][^\n]*sts: the nonce cache is full \(\d+ nonces within the skew window\); enlarge "sts_nonce_cache".*ServiceUnavailable/s]



=== TEST 2: one caller flooding with new nonces is throttled, others served
--- http_config eval
$::HttpConfig . "    sts_nonce_cache 32k;\n"
--- config eval: $::Config
--- request eval
[$::Once, (map { ::identity() } 1 .. $::Fill), $::Again, ::other(),
 ::other(), ::identity(), "GET /_log"]
--- error_code_like eval
[qr/^200$/, (map { qr/^200$/ } 1 .. 5),
 (map { qr/^(?:200|400)$/ } 6 .. $::Fill), qr/^400$/, qr/^200$/,
 qr/^200$/, qr/^400$/, qr/^200$/]
--- response_body_like eval
[$::Identity, (map { $::Identity } 1 .. 5),
 (map { qr/$::Identity|$::Throttled/ } 6 .. $::Fill), $::Used, $::Identity,
 $::Identity, $::Throttled,
 qr/\A(?:(?!holds its share).)*\[error\][^\n]*sts: "LTAI5tAppServer0001" holds its share of the nonce cache \(\d+ nonces within the skew window\); its new calls are refused with Throttling\.User(?:(?!holds its share).)*\z/s]
--- no_error_log
[alert]
nonce cache is full



=== TEST 3: max_per_key sets the share: the fourth new nonce is throttled
--- http_config eval
$::HttpConfig . "    sts_nonce_cache 32k max_per_key=3;\n"
--- config eval: $::Config
--- request eval
[$::Once, ::identity(), ::identity(), ::identity(), $::Again, ::other(),
 ::other()]
--- error_code eval
[200, 200, 200, 400, 400, 200, 200]
--- response_body_like eval
[$::Identity, $::Identity, $::Identity, $::Throttled, $::Used, $::Identity,
 $::Identity]
--- response_headers eval
["X-STS-Code: ", "X-STS-Code: ", "X-STS-Code: ",
 "X-STS-Code: Throttling.User", "X-STS-Code: SignatureNonceUsed",
 "X-STS-Code: ", "X-STS-Code: "]



=== TEST 4: max_per_key= is checked at configuration time
--- http_config eval
$::HttpConfig . "    sts_nonce_cache 32k max_per_key=many;\n"
--- config eval: $::Config
--- must_die
--- error_log
invalid parameter "max_per_key=many": max_per_key=, a number from 1 to 1000000
