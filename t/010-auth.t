# The access phase end to end: a token minted by stsctl opens in nginx,
# the OSS V1 signature is checked with the token's secret, the policies
# decide, and an allowed request is proxied with its credentials removed.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;

repeat_each(2);
no_shuffle();
no_root_location();

our $rw = sts_issue();
our $photos = sts_issue(session_policy => 'session-photos');
our $deny = sts_issue(role_policy => ['deny-secret']);
our $other_kid = sts_issue(keys => 'other');
our $expired = sts_issue(duration => 900, issued_at => time() - 1000);
our $second = sts_issue();

our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
_EOC_

our $Config = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        sts_account 1234567890123456;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/_backend$request_uri;
    }

    location /_backend/ {
        return 200 "backend: $request_method $request_uri auth=[$http_authorization] token=[$http_x_oss_security_token] ak=[$sts_access_key_id]\n";
    }
_EOC_

sts_plan();
run_tests();

__DATA__

=== TEST 1: allowed GET is proxied, credentials stripped
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt')
--- response_body
backend: GET /_backend/demo-bucket/hello.txt auth=[] token=[] ak=[]
--- no_error_log
[error]



=== TEST 2: allowed listing of the bucket with a query
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/?prefix=photos%2F&max-keys=10
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=photos%2F&max-keys=10')
--- response_body
backend: GET /_backend/demo-bucket/?prefix=photos%2F&max-keys=10 auth=[] token=[] ak=[]
--- no_error_log
[error]



=== TEST 3: the role policy does not cover another bucket
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /other-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/other-bucket/hello.txt')
--- error_code: 403
--- response_headers
Content-Type: application/xml
--- response_body_like eval
qr{<Code>AccessDenied</Code>\s*<Message>Access denied by authorizer's policy\.</Message>\s*<RequestId>[0-9A-F]{24}</RequestId>\s*<HostId>localhost</HostId>}s
--- error_log eval
qr/\[error\].*sts: GetObject AccessDenied for "STS\.\w+": ImplicitDeny/



=== TEST 4: the session policy narrows the role: photos/ allowed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/photos/cat.jpg
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/photos/cat.jpg')
--- response_body
backend: GET /_backend/demo-bucket/photos/cat.jpg auth=[] token=[] ak=[]
--- no_error_log
[error]



=== TEST 5: the session policy narrows the role: elsewhere denied
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/docs/report.txt
--- more_headers eval
::sts_sign($::photos, 'GET', '/demo-bucket/docs/report.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
AccessDenied



=== TEST 6: explicit Deny beats Allow
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/secret/plan.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/ExplicitDeny/



=== TEST 7: the same token is allowed outside the denied prefix
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
DELETE /demo-bucket/public/plan.txt
--- more_headers eval
::sts_sign($::deny, 'DELETE', '/demo-bucket/public/plan.txt')
--- response_body
backend: DELETE /_backend/demo-bucket/public/plan.txt auth=[] token=[] ak=[]
--- no_error_log
[error]



=== TEST 8: a signature with one character changed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt');
$h =~ s/^(Authorization: OSS [^:]+:)(.)/$1 . ($2 eq 'A' ? 'B' : 'A')/me;
$h
--- error_code: 403
--- response_body_like eval
qr{<Code>SignatureDoesNotMatch</Code>.*<OSSAccessKeyId>STS\.\w+</OSSAccessKeyId>\s*<SignatureProvided>[^<]+</SignatureProvided>\s*<StringToSign>GET\n\n\n[^\n]+ GMT\nx-oss-security-token:STS1\.[\w-]+\n/demo-bucket/hello\.txt</StringToSign>\s*<StringToSignBytes>47 45 54 0A }s
--- error_log eval
qr/\[error\].*SignatureDoesNotMatch for "STS\.\w+": signature does not match/



=== TEST 9: a signature over another path does not verify
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/other.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like: <Code>SignatureDoesNotMatch</Code>
--- error_log
SignatureDoesNotMatch



=== TEST 10: one character of the token changed
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $c = { %$::rw };
$c->{token} = ::sts_flip($c->{token}, 40);
::sts_sign($c, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>InvalidSecurityToken</Code>\s*<Message>The security token you provided is invalid\.</Message>}
--- error_log eval
qr/\[error\].*InvalidSecurityToken for "STS\.\w+": token authentication tag does not verify/



=== TEST 11: an expired token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
::sts_sign($::expired, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>SecurityTokenExpired</Code>\s*<Message>The security token you provided has expired\.</Message>}
--- error_log
token has expired



=== TEST 12: a token sealed with a key nginx does not have
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
::sts_sign($::other_kid, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like: <Code>InvalidSecurityToken</Code>
--- error_log
token key id is not in the keyring



=== TEST 13: AccessKeyId of another token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $c = { %$::rw, id => $::second->{id} };
::sts_sign($c, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like eval
qr{<Code>AccessKeyIdAndSecurityTokenNotMatch</Code>}
--- error_log
AccessKeyId does not match the token



=== TEST 14: an STS AccessKeyId without its token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $c = { %$::rw };
delete $c->{token};
::sts_sign($c, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like: <Code>InvalidSecurityToken</Code>
--- error_log
no security token



=== TEST 15: no credentials at all
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- error_code: 403
--- response_body_like eval
qr{<Code>AccessDenied</Code>\s*<Message>Anonymous access is forbidden for this operation\.</Message>}
--- error_log
no credentials



=== TEST 16: a malformed Authorization header
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers
Authorization: OSS no-colon-here
Date: Wed, 15 May 2024 12:30:45 GMT
--- error_code: 400
--- response_body_like eval
qr{<Code>InvalidArgument</Code>\s*<Message>Authorization header is invalid\.</Message>}
--- no_error_log
[error]



=== TEST 17: a long-term AccessKeyId is not accepted at the gateway
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $c = { id => 'LTAI5tExampleLongTerm', secret => 'x' x 30 };
::sts_sign($c, 'GET', '/demo-bucket/hello.txt')
--- error_code: 403
--- response_body_like: <Code>InvalidAccessKeyId</Code>
--- error_log
not an STS AccessKeyId



=== TEST 18: a Date an hour old
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt', '--date', time() - 3600)
--- error_code: 403
--- response_body_like eval
qr{<Code>RequestTimeTooSkewed</Code>.*<RequestTime>[^<]+GMT</RequestTime>\s*<ServerTime>[^<]+GMT</ServerTime>}s
--- no_error_log
[error]



=== TEST 19: a denied HEAD carries the error in x-oss-err
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
HEAD /other-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'HEAD', '/other-bucket/hello.txt')
--- error_code: 403
--- response_headers_like
x-oss-request-id: [0-9A-F]{24}
x-oss-err: PD94bWwg.+
--- response_body



=== TEST 20: neither the secret, the token nor the signature is logged
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
my $h = ::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt');
$h =~ s/^(Authorization: OSS [^:]+:)(.)/$1 . ($2 eq 'A' ? 'B' : 'A')/me;
$h
--- log_level: info
--- error_code: 403
--- no_error_log eval
[$::rw->{secret}, $::rw->{token}, substr($::rw->{token}, 5, 40), 'Authorization:']



=== TEST 21: at debug level the module still logs no secret or token
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt')
--- log_level: debug
--- response_body_like: ^backend: GET
--- no_error_log eval
[$::rw->{secret}, qr/sts:.*\Q$::rw->{token}\E/, qr/sts:.*STS1\./]



=== TEST 22: an operation the gateway does not map is refused
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/hello.txt?frobnicate
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/hello.txt?frobnicate')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log
request not mapped



=== TEST 23: CopyObject needs read access to the source too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
PUT /demo-bucket/copy.txt
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/copy.txt',
         '--header', 'x-oss-copy-source:/other-bucket/secret.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- error_log eval
qr/CopyObject AccessDenied/



=== TEST 25: a dot segment in the key is refused (stricter than OSS)
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/../secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/secret/plan.txt')
--- error_code: 400
--- response_body_like eval
qr{<Code>InvalidObjectName</Code>}
--- no_error_log
[error]



=== TEST 26: an encoded dot segment is refused too
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /demo-bucket/public/%2E%2E/secret/plan.txt
--- more_headers eval
::sts_sign($::deny, 'GET', '/demo-bucket/public/secret/plan.txt')
--- error_code: 400
--- response_body_like eval
qr{<Code>InvalidObjectName</Code>}
--- no_error_log
[error]



=== TEST 27: a CORS preflight passes without credentials
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
OPTIONS /demo-bucket/hello.txt
--- more_headers
Origin: https://app.example.com
Access-Control-Request-Method: PUT
--- response_body
backend: OPTIONS /_backend/demo-bucket/hello.txt auth=[] token=[] ak=[]
--- no_error_log
[error]



=== TEST 28: a bad bucket name
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request
GET /Bad_Bucket/hello.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/hello.txt')
--- error_code: 400
--- response_body_like eval
qr{<Code>InvalidBucketName</Code>.*<BucketName>Bad_Bucket</BucketName>}s
--- no_error_log
[error]
