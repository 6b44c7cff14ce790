# The token cache (on by default, and off), long-term RAM keys at the
# gateway, live role policies from the RAM directory, and the variables
# that tell who asked and how.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

my $tmp = "$ENV{TEST_NGINX_STS_DATA}/../tmp";

# the role "app" may read and write demo-bucket in the directory; the
# "narrowed" role there may only read demo-bucket/public/*
my $rw = '{"Version":"1","Statement":[{"Effect":"Allow","Action":'
       . '["oss:GetObject","oss:PutObject"],"Resource":'
       . '["acs:oss:*:*:demo-bucket/*"]}]}';
my $pub = '{"Version":"1","Statement":[{"Effect":"Allow","Action":'
        . '"oss:GetObject","Resource":"acs:oss:*:*:demo-bucket/public/*"}]}';

my $dir = <<"_EOD_";
{
  "Accounts": [
    {
      "AccountId": "1234567890123456",
      "AccessKeys": [
        { "AccessKeyId": "LTAIownerRoot00001",
          "AccessKeySecret": "OwnerRootSecret000000000001" }
      ],
      "Policies": [
        { "PolicyName": "rw", "PolicyDocument": $rw },
        { "PolicyName": "pub", "PolicyDocument": $pub }
      ],
      "Users": [
        { "UserName": "uploader",
          "AccessKeys": [
            { "AccessKeyId": "LTAI5tUploader0001",
              "AccessKeySecret": "UploaderSecret0123456789abcd" },
            { "AccessKeyId": "LTAI5tUploaderOld1",
              "AccessKeySecret": "UploaderSecretOld0123456789a",
              "Status": "Inactive" }
          ],
          "AttachedPolicies": ["rw"] }
      ],
      "Roles": [
        { "RoleName": "app",
          "AssumeRolePolicyDocument": { "Version": "1", "Statement": [
            { "Action": "sts:AssumeRole", "Effect": "Allow",
              "Principal": { "RAM": ["acs:ram::1234567890123456:root"] } } ] },
          "AttachedPolicies": ["rw"] },
        { "RoleName": "narrowed",
          "AssumeRolePolicyDocument": { "Version": "1", "Statement": [
            { "Action": "sts:AssumeRole", "Effect": "Allow",
              "Principal": { "RAM": ["acs:ram::1234567890123456:root"] } } ] },
          "AttachedPolicies": ["pub"] }
      ]
    },
    {
      "AccountId": "9999999999999999",
      "AccessKeys": [
        { "AccessKeyId": "LTAIotherRoot00001",
          "AccessKeySecret": "OtherRootSecret000000000001" }
      ]
    }
  ]
}
_EOD_

open my $fh, '>', "$tmp/directory-080.json" or die;
print $fh $dir;
close $fh;
chmod 0600, "$tmp/directory-080.json";
$ENV{TEST_NGINX_DIRECTORY_080} = "$tmp/directory-080.json";

# tokens: for "app" (in the directory), for "narrowed" whose token
# snapshot still says read-write, and for a role the directory lacks
our $app = sts_issue(role_arn => 'acs:ram::1234567890123456:role/app',
                     session_name => 'phone-1');
our $narrowed = sts_issue(role_arn => 'acs:ram::1234567890123456:role/narrowed');
our $gone = sts_issue(role_arn => 'acs:ram::1234567890123456:role/removed');
our $photos = sts_issue(session_policy => 'session-photos');

sub longterm {
    my ($id, $secret) = @_;
    return { id => $id, secret => $secret };
}

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $HttpConfigNoCache = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_cache off;
_EOC_

our $HttpConfigDir = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_directory $TEST_NGINX_DIRECTORY_080;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_account 1234567890123456;
        proxy_set_header X-Who "$sts_auth_type $sts_role_arn $sts_source";
        proxy_set_header X-Expires-In $sts_token_expires_in;
        proxy_set_header X-Cache $sts_token_cache;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_uri [$http_x_who] [$http_x_expires_in] $http_x_cache\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: without the cache: allowed, and the variables
--- http_config eval: $::HttpConfigNoCache
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::sts_sign($::app, 'GET', '/demo-bucket/a.txt')
--- response_body_like eval
qr{^backend: /_backend/demo-bucket/a\.txt \[v1 acs:ram::1234567890123456:role/app\] \[3[56]\d\d\] off$}
--- no_error_log
[error]



=== TEST 2: without the cache: the session policy still narrows
--- http_config eval: $::HttpConfigNoCache
--- config eval: $::Config
--- request eval
["GET /demo-bucket/photos/a.jpg", "GET /demo-bucket/docs/a.txt"]
--- more_headers eval
[::sts_sign($::photos, 'GET', '/demo-bucket/photos/a.jpg'),
 ::sts_sign($::photos, 'GET', '/demo-bucket/docs/a.txt')]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr/^backend:/, qr/<Code>AccessDenied<\/Code>/]



=== TEST 3: with the cache, the same token again and again: hits
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/photos/1.jpg", "GET /demo-bucket/photos/2.jpg",
 "GET /demo-bucket/photos/3.jpg", "GET /demo-bucket/docs/4.txt"]
--- more_headers eval
[::sts_sign($::photos, 'GET', '/demo-bucket/photos/1.jpg'),
 ::sts_sign($::photos, 'GET', '/demo-bucket/photos/2.jpg'),
 ::sts_sign($::photos, 'GET', '/demo-bucket/photos/3.jpg'),
 ::sts_sign($::photos, 'GET', '/demo-bucket/docs/4.txt')]
--- error_code eval
[200, 200, 200, 403]
--- response_body_like eval
[qr/ (miss|hit)$/, qr/ hit$/, qr/ hit$/, qr/<Code>AccessDenied<\/Code>/]



=== TEST 4: with the cache: a cached token still checks each signature
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["GET /demo-bucket/photos/a.jpg", "GET /demo-bucket/photos/a.jpg"]
--- more_headers eval
my $good = ::sts_sign($::photos, 'GET', '/demo-bucket/photos/a.jpg');
(my $bad = $good) =~ s/^(Authorization: OSS [^:]+:)(.)/$1 . ($2 eq 'A' ? 'B' : 'A')/me;
[$good, $bad]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr/^backend:/, qr/<Code>SignatureDoesNotMatch<\/Code>/]



=== TEST 5: sts_cache takes off or a positive number
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_cache lots;
--- config
--- must_die
--- error_log
invalid value "lots", expected "off" or a number of tokens



=== TEST 6: a RAM user's long-term key, signed V1: its own policies decide
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request eval
["PUT /demo-bucket/up.txt\nhello", "GET /other-bucket/x.txt"]
--- more_headers eval
[::sts_sign(::longterm('LTAI5tUploader0001', 'UploaderSecret0123456789abcd'),
            'PUT', '/demo-bucket/up.txt'),
 ::sts_sign(::longterm('LTAI5tUploader0001', 'UploaderSecret0123456789abcd'),
            'GET', '/other-bucket/x.txt')]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr{^backend: /_backend/demo-bucket/up\.txt \[v1 acs:ram::1234567890123456:user/uploader\] \[\] $},
 qr/<Code>AccessDenied<\/Code>/]



=== TEST 7: an inactive long-term key
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::sts_sign(::longterm('LTAI5tUploaderOld1', 'UploaderSecretOld0123456789a'),
           'GET', '/demo-bucket/a.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>InvalidAccessKeyId</Code>\s*<Message>The OSS Access Key Id you provided is disabled\.</Message>}
--- error_log
the AccessKey is inactive



=== TEST 8: an unknown long-term key, and a right key with a wrong secret
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request eval
["GET /demo-bucket/a.txt", "GET /demo-bucket/a.txt"]
--- more_headers eval
[::sts_sign(::longterm('LTAI5tNobody000001', 'x' x 28), 'GET', '/demo-bucket/a.txt'),
 ::sts_sign(::longterm('LTAI5tUploader0001', 'y' x 28), 'GET', '/demo-bucket/a.txt')]
--- error_code eval
[403, 403]
--- response_body_like eval
[qr/<Code>InvalidAccessKeyId<\/Code>/, qr/<Code>SignatureDoesNotMatch<\/Code>/]



=== TEST 9: the bucket owner's root key, and another account's
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request eval
["DELETE /demo-bucket/a.txt", "DELETE /demo-bucket/a.txt"]
--- more_headers eval
[::sts_sign(::longterm('LTAIownerRoot00001', 'OwnerRootSecret000000000001'),
            'DELETE', '/demo-bucket/a.txt'),
 ::sts_sign(::longterm('LTAIotherRoot00001', 'OtherRootSecret000000000001'),
            'DELETE', '/demo-bucket/a.txt')]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr{^backend: /_backend/demo-bucket/a\.txt \[v1 acs:ram::1234567890123456:root\] \[\] $},
 qr/<Code>AccessDenied<\/Code>/]



=== TEST 10: live role policies: the directory's narrower role wins over the token's snapshot
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request eval
["GET /demo-bucket/public/a.txt", "GET /demo-bucket/private/a.txt"]
--- more_headers eval
[::sts_sign($::narrowed, 'GET', '/demo-bucket/public/a.txt'),
 ::sts_sign($::narrowed, 'GET', '/demo-bucket/private/a.txt')]
--- error_code eval
[200, 403]
--- response_body_like eval
[qr/^backend:/, qr/<Code>AccessDenied<\/Code>/]



=== TEST 11: live role policies: a role removed from the directory
--- http_config eval: $::HttpConfigDir
--- config eval: $::Config
--- request
GET /demo-bucket/a.txt
--- more_headers eval
::sts_sign($::gone, 'GET', '/demo-bucket/a.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
the role is not in the RAM directory



=== TEST 12: the same snapshot-only token works where no directory is configured
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/private/a.txt
--- more_headers eval
::sts_sign($::narrowed, 'GET', '/demo-bucket/private/a.txt')
--- response_body_like: ^backend:



=== TEST 13: presigned and V4 show in $sts_auth_type
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $u = ::sts_sign($::app, 'GET', '/demo-bucket/a.txt', '--presign', 300);
$u =~ s/\n$//;
["GET $u", "GET /demo-bucket/a.txt"]
--- more_headers eval
["", ::sts_sign($::app, 'GET', '/demo-bucket/a.txt', '--v4', '--region', 'cn-hangzhou')]
--- response_body_like eval
[qr/\[presign-v1 acs:ram/, qr/\[v4 acs:ram/]
