# Issuance limits at the STS endpoint: sts_assume_role_limit per caller
# AccessKey (counted only once the POP signature has checked) and per
# role (counted only once the call may assume it), answered with the STS
# error Throttling.User; limit_req per client address mapped to the same
# error by sts_endpoint_error; refill over time; the metrics.
#
# Every block starts a fresh nginx, so the buckets start empty; the rates
# are small so that a few requests reach them.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsPop;

repeat_each(1);
no_shuffle();
no_root_location();

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

my $directory = <<'_EOD_';
{
  "Accounts": [ {
    "AccountId": "11223344",
    "Users": [
      { "UserName": "appserver",
        "AccessKeys": [ { "AccessKeyId": "LTAI5tAppServer0001",
            "AccessKeySecret": "AppServerSecret0123456789abcdef" } ],
        "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] },
      { "UserName": "batch",
        "AccessKeys": [ { "AccessKeyId": "LTAI5tBatch0000001",
            "AccessKeySecret": "BatchSecret0123456789abcdef0" } ],
        "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] },
      { "UserName": "reader",
        "AccessKeys": [ { "AccessKeyId": "LTAI5tReader000001",
            "AccessKeySecret": "ReaderSecret0123456789abcdef" } ],
        "AttachedPolicies": ["AliyunOSSReadOnlyAccess"] }
    ],
    "Roles": [
      { "RoleName": "oss-readonly",
        "AssumeRolePolicyDocument": {"Statement":[{"Action":
          "sts:AssumeRole","Effect":"Allow","Principal":{"RAM":
          ["acs:ram::11223344:root"]}}],"Version":"1"},
        "AttachedPolicies": ["AliyunOSSReadOnlyAccess"] },
      { "RoleName": "uploader",
        "AssumeRolePolicyDocument": {"Statement":[{"Action":
          "sts:AssumeRole","Effect":"Allow","Principal":{"RAM":
          ["acs:ram::11223344:root"]}}],"Version":"1"},
        "AttachedPolicies": ["AliyunOSSFullAccess"] }
    ]
  } ]
}
_EOD_

# 400 more users who may assume roles, to fill a zone
our @Fill = map { [sprintf('LTAI5tFill%04d', $_),
                   sprintf('FillSecret0123456789%04d', $_)] } 1 .. 400;
{
    my $users = join '', map {
        sprintf '      { "UserName": "fill%s", "AccessKeys": [ { '
                . '"AccessKeyId": "%s", "AccessKeySecret": "%s" } ], '
                . '"AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] },' . "\n",
                $_->[0], $_->[0], $_->[1]
    } @Fill;
    $directory =~ s/("Users": \[\n)/$1$users/ or die "no Users\n";
}

{
    my $f = "$tmp/170-directory.json";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh $directory;
    close $fh;
    chmod 0600, $f;
    $ENV{TEST_NGINX_STS_DIRECTORY_170} = $f;
}

our %Key = (
    app    => ['LTAI5tAppServer0001', 'AppServerSecret0123456789abcdef'],
    batch  => ['LTAI5tBatch0000001', 'BatchSecret0123456789abcdef0'],
    reader => ['LTAI5tReader000001', 'ReaderSecret0123456789abcdef'],
);

our $ReadOnly = 'acs:ram::11223344:role/oss-readonly';
our $Uploader = 'acs:ram::11223344:role/uploader';

# assume(who, role, %options of pop_request)
sub assume {
    my ($who, $role, %o) = @_;
    return pop_request(key => $Key{$who}[0], secret => $Key{$who}[1],
                       params => { Action => 'AssumeRole', RoleArn => $role,
                                   RoleSessionName => 'limits' }, %o);
}

sub identity {
    my ($who, %o) = @_;
    return pop_request(key => $Key{$who}[0], secret => $Key{$who}[1],
                       params => { Action => 'GetCallerIdentity' }, %o);
}

our $Throttled = qr{^\{"RequestId":"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}","HostId":"localhost","Code":"Throttling\.User","Message":"Request was denied due to user flow control\."\}$};
our $Issued = qr{"Credentials":\{"SecurityToken":"STS1\.};

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY_170;
_EOC_

# the error log so far, read back by a block's last request
our $Log = <<'_EOC_';
    location = /_log {
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/error.log;
    }
_EOC_

our $Config = <<'_EOC_' . $Log;
    location = /sts {
        sts_endpoint;
        add_header X-STS-Code $sts_error_code always;
        add_header X-STS-Decision $sts_decision always;
    }
_EOC_

pop_hooks();
sts_plan();
run_tests();

__DATA__

=== TEST 1: per key: burst + 1 calls pass, the next is throttled, another key is not
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=2r/m burst=2;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly),
 ::assume('app', $::Uploader), ::assume('app', $::ReadOnly),
 ::assume('batch', $::ReadOnly), ::identity('app'), "GET /_log"]
--- error_code eval
[200, 200, 200, 400, 200, 200, 200]
--- response_headers eval
["X-STS-Decision: allow", "X-STS-Decision: allow", "X-STS-Decision: allow",
 "X-STS-Decision: throttled\nX-STS-Code: Throttling.User\nContent-Type: application/json;charset=utf-8",
 "X-STS-Decision: allow", "X-STS-Decision: allow", ""]
--- response_body_like eval
[$::Issued, $::Issued, $::Issued, $::Throttled, $::Issued,
 qr{"IdentityType":"RAMUser"},
 qr{\A(?!.*AppServerSecret).*\[error\][^\n]*sts: AssumeRole Throttling\.User for "LTAI5tAppServer0001": over the AssumeRole limit of the AccessKey, request id}s]



=== TEST 2: per key, XML: the error in the format asked for
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=1r/m;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('app', $::ReadOnly, params => { Action => 'AssumeRole',
     RoleArn => $::ReadOnly, RoleSessionName => 'x1', Format => 'XML' }),
 ::assume('app', $::ReadOnly, params => { Action => 'AssumeRole',
     RoleArn => $::ReadOnly, RoleSessionName => 'x1', Format => 'XML' })]
--- error_code eval
[200, 400]
--- response_body_like eval
[qr{<AssumeRoleResponse>},
 qr{^<\?xml version="1\.0" encoding="UTF-8"\?><Error><RequestId>[0-9A-F-]{36}</RequestId><HostId>localhost</HostId><Code>Throttling\.User</Code><Message>Request was denied due to user flow control\.</Message>}]



=== TEST 3: forged and unsigned calls do not spend the key's budget
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=1r/m;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('app', $::ReadOnly, secret => 'NotTheSecret0123456789abcdef'),
 ::assume('app', $::ReadOnly, secret => 'NotTheSecret0123456789abcdef'),
 ::assume('app', $::ReadOnly, unsigned => 1),
 ::assume('app', $::ReadOnly, set => { Timestamp => '2020-01-01T00:00:00Z' }),
 ::assume('app', $::ReadOnly),
 ::assume('app', $::ReadOnly)]
--- error_code eval
[400, 400, 400, 400, 200, 400]
--- response_body_like eval
[qr{"Code":"SignatureDoesNotMatch"}, qr{"Code":"SignatureDoesNotMatch"},
 qr{"Code":"MissingSignature"}, qr{"Code":"InvalidTimeStamp\.Expired"},
 $::Issued, $::Throttled]



=== TEST 4: per role: only calls that may assume it count, whatever the key
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=roles:1m key=role rate=1r/m burst=1;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('reader', $::ReadOnly), ::assume('reader', $::ReadOnly),
 ::assume('app', $::ReadOnly),
 ::assume('batch', 'acs:ram::11223344:role/OSS-ReadOnly'),
 ::assume('app', $::ReadOnly), ::assume('app', $::Uploader), "GET /_log"]
--- error_code eval
[403, 403, 200, 200, 400, 200, 200]
--- response_body_like eval
[qr{"Code":"NoPermission"}, qr{"Code":"NoPermission"}, $::Issued, $::Issued,
 $::Throttled, $::Issued,
 qr{\[error\][^\n]*sts: AssumeRole Throttling\.User for "LTAI5tAppServer0001": over the AssumeRole limit of acs:ram::11223344:role/oss-readonly, request id}]



=== TEST 5: both limits, and GetCallerIdentity is never limited
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=1r/m burst=2;
    sts_assume_role_limit zone=roles:1m key=role rate=1r/m;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly),
 ::assume('app', $::Uploader), ::assume('batch', $::Uploader),
 ::assume('app', $::Uploader),
 ::identity('app'), ::identity('app'), ::identity('app'), "GET /_log"]
--- error_code eval
[200, 400, 200, 400, 400, 200, 200, 200, 200]
--- response_body_like eval
[$::Issued, $::Throttled, $::Issued, $::Throttled, $::Throttled,
 qr{"RAMUser"}, qr{"RAMUser"}, qr{"RAMUser"},
 qr{over the AssumeRole limit of acs:ram::11223344:role/oss-readonly,.*over the AssumeRole limit of acs:ram::11223344:role/uploader,.*over the AssumeRole limit of the AccessKey,}s]



=== TEST 6: the bucket refills at the rate
# a request every 0.6 s or so against one a second: the second is too
# early, the third is a second after the first, the fourth too early again
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=1r/s;
_EOC_
--- config eval: $::Config
--- request eval
[::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly),
 ::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly)]
--- wait: 0.6
--- error_code eval
[200, 400, 200, 400]
--- response_body_like eval
[$::Issued, $::Throttled, $::Issued, $::Throttled]



=== TEST 7: limit_req per client address, answered in the STS format
--- http_config eval
$::HttpConfig . <<'_EOC_';
    limit_req_zone $binary_remote_addr zone=sts_ip:1m rate=1r/m;
_EOC_
--- config
    location = /sts {
        limit_req zone=sts_ip burst=1 nodelay;
        limit_req_status 429;
        error_page 429 @sts_error;
        sts_endpoint;
    }

    location @sts_error {
        sts_endpoint_error;
        add_header X-STS-Code $sts_error_code always;
        add_header X-STS-Decision $sts_decision always;
    }

    location = /_log {
        default_type text/plain;
        alias $TEST_NGINX_SERVER_ROOT/logs/error.log;
    }
--- request eval
[::identity('app'), ::assume('app', $::ReadOnly),
 ::assume('app', $::ReadOnly, shape => 'form'), ::identity('batch'),
 "GET /_log"]
--- more_headers eval
["", "", "Content-Type: application/x-www-form-urlencoded\n", "", ""]
--- error_code eval
[200, 200, 400, 400, 200]
--- response_headers eval
["", "",
 "X-STS-Decision: throttled\nX-STS-Code: Throttling.User\nContent-Type: application/json;charset=utf-8\nCache-Control: no-store",
 "X-STS-Decision: throttled", ""]
--- response_body_like eval
[qr{"RAMUser"}, $::Issued, $::Throttled, $::Throttled,
 qr{limiting requests.*sts: request Throttling\.User: over a limit_req limit}s]



=== TEST 8: sts_endpoint_error maps nginx's other errors too
--- http_config eval: $::HttpConfig
--- config
    location = /sts {
        client_max_body_size 10;
        error_page 413 405 @sts_error;
        sts_endpoint;
    }

    location = /limited {
        limit_except GET { deny all; }
        error_page 403 @sts_error;
        sts_endpoint;
    }

    location @sts_error {
        sts_endpoint_error;
    }
--- request eval
["POST /sts\n" . ('x' x 100), "POST /limited\nAction=AssumeRole"]
--- more_headers eval
["Content-Type: application/x-www-form-urlencoded\n",
 "Content-Type: application/x-www-form-urlencoded\n"]
--- error_code eval
[413, 400]
--- response_body_like eval
[qr{"Code":"RequestEntityTooLarge"}, qr{"Code":"InvalidParameter"}]



=== TEST 9: the metrics count throttled calls by action
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=keys:1m key=access_key rate=1r/m;
    limit_req_zone $binary_remote_addr zone=sts_ip:1m rate=1r/m;
_EOC_
--- config
    location = /sts {
        sts_endpoint;
    }

    location = /sts-ip {
        limit_req zone=sts_ip nodelay;
        limit_req_status 429;
        error_page 429 @sts_error;
        sts_endpoint;
    }

    location @sts_error {
        sts_endpoint_error;
    }

    location = /metrics {
        sts_status;
    }
--- request eval
[::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly),
 ::identity('app', path => '/sts-ip'), ::identity('app', path => '/sts-ip'),
 "GET /metrics"]
--- error_code eval
[200, 400, 200, 400, 200]
--- response_body_like eval
[$::Issued, $::Throttled, qr{"RAMUser"}, $::Throttled,
 qr{nginx_sts_errors_total\{code="Throttling\.User"\} 2\n.*nginx_sts_api_success_total\{action="AssumeRole"\} 1\nnginx_sts_api_success_total\{action="GetCallerIdentity"\} 1\n.*nginx_sts_api_error_total\{action="AssumeRole"\} 1\nnginx_sts_api_error_total\{action="GetCallerIdentity"\} 1\n.*nginx_sts_api_throttled_total\{action="AssumeRole"\} 1\nnginx_sts_api_throttled_total\{action="GetCallerIdentity"\} 1\nnginx_sts_api_throttled_total\{action="other"\} 0\n}s]



=== TEST 10: a limit without a zone
--- http_config eval
$::HttpConfig . "    sts_assume_role_limit key=role rate=1r/s;\n"
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_assume_role_limit" must have "zone" parameter}



=== TEST 11: a limit without a key kind, or another one
--- http_config eval
$::HttpConfig . "    sts_assume_role_limit zone=a:1m key=ip rate=1r/s;\n"
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*invalid parameter "key=ip"}



=== TEST 12: a bad rate
--- http_config eval
$::HttpConfig . "    sts_assume_role_limit zone=a:1m key=role rate=0r/m;\n"
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*invalid rate "rate=0r/m"}



=== TEST 13: a zone below eight pages
--- http_config eval
$::HttpConfig . "    sts_assume_role_limit zone=a:1k key=role rate=1r/m;\n"
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*invalid zone size "zone=a:1k"}



=== TEST 14: one zone for two limits
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=a:1m key=role rate=1r/m;
    sts_assume_role_limit zone=a:1m key=access_key rate=1r/m;
_EOC_
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*zone "a" is already used}



=== TEST 15: the module's own zone names are reserved
--- http_config eval
$::HttpConfig . "    sts_assume_role_limit zone=sts_nonce:1m key=role rate=1r/m;\n"
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*zone name "sts_nonce" is reserved: names beginning with "sts_" are the module's own}



=== TEST 16: limits of a location, and of the server for the others
--- http_config eval: $::HttpConfig
--- config
    sts_assume_role_limit zone=srv_keys:1m key=access_key rate=1r/m burst=1;

    location = /sts {
        sts_endpoint;
    }

    location = /sts-strict {
        sts_assume_role_limit zone=loc_keys:1m key=access_key rate=1r/m;
        sts_endpoint;
    }
--- request eval
[::assume('app', $::ReadOnly, path => '/sts-strict'),
 ::assume('app', $::ReadOnly, path => '/sts-strict'),
 ::assume('app', $::ReadOnly), ::assume('app', $::ReadOnly),
 ::assume('app', $::ReadOnly)]
--- error_code eval
[200, 400, 200, 200, 400]
--- response_body_like eval
[$::Issued, $::Throttled, $::Issued, $::Issued, $::Throttled]



=== TEST 17: a full zone refuses new keys rather than counting nothing
# the smallest zone holds far fewer than 400 buckets, none drains within
# the test (one call a minute); the keys it holds keep being counted
--- http_config eval
$::HttpConfig . <<'_EOC_';
    sts_assume_role_limit zone=tiny:32k key=access_key rate=1r/m burst=5;
_EOC_
--- config eval: $::Config
--- request eval
[(map { ::pop_request(key => $_->[0], secret => $_->[1],
                      params => { Action => 'AssumeRole',
                                  RoleArn => $::ReadOnly,
                                  RoleSessionName => 'fill' }) } @::Fill),
 ::pop_request(key => $::Fill[0][0], secret => $::Fill[0][1],
               params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                           RoleSessionName => 'fill' }),
 "GET /_log"]
--- error_code_like eval
[(map { qr/^(?:200|400)$/ } @::Fill), qr/^200$/, qr/^200$/]
--- response_body_like eval
[(map { qr/"SecurityToken"|"Code":"Throttling\.User"/ } @::Fill), $::Issued,
 qr/\[error\][^\n]*sts: assume role limit zone "tiny" is full \(\d+ keys within their limit\); the call is refused, enlarge the zone.*Throttling\.User for "LTAI5tFill0400": over the AssumeRole limit of the AccessKey/s]
