# The STS endpoint: AssumeRole and GetCallerIdentity over the POP RPC
# protocol, decided from a RAM directory, every success and error path,
# and the seeds' whole flow: appserver assumes oss-readonly with a session
# policy for sample-bucket/2015/01/01/*.jpg, and the token it gets reads
# one jpg through the gateway and nothing else.
#
# Requests are signed in Perl (t/lib/StsPop.pm), independently of the C
# code, the way the official clients do: pop-core (GET query or POST form,
# strict encoding) and @alicloud/sts-sdk 1.0.2 (POST, parameters in the
# query, no Content-Type, JS-component encoding).  A request is built when it is
# sent (fresh Timestamp and SignatureNonce each time, so repetitions are
# not replays); requests that need credentials from the endpoint first
# obtain them from the running nginx.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsPop qw(pop_lazy pop_lazy_header pop_hooks);

use IO::Socket::INET;
use JSON::PP;

repeat_each(2);
no_shuffle();
no_root_location();

# the directory: the seeds' account, and what the error paths need
my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

sub write_file {
    my ($name, $text, $mode) = @_;
    my $f = "$tmp/$name";
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh $text;
    close $fh;
    chmod $mode // 0600, $f;
    return $f;
}

my $trust_account = '{"Statement":[{"Action":"sts:AssumeRole",'
    . '"Effect":"Allow","Principal":{"RAM":["acs:ram::11223344:root"]}}],'
    . '"Version":"1"}';

our $Directory = <<"_EOD_";
{
  "Accounts": [
    {
      "AccountId": "11223344",
      "Alias": "seeds",
      "AccessKeys": [
        { "AccessKeyId": "LTAIrootKey0000001",
          "AccessKeySecret": "RootSecret000000000000001" }
      ],
      "Users": [
        { "UserName": "appserver",
          "AccessKeys": [
            { "AccessKeyId": "LTAI5tAppServer0001",
              "AccessKeySecret": "AppServerSecret0123456789abcdef" },
            { "AccessKeyId": "LTAI5tAppServerOld1",
              "AccessKeySecret": "AppServerSecretOld0123456789ab",
              "Status": "Inactive" }
          ],
          "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] },
        { "UserName": "reader",
          "AccessKeys": [
            { "AccessKeyId": "LTAI5tReader000001",
              "AccessKeySecret": "ReaderSecret0123456789abcdef" }
          ],
          "AttachedPolicies": ["AliyunOSSReadOnlyAccess"] },
        { "UserName": "batch",
          "AccessKeys": [
            { "AccessKeyId": "LTAI5tBatch0000001",
              "AccessKeySecret": "BatchSecret0123456789abcdef0" }
          ],
          "AttachedPolicies": ["AliyunSTSAssumeRoleAccess"] }
      ],
      "Roles": [
        { "RoleName": "oss-readonly",
          "RoleId": "300800000000000001",
          "AssumeRolePolicyDocument": $trust_account,
          "AttachedPolicies": ["AliyunOSSReadOnlyAccess"] },
        { "RoleName": "uploader",
          "MaxSessionDuration": 43200,
          "AssumeRolePolicyDocument": {"Statement":[{"Action":
            "sts:AssumeRole","Effect":"Allow","Principal":{"RAM":
            ["acs:ram::11223344:user/appserver"]}}],"Version":"1"},
          "AttachedPolicies": ["AliyunOSSFullAccess"] },
        { "RoleName": "partner",
          "AssumeRolePolicyDocument": {"Statement":[{"Action":
            "sts:AssumeRole","Effect":"Allow","Principal":{"RAM":
            ["acs:ram::11223344:user/appserver"]},"Condition":
            {"StringEquals":{"sts:ExternalId":"abc-123"}}}],
            "Version":"1"} },
        { "RoleName": "elsewhere",
          "AssumeRolePolicyDocument": {"Statement":[{"Action":
            "sts:AssumeRole","Effect":"Allow","Principal":{"RAM":
            ["acs:ram::99999999:root"]}}],"Version":"1"} }
      ]
    }
  ]
}
_EOD_

$ENV{TEST_NGINX_STS_DIRECTORY} = write_file('endpoint-directory.json',
                                            $Directory);
$ENV{TEST_NGINX_STS_OPEN_DIRECTORY} = write_file('endpoint-open.json',
                                                 $Directory, 0644);

(my $bad = $Directory) =~ s/"Status": "Inactive"/"Status": "Disabled"/;
$ENV{TEST_NGINX_STS_BAD_DIRECTORY} = write_file('endpoint-bad.json', $bad);

(my $bad2 = $Directory) =~ s/"AliyunOSSFullAccess"/"AliyunOSSWriteAccess"/;
$ENV{TEST_NGINX_STS_BAD_DIRECTORY2} = write_file('endpoint-bad2.json',
                                                 $bad2);

# sts_revoked applies to STS callers of the endpoint too
$ENV{TEST_NGINX_STS_REVOKED_100} = write_file('endpoint-revoked.txt',
    "session acs:ram::11223344:role/oss-readonly gone\n", 0644);

our $AppKey = 'LTAI5tAppServer0001';
our $AppSecret = 'AppServerSecret0123456789abcdef';
our $ReadOnly = 'acs:ram::11223344:role/oss-readonly';
our $SeedsPolicy = '{"Version":"1","Statement":[{"Effect":"Allow",'
    . '"Action":["oss:GetObject"],"Resource":'
    . '["acs:oss:*:*:sample-bucket/2015/01/01/*.jpg"]}]}';

# POP requests signed by StsPop.pm, as the appserver unless told
sub pop_params {
    my (%o) = @_;
    $o{key} //= $AppKey;
    $o{secret} //= $AppSecret;
    return StsPop::pop_params(%o);
}

sub pop_request {
    my (%o) = @_;
    $o{key} //= $AppKey;
    $o{secret} //= $AppSecret;
    return StsPop::pop_request(%o);
}

# the same request twice, for the replay test
sub pop_twice {
    my (%o) = @_;
    my $text = pop_request(%o);
    return ($text, $text);
}

# An AssumeRole against the running nginx, from Perl: the credentials.
sub assume_role {
    my (%o) = @_;
    my $body = pop_params(method => 'POST', params => {
        Action => 'AssumeRole', RoleArn => $o{role} // $ReadOnly,
        RoleSessionName => $o{session} // 'alice',
        ($o{policy} ? (Policy => $o{policy}) : ()),
    });
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT},
                                  Timeout => 3)
        or die "cannot connect to nginx: $!\n";
    print $s "POST /sts HTTP/1.0\r\nHost: localhost\r\n"
        . "Content-Type: application/x-www-form-urlencoded\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $res = <$s>;
    close $s;
    my ($json) = $res =~ /\r\n\r\n(.*)\z/s;
    my $d = decode_json($json);
    die "AssumeRole failed: $json\n" unless $d->{Credentials};
    return { id => $d->{Credentials}{AccessKeyId},
             secret => $d->{Credentials}{AccessKeySecret},
             token => $d->{Credentials}{SecurityToken} };
}

# OSS-signed headers for the gateway, with credentials from the endpoint
sub gateway_headers {
    my ($method, $path, %o) = @_;
    return pop_lazy_header(sub {
        my $c = assume_role(%o);
        return ::sts_sign($c, $method, $path);
    });
}

# a request made with STS credentials obtained just before
sub sts_caller_request {
    my (%o) = @_;
    return pop_lazy(sub {
        my $c = assume_role(policy => $o{policy});
        my %params = (Action => 'GetCallerIdentity', %{ $o{params} || {} });
        $params{SecurityToken} = $c->{token} unless $o{token_header};
        my $q = pop_params(method => 'GET', key => $c->{id},
                           secret => $c->{secret}, params => \%params);
        return "GET /sts?$q";
    });
}

# the same credentials for the request and for its x-acs-security-token
sub sts_caller_pair {
    my $c;
    my $req = pop_lazy(sub {
        $c = assume_role();
        my $q = pop_params(method => 'GET', key => $c->{id},
                           secret => $c->{secret},
                           params => { Action => 'GetCallerIdentity' });
        return "GET /sts?$q";
    });
    my $hdr = pop_lazy_header(sub { "x-acs-security-token: $c->{token}\n" });
    return ($req, $hdr);
}

our ($HeaderTokenRequest, $HeaderToken) = sts_caller_pair();

our $Form = "Content-Type: application/x-www-form-urlencoded\n";

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY;
_EOC_

our $Config = <<'_EOC_';
    location = /sts {
        sts_endpoint;
        add_header X-STS-Code $sts_error_code always;
        add_header X-STS-Caller $sts_access_key_id always;
        add_header X-STS-Role "$sts_role_arn $sts_session_name" always;
        add_header X-STS-Layer $sts_layer always;
    }

    location = /sts-strict {
        sts_endpoint;
        sts_endpoint_js_encoding off;
    }

    location / {
        sts_auth on;
        sts_addressing path;
        sts_account 11223344;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri\n";
    }
_EOC_

pop_hooks();
sts_plan();
run_tests();

__DATA__

=== TEST 1: AssumeRole, GET with the parameters in the query (pop-core)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'alice' })
--- response_headers
Content-Type: application/json;charset=utf-8
Cache-Control: no-store
X-STS-Code:
X-STS-Caller: LTAI5tAppServer0001
X-STS-Role: acs:ram::11223344:role/oss-readonly alice
--- response_body_like eval
qr{^\{"RequestId":"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}","AssumedRoleUser":\{"Arn":"acs:ram::11223344:role/oss-readonly/alice","AssumedRoleId":"300800000000000001:alice"\},"Credentials":\{"SecurityToken":"STS1\.[A-Za-z0-9_-]+","AccessKeyId":"STS\.[1-9A-HJ-NP-Za-km-z]{28}","AccessKeySecret":"[1-9A-HJ-NP-Za-km-z]{40}","Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\}$}
--- error_log eval
qr/\[info\].*sts: AssumeRole for "LTAI5tAppServer0001" issued "STS\.\w+" for acs:ram::11223344:role\/oss-readonly, request id [0-9A-F-]{36}/
--- no_error_log
[error]
AppServerSecret



=== TEST 2: AssumeRole, POST form body, the seeds' session policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'form', params => { Action => 'AssumeRole',
    RoleArn => $::ReadOnly, RoleSessionName => 'alice',
    DurationSeconds => 900, Policy => $::SeedsPolicy })
--- more_headers eval: $::Form
--- response_body_like eval
qr{"AssumedRoleUser":\{"Arn":"acs:ram::11223344:role/oss-readonly/alice".*"AccessKeyId":"STS\.}
--- no_error_log
[error]



=== TEST 3: AssumeRole as XML
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'bob', Format => 'XML' })
--- response_headers
Content-Type: text/xml;charset=utf-8
--- response_body_like eval
qr{^<\?xml version="1\.0" encoding="UTF-8"\?><AssumeRoleResponse><RequestId>[0-9A-F-]{36}</RequestId><AssumedRoleUser><Arn>acs:ram::11223344:role/oss-readonly/bob</Arn><AssumedRoleId>300800000000000001:bob</AssumedRoleId></AssumedRoleUser><Credentials><SecurityToken>STS1\.[\w-]+</SecurityToken><AccessKeyId>STS\.\w+</AccessKeyId><AccessKeySecret>\w+</AccessKeySecret><Expiration>[\dT:Z-]+</Expiration></Credentials></AssumeRoleResponse>$}
--- no_error_log
[error]



=== TEST 4: the role's MaxSessionDuration of 12 hours, a trusted user
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole',
    RoleArn => 'acs:ram::11223344:role/Uploader', RoleSessionName => 'u-1',
    DurationSeconds => 43200, SourceIdentity => 'Alice' })
--- response_body_like eval
qr{"Arn":"acs:ram::11223344:role/uploader/u-1".*"SourceIdentity":"Alice"\}$}
--- no_error_log
[error]



=== TEST 5: GetCallerIdentity of a RAM user
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'GetCallerIdentity' })
--- response_body_like eval
qr{^\{"RequestId":"[0-9A-F-]{36}","IdentityType":"RAMUser","AccountId":"11223344","Arn":"acs:ram::11223344:user/appserver","UserId":"2\d{17}","PrincipalId":"2\d{17}"\}$}
--- no_error_log
[error]



=== TEST 6: GetCallerIdentity of an account's root key, POST
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'form', key => 'LTAIrootKey0000001',
              secret => 'RootSecret000000000000001',
              params => { Action => 'GetCallerIdentity' })
--- more_headers eval: $::Form
--- response_body_like eval
qr{"IdentityType":"Account","AccountId":"11223344","Arn":"acs:ram::11223344:root","UserId":"11223344","PrincipalId":"11223344"}
--- no_error_log
[error]



=== TEST 7: GetCallerIdentity with STS credentials from the endpoint
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::sts_caller_request()
--- response_body_like eval
qr{"IdentityType":"AssumedRoleUser","AccountId":"11223344","Arn":"acs:ram::11223344:assumed-role/oss-readonly/alice","RoleId":"300800000000000001","PrincipalId":"300800000000000001:alice"}
--- no_error_log
[error]



=== TEST 8: the token may also come in x-acs-security-token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval: $::HeaderTokenRequest
--- more_headers eval: $::HeaderToken
--- response_body_like: "IdentityType":"AssumedRoleUser"
--- no_error_log
[error]



=== TEST 9: a token of other credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::sts_caller_request(token_header => 1)
--- more_headers eval
::pop_lazy_header(sub { "x-acs-security-token: " . ::assume_role()->{token}
                         . "\n" })
--- error_code: 400
--- response_body_like: "Code":"InvalidSecurityToken.MismatchWithAccessKey"
--- no_error_log
[error]



=== TEST 10: @alicloud/sts-sdk 1.0.2: POST, query, no Content-Type, "*" in Policy
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'sdk', params => { Action => 'AssumeRole',
    RoleArn => $::ReadOnly, RoleSessionName => 'alice',
    Policy => $::SeedsPolicy, Format => 'json' })
--- response_body_like: "AccessKeyId":"STS\.
--- error_log
(sts-sdk signature form)
--- no_error_log
[error]



=== TEST 11: the sts-sdk form is refused when the request has a Content-Type
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'sdk', params => { Action => 'AssumeRole',
    RoleArn => $::ReadOnly, RoleSessionName => 'alice',
    Policy => $::SeedsPolicy })
--- more_headers eval: $::Form
--- error_code: 400
--- response_body_like: "Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId
--- error_log eval
qr/\[error\].*sts: AssumeRole SignatureDoesNotMatch for "LTAI5tAppServer0001"/



=== TEST 12: ... and with sts_endpoint_js_encoding off
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'sdk', path => '/sts-strict', params => {
    Action => 'AssumeRole', RoleArn => $::ReadOnly,
    RoleSessionName => 'alice', Policy => $::SeedsPolicy })
--- error_code: 400
--- response_body_like: "Code":"SignatureDoesNotMatch"
--- error_log
SignatureDoesNotMatch



=== TEST 13: the sts-sdk shape without ! ' ( ) * is the standard signature
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(shape => 'sdk', path => '/sts-strict',
              params => { Action => 'GetCallerIdentity' })
--- response_body_like: "IdentityType":"RAMUser"
--- no_error_log
[error]



=== TEST 14: a replayed request: SignatureNonceUsed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[ ::pop_twice(params => { Action => 'GetCallerIdentity' }) ]
--- error_code eval
[200, 400]
--- response_body_like eval
["RAMUser", '"Code":"SignatureNonceUsed","Message":"Specified signature nonce was used already\."']
--- error_log eval
qr/sts: GetCallerIdentity (for|SignatureNonceUsed for) "LTAI5tAppServer0001"/



=== TEST 15: a wrong secret: SignatureDoesNotMatch with the StringToSign
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(secret => 'NotTheSecret0123456789',
              params => { Action => 'GetCallerIdentity' })
--- error_code: 400
--- response_headers
X-STS-Code: SignatureDoesNotMatch
--- response_body_like eval
qr{"HostId":"localhost","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3DLTAI5tAppServer0001%26Action%3DGetCallerIdentity%26Format%3DJSON%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D\w+%26SignatureVersion%3D1\.0%26Timestamp%3D[\dT-]+%253A\d\d%253A\d\dZ%26Version%3D2015-04-01"\}$}
--- error_log
SignatureDoesNotMatch



=== TEST 16: a parameter changed after signing
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'alice' },
              set => { RoleArn => 'acs:ram::11223344:role/uploader' })
--- error_code: 400
--- response_body_like: "Code":"SignatureDoesNotMatch"
--- error_log
SignatureDoesNotMatch



=== TEST 17: an unknown AccessKeyId: 404
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(key => 'LTAI5tNobody000001',
              params => { Action => 'GetCallerIdentity' })
--- error_code: 404
--- response_body_like: "Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."
--- no_error_log
[error]



=== TEST 18: an Inactive AccessKey
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(key => 'LTAI5tAppServerOld1',
              secret => 'AppServerSecretOld0123456789ab',
              params => { Action => 'GetCallerIdentity' })
--- error_code: 400
--- response_body_like: "Code":"InvalidAccessKeyId.Inactive","Message":"Specified access key is disabled."
--- error_log
the AccessKey of acs:ram::11223344:user/appserver is Inactive



=== TEST 19: an account's root key may not assume roles
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(key => 'LTAIrootKey0000001',
              secret => 'RootSecret000000000000001',
              params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'alice' })
--- error_code: 403
--- response_body_like: "Code":"NoPermission","Message":"You are not authorized to do this action. You should be authorized by RAM."
--- error_log eval
qr/\[error\].*NoPermission for "LTAIrootKey0000001": LTAIrootKey0000001 is an account root key: a root key may not assume roles/



=== TEST 20: a user whose policies do not allow sts:AssumeRole
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(key => 'LTAI5tReader000001',
              secret => 'ReaderSecret0123456789abcdef',
              params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'alice' })
--- error_code: 403
--- response_body_like: "Code":"NoPermission"
--- error_log
the policies of acs:ram::11223344:user/reader do not allow sts:AssumeRole on acs:ram::11223344:role/oss-readonly (ImplicitDeny)



=== TEST 21: a user the role's trust policy does not name
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(key => 'LTAI5tBatch0000001',
              secret => 'BatchSecret0123456789abcdef0',
              params => { Action => 'AssumeRole',
                          RoleArn => 'acs:ram::11223344:role/uploader',
                          RoleSessionName => 'alice' })
--- error_code: 403
--- response_body_like: "Code":"NoPermission"
--- error_log
the trust policy of acs:ram::11223344:role/uploader does not allow acs:ram::11223344:user/batch (ImplicitDeny)



=== TEST 22: a role trusted by another account only
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole',
                          RoleArn => 'acs:ram::11223344:role/elsewhere',
                          RoleSessionName => 'alice' })
--- error_code: 403
--- response_body_like: "Code":"NoPermission"
--- error_log
NoPermission



=== TEST 23: no such role
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole',
                          RoleArn => 'acs:ram::11223344:role/missing',
                          RoleSessionName => 'alice' })
--- error_code: 404
--- response_body_like: "Code":"EntityNotExist.Role","Message":"The specified Role not exists ."
--- no_error_log
[error]



=== TEST 24: the AssumeRole parameters, each refused with its code
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[
::pop_request(params => { Action => 'AssumeRole', RoleSessionName => 'a1' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => 'oss-readonly',
                          RoleSessionName => 'a1' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a b' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1', DurationSeconds => 899 }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1', DurationSeconds => 3601 }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1', DurationSeconds => 'x' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1', Policy => 'undefined' }),
::pop_request(shape => 'form', params => { Action => 'AssumeRole',
    RoleArn => $::ReadOnly, RoleSessionName => 'a1',
    Policy => $::SeedsPolicy . (' ' x 2000) }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1', ExternalId => 'a b' }),
::pop_request(params => { Action => 'AssumeRole', RoleArn => $::ReadOnly,
                          RoleSessionName => 'a1',
                          SourceIdentity => 'acs:me' }),
]
--- more_headers eval
[("") x 9, $::Form, "", ""]
--- error_code eval
[(400) x 12]
--- response_body_like eval
[
'"Code":"MissingRoleArn","Message":"RoleArn is mandatory for this action."',
'"Code":"MissingRoleSessionName"',
'"Code":"InvalidParameter.RoleArn","Message":"The parameter RoleArn is wrongly formed."',
'"Code":"InvalidParameter.RoleSessionName"',
'"Code":"InvalidParameter.RoleSessionName"',
'"Code":"InvalidParameter.DurationSeconds","Message":"The Min/Max value of DurationSeconds is 15min/1hr."',
'"Code":"InvalidParameter.DurationSeconds"',
'"Code":"InvalidParameter.DurationSeconds"',
'"Code":"InvalidParameter.PolicyGrammar","Message":"The parameter Policy has not passed grammar check."',
'"Code":"InvalidParameter.PolicySize","Message":"The size of Policy must be smaller than 2048 bytes."',
'"Code":"InvalidParameter.ExternalId"',
'"Code":"InvalidParameter.SourceIdentity"',
]
--- no_error_log eval
[("[error]") x 12]



=== TEST 25: the common parameters, each refused with its code
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[
::pop_request(params => { Action => 'GetCallerIdentity' }, skew => -1000),
::pop_request(params => { Action => 'GetCallerIdentity' }, skew => 1000),
::pop_request(params => { Action => 'GetCallerIdentity',
                          Timestamp => '2024-05-15 12:30:45' }),
::pop_request(params => { Action => 'ListUsers' }),
::pop_request(params => { Action => 'GetCallerIdentity',
                          Version => '2014-01-01' }),
::pop_request(params => { Action => 'GetCallerIdentity',
                          Format => 'YAML' }),
::pop_request(params => { Action => 'GetCallerIdentity',
                          SignatureMethod => 'HMAC-SHA256' }),
::pop_request(params => { Action => 'GetCallerIdentity' },
              drop => ['SignatureNonce']),
::pop_request(params => { Action => 'GetCallerIdentity' }, unsigned => 1),
::pop_request(params => { Action => 'GetCallerIdentity' },
              drop => ['Timestamp']),
::pop_request(params => { Action => 'GetCallerIdentity' },
              drop => ['AccessKeyId']),
::pop_request(params => {}, drop => ['Action']),
::pop_request(key => 'STS.NoTokenHere0000000000000',
              params => { Action => 'GetCallerIdentity' }),
::pop_request(key => 'STS.NoTokenHere0000000000000',
              params => { Action => 'GetCallerIdentity',
                          SecurityToken => 'STS1.AAAA' }),
]
--- error_code eval
[400, 400, 400, 404, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body_like eval
[
'"Code":"InvalidTimeStamp.Expired","Message":"Specified time stamp or date value is expired."',
'"Code":"InvalidTimeStamp.Expired"',
'"Code":"InvalidTimeStamp.Format"',
'"Code":"InvalidAction.NotFound"',
'"Code":"InvalidVersion","Message":"Specified parameter Version is not valid."',
'"Code":"InvalidParameter","Message":"The specified parameter \\\\"Format\\\\" is not valid."',
'"Code":"InvalidSignatureMethod"',
'"Code":"MissingSignatureNonce","Message":"SignatureNonce is mandatory for this action."',
'"Code":"MissingSignature"',
'"Code":"MissingTimestamp"',
'"Code":"MissingAccessKeyId"',
'"Code":"MissingAction"',
'"Code":"MissingSecurityToken"',
'"Code":"InvalidSecurityToken.Malformed"',
]
--- no_error_log eval
[("[error]") x 14]



=== TEST 26: what nginx reads: query and form together, each at most once
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
[
::pop_request(shape => 'form', query => 'Format=JSON',
              params => { Action => 'GetCallerIdentity' }),
"GET /sts?Action=GetCallerIdentity&Action=AssumeRole",
"GET /sts?Action=%zz",
"GET /sts?Action=%C3",
"POST /sts\n{\"Action\":\"GetCallerIdentity\"}",
"PUT /sts\nx=1",
"DELETE /sts",
]
--- more_headers eval
[$::Form, "", "", "", "Content-Type: application/json\n", "", ""]
--- error_code eval
[400, 400, 400, 400, 400, 405, 405]
--- response_body_like eval
[
'"Code":"InvalidParameter","Message":"The specified parameter \\\\"Format\\\\" is not valid."',
'"Code":"InvalidParameter","Message":"The specified parameter \\\\"QueryString\\\\" is not valid."',
'"Code":"InvalidParameter"',
'"Code":"InvalidParameter"',
'"Code":"InvalidParameter.ContentType"',
'"Code":"UnsupportedHTTPMethod"',
'"Code":"UnsupportedHTTPMethod"',
]
--- no_error_log eval
[("[error]") x 7]



=== TEST 27: a body over 64 KiB
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /sts\nAction=GetCallerIdentity&Policy=" . ('x' x 70000)
--- more_headers eval: $::Form
--- error_code: 413
--- response_body_like: "Code":"RequestEntityTooLarge"
--- no_error_log
[error]



=== TEST 28: a body kept in a temporary file is read too
--- http_config eval: $::HttpConfig
--- config eval
"client_body_buffer_size 1k;\n" . $::Config
--- request eval
::pop_request(shape => 'form', params => { Action => 'AssumeRole',
    RoleArn => $::ReadOnly, RoleSessionName => 'alice',
    Policy => $::SeedsPolicy . (' ' x 1500) })
--- more_headers eval: $::Form
--- response_body_like: "AccessKeyId":"STS\.
--- no_error_log
[error]



=== TEST 29: the seeds: the token reads one jpg through the gateway
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /sample-bucket/2015/01/01/grass.jpg
--- more_headers eval
::gateway_headers('GET', '/sample-bucket/2015/01/01/grass.jpg',
                  policy => $::SeedsPolicy)
--- response_body
backend: GET /_backend/sample-bucket/2015/01/01/grass.jpg
--- no_error_log
[error]



=== TEST 30: the seeds: and fails on another object
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /sample-bucket/2015/01/01/notes.txt",
 "GET /sample-bucket/2015/01/02/grass.jpg",
 "GET /other-bucket/2015/01/01/grass.jpg",
 "PUT /sample-bucket/2015/01/01/new.jpg\nnew"]
--- more_headers eval
[::gateway_headers('GET', '/sample-bucket/2015/01/01/notes.txt',
                   policy => $::SeedsPolicy),
 ::gateway_headers('GET', '/sample-bucket/2015/01/02/grass.jpg',
                   policy => $::SeedsPolicy),
 ::gateway_headers('GET', '/other-bucket/2015/01/01/grass.jpg',
                   policy => $::SeedsPolicy),
 ::gateway_headers('PUT', '/sample-bucket/2015/01/01/new.jpg',
                   policy => $::SeedsPolicy)]
--- error_code eval
[403, 403, 403, 403]
--- response_body_like eval
[("<Code>AccessDenied</Code>") x 4]
--- error_log eval
[("AccessDenied") x 4]



=== TEST 31: without a session policy the role's read-only policy decides
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /other-bucket/any/object.txt",
 "DELETE /other-bucket/any/object.txt"]
--- more_headers eval
[::gateway_headers('GET', '/other-bucket/any/object.txt'),
 ::gateway_headers('DELETE', '/other-bucket/any/object.txt')]
--- error_code eval
[200, 403]
--- response_body_like eval
["backend: GET", "<Code>AccessDenied</Code>"]



=== TEST 32: sts_endpoint needs sts_keys and sts_directory
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location = /sts { sts_endpoint; }
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_endpoint" requires "sts_keys" and "sts_directory" at the http level}



=== TEST 33: sts_endpoint with sts_auth on is refused
--- http_config eval: $::HttpConfig
--- config
    sts_auth on;
    location = /sts { sts_endpoint; }
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_endpoint" cannot be used with "sts_auth on"}



=== TEST 34: nginx -t names the bad entry of the directory
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_BAD_DIRECTORY;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*directory ".*endpoint-bad\.json": Accounts\[0\]\(11223344\)\.Users\[0\]\(appserver\)\.AccessKeys\[1\]\(LTAI5tAppServerOld1\): "Status" must be "Active" or "Inactive"}



=== TEST 35: an attached policy that does not exist
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_BAD_DIRECTORY2;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*Accounts\[0\]\(11223344\)\.Roles\[1\]\(uploader\)\.AttachedPolicies\[0\]: no custom or system policy named "AliyunOSSWriteAccess"}



=== TEST 36: a directory others can read is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_OPEN_DIRECTORY;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*directory ".*endpoint-open\.json" holds AccessKey secrets and is accessible by group or others \(mode 0644\)}



=== TEST 37: a missing directory
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory /nonexistent/directory.json;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*cannot open directory "/nonexistent/directory\.json"}



=== TEST 38: sts_directory twice
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY;
    sts_directory $TEST_NGINX_STS_DIRECTORY;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_directory" directive is duplicate}



=== TEST 39: sts_nonce_cache below eight pages
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_STS_DIRECTORY;
    sts_nonce_cache 1k;
--- config
--- must_die
--- error_log eval
qr{\[emerg\].*invalid nonce cache size "1k"}



=== TEST 40: sts_nonce_cache sized, in a server with two endpoints
--- http_config eval
$::HttpConfig . "    sts_nonce_cache 1m;\n"
--- config eval: $::Config
--- request eval
[ ::pop_request(params => { Action => 'GetCallerIdentity' }),
  ::pop_request(path => '/sts-strict',
                params => { Action => 'GetCallerIdentity' }) ]
--- error_code eval
[200, 200]
--- response_body_like eval
["RAMUser", "RAMUser"]
--- no_error_log eval
["[error]", "[error]"]



=== TEST 41: a trust policy condition the call did not meet: the layer and the missing key
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole',
                          RoleArn => 'acs:ram::11223344:role/partner',
                          RoleSessionName => 'alice' })
--- error_code: 403
--- response_body_like: "Code":"NoPermission"
--- response_headers
X-STS-Layer: trust-policy
--- error_log
the trust policy of acs:ram::11223344:role/partner does not allow acs:ram::11223344:user/appserver (ImplicitDeny); missing condition keys: sts:ExternalId



=== TEST 42: the same call with the ExternalId: allowed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
::pop_request(params => { Action => 'AssumeRole',
                          RoleArn => 'acs:ram::11223344:role/partner',
                          RoleSessionName => 'alice',
                          ExternalId => 'abc-123' })
--- response_body_like: "AccessKeyId":"STS\.
--- response_headers
X-STS-Layer:
--- no_error_log
[error]



=== TEST 43: a revoked session can neither tell who it is nor chain roles
--- http_config eval
$::HttpConfig . "    sts_revoked $ENV{TEST_NGINX_STS_REVOKED_100};\n"
--- config eval: $::Config
--- request eval
[ map { my ($session, $params) = @$_;
        ::pop_lazy(sub {
            my $c = ::assume_role(session => $session);
            return "GET /sts?" . ::pop_params(method => 'GET',
                key => $c->{id}, secret => $c->{secret},
                params => { %$params, SecurityToken => $c->{token} });
        }) }
  ['gone', { Action => 'GetCallerIdentity' }],
  ['gone', { Action => 'AssumeRole', RoleArn => $::ReadOnly,
             RoleSessionName => 'chained' }],
  ['kept', { Action => 'GetCallerIdentity' }],
  ['kept', { Action => 'AssumeRole', RoleArn => $::ReadOnly,
             RoleSessionName => 'chained' }] ]
--- error_code eval
[400, 400, 200, 403]
--- response_body_like eval
['"Code":"InvalidSecurityToken.Expired"',
 '"Code":"InvalidSecurityToken.Expired"',
 '"IdentityType":"AssumedRoleUser"', '"Code":"NoPermission"']
