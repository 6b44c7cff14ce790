# Backend connectors: exactly what reaches the store, and what comes back.
#
# The store is a stub: a plain nginx server that answers every request
# with the request line and the headers that matter ("ECHO ..." body, and
# X-Echo-* response headers for HEAD), and that answers with S3-style
# headers and error documents.  The s3 connector's SigV4 signatures are
# recomputed here, in Perl, from what the stub saw; the oss connector's
# are checked by a second gateway (sts_auth on) standing in for the store.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use Digest::SHA qw(sha256_hex hmac_sha256 hmac_sha256_hex);
use MIME::Base64 qw(decode_base64);

repeat_each(1);
no_shuffle();
no_root_location();
check_accum_error_log();

our $rw = sts_issue(session_name => 'client');
our $gw = sts_issue(session_name => 'gateway', duration => 3600);
our $stranger = sts_issue(session_name => 'stranger', keys => 'other');

# the gateway's own key for the store (tests only)
our $secret = 'gateway-secret-for-tests-0123456789';
my $dir = "$ENV{TEST_NGINX_STS_DATA}/../tmp";
for my $f (["backend-creds.json", 0600], ["backend-creds-open.json", 0644]) {
    open my $fh, '>', "$dir/$f->[0]" or die "$f->[0]: $!\n";
    print $fh qq({"AccessKeyId": "AKIDGATEWAYEXAMPLE", )
              . qq("AccessKeySecret": "$secret"}\n);
    close $fh;
    chmod $f->[1], "$dir/$f->[0]";
}
$ENV{TEST_NGINX_STS_BACKEND_CREDS} = "$dir/backend-creds.json";
$ENV{TEST_NGINX_STS_BACKEND_OPEN_CREDS} = "$dir/backend-creds-open.json";
$ENV{TEST_NGINX_STS_GATEWAY_CREDS} = $gw->{file};
$ENV{TEST_NGINX_STS_STRANGER_CREDS} = $stranger->{file};

# a presigned request line
sub presigned {
    my ($c, $method, $path) = @_;
    my $target = sts_stsctl('sign', '--credentials', $c->{file},
                            '--host', 'localhost', '--presign', '600',
                            '--path-only',
                            $method, $path);
    chomp $target;
    return "$method $target";
}

# RFC 3986 strict, as SigV4 wants it
sub enc {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-_.~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

sub dec {
    my ($s) = @_;
    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $s;
}

# Recomputes the SigV4 signature of the request the stub echoed.
sub sigv4_of_echo {
    my ($body) = @_;
    my ($method, $target) = $body =~ /^ECHO (\S+) (\S+)$/m
        or return 'no echo';
    my %h;
    while ($body =~ /^([a-z0-9-]+): (.*)$/mg) {
        $h{$1} = $2;
    }
    my ($date, $region, $service, $signed, $sig) = ($h{authorization} // '')
        =~ m{^AWS4-HMAC-SHA256\ Credential=AKIDGATEWAYEXAMPLE/(\d{8})/
             ([^/]+)/([^/]+)/aws4_request,SignedHeaders=([^,]+),
             Signature=([0-9a-f]{64})$}x
        or return 'no SigV4 authorization';
    my ($path, $query) = split /\?/, $target, 2;
    my @q = map { my ($k, $v) = split /=/, $_, 2;
                  [enc(dec($k)), enc(dec($v // ''))] }
            grep { length } split /&/, $query // '';
    my $cq = join '&', map { "$_->[0]=$_->[1]" }
             sort { $a->[0] cmp $b->[0] or $a->[1] cmp $b->[1] } @q;
    my $ch = '';
    for my $name (split /;/, $signed) {
        return "signed header $name not echoed" unless exists $h{$name};
        (my $v = $h{$name}) =~ s/^\s+|\s+$//g;
        $v =~ s/\s+/ /g;
        $ch .= "$name:$v\n";
    }
    my $cr = join "\n", $method, $path, $cq, $ch, $signed,
                        $h{'x-amz-content-sha256'};
    my $sts = join "\n", 'AWS4-HMAC-SHA256', $h{'x-amz-date'},
                         "$date/$region/$service/aws4_request",
                         sha256_hex($cr);
    my $k = hmac_sha256($date, "AWS4$secret");
    $k = hmac_sha256($_, $k) for $region, $service, 'aws4_request';
    return hmac_sha256_hex($sts, $k) eq $sig ? 'valid' : "invalid:\n$cr";
}

# responses marked "--- sigv4: 1" (an eval array: per request) echo a
# SigV4 Authorization that verifies
sub sigv4 { my ($block, $i) = @_; return sts_pick(scalar $block->sigv4, $i) }

add_response_body_check(sub {
    my ($block, $body, $i) = @_;
    return unless sigv4($block, $i);
    is($body =~ /^authorization: AWS4-HMAC-SHA256 /m ? sigv4_of_echo($body)
                                                   : 'no SigV4 Authorization',
       'valid', $block->name . ' - the SigV4 signature verifies');
});

our $Store = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;

    # the stub store
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        default_type text/plain;

        location / {
            add_header X-Echo-Method $request_method always;
            add_header X-Echo-Uri $request_uri always;
            add_header x-amz-request-id 4442587FB7D0A2F9;
            add_header x-amz-id-2 "store/internal=";
            add_header x-amz-meta-color blue;
            add_header x-amz-version-id v7;
            add_header x-amz-storage-class STANDARD_IA;
            return 200 "ECHO $request_method $request_uri
host: $http_host
authorization: $http_authorization
content-type: $http_content_type
content-md5: $http_content_md5
x-amz-date: $http_x_amz_date
x-amz-content-sha256: $http_x_amz_content_sha256
x-amz-meta-author: $http_x_amz_meta_author
x-amz-acl: $http_x_amz_acl
x-amz-storage-class: $http_x_amz_storage_class
x-amz-tagging: $http_x_amz_tagging
x-amz-copy-source: $http_x_amz_copy_source
x-amz-metadata-directive: $http_x_amz_metadata_directive
x-oss-meta-author: $http_x_oss_meta_author
x-oss-date: $http_x_oss_date
x-oss-security-token: $http_x_oss_security_token
x-oss-object-acl: $http_x_oss_object_acl
x-oss-copy-source: $http_x_oss_copy_source
x-sts-access-key-id: $http_x_sts_access_key_id
";
        }

        location = /demo-bucket/missing.txt {
            return 404 '<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing.txt</Key></Error>';
        }

        location = /demo-bucket/forged.txt {
            return 403 '<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>AKIDGATEWAYEXAMPLE</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256</StringToSign><RequestId>4442587FB7D0A2F9</RequestId></Error>';
        }

        location = /demo-bucket/plain-error.txt {
            return 500 "not XML at all";
        }

        location = /demo-bucket/empty-error.txt {
            return 403 "";
        }
    }

    # a second gateway, standing in for an OSS store: it verifies what the
    # oss connector signed with the gateway's own (STS) key
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_2;

        location / {
            sts_auth on;
            sts_addressing path;
            proxy_set_header X-STS-Access-Key-Id $sts_access_key_id;
            proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        }
    }
_EOC_

our $S3 = <<'_EOC_';
    location / {
        sts_auth on;
        sts_addressing path;
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
_EOC_

sts_plan(per_response => sub { sigv4(@_) ? 1 : 0 });
run_tests();

__DATA__

=== TEST 1: s3: a PUT arrives with S3 headers only, signed with SigV4
--- sigv4: 1
--- http_config eval: $::Store
--- config eval: $::S3
--- request
PUT /demo-bucket/photos/a.txt
hello
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/photos/a.txt',
           '--content-type', 'text/plain',
           '--header', 'x-oss-meta-author:Alice',
           '--header', 'x-oss-object-acl:public-read',
           '--header', 'x-oss-storage-class:IA')
--- response_body_like eval
qr{\AECHO PUT /demo-bucket/photos/a.txt
host: 127\.0\.0\.1:\d+
authorization: AWS4-HMAC-SHA256 Credential=AKIDGATEWAYEXAMPLE/\d{8}/us-east-1/s3/aws4_request,SignedHeaders=content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-author;x-amz-storage-class,Signature=[0-9a-f]{64}
content-type: text/plain
content-md5: 
x-amz-date: \d{8}T\d{6}Z
x-amz-content-sha256: UNSIGNED-PAYLOAD
x-amz-meta-author: Alice
x-amz-acl: public-read
x-amz-storage-class: STANDARD_IA
x-amz-tagging: 
x-amz-copy-source: 
x-amz-metadata-directive: 
x-oss-meta-author: 
x-oss-date: 
x-oss-security-token: 
x-oss-object-acl: 
x-oss-copy-source: 
x-sts-access-key-id: 
\z}
--- no_error_log
[error]



=== TEST 2: s3: S3 response headers come back under OSS names
--- sigv4: 1
--- http_config eval: $::Store
--- config eval: $::S3
--- request
GET /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt')
--- response_headers
x-oss-request-id: 4442587FB7D0A2F9
x-oss-meta-color: blue
x-oss-version-id: v7
x-oss-storage-class: IA
! x-amz-request-id
! x-amz-id-2
! x-amz-meta-color
--- response_body_like: ^ECHO GET /demo-bucket/photos/a.txt\n



=== TEST 3: s3: any addressing reaches the store path style, encoded
--- sigv4: 1
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_addressing bucket demo-bucket;
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /dir/a%20b+c%E4%B8%AD.txt?max-keys=5
--- more_headers eval
::sts_sign($::rw, 'GET', '/dir/a%20b+c%E4%B8%AD.txt?max-keys=5',
           '--bucket', 'demo-bucket')
--- response_body_like: ^ECHO GET /demo-bucket/dir/a%20b%2Bc%E4%B8%AD.txt\?max-keys=5\n



=== TEST 4: s3: a presigned URL loses its signing parameters
--- sigv4: 1
--- http_config eval: $::Store
--- config eval: $::S3
--- request eval
::presigned($::rw, 'GET',
            '/demo-bucket/photos/a.txt?response-content-type=text/plain')
--- response_body_like: ^ECHO GET /demo-bucket/photos/a.txt\?response-content-type=text%2Fplain\n



=== TEST 5: s3: GetObjectMeta becomes a HEAD on the object
--- http_config eval: $::Store
--- config eval: $::S3
--- request
HEAD /demo-bucket/photos/a.txt?objectMeta
--- more_headers eval
::sts_sign($::rw, 'HEAD', '/demo-bucket/photos/a.txt?objectMeta')
--- response_headers
X-Echo-Method: HEAD
X-Echo-Uri: /demo-bucket/photos/a.txt
x-oss-request-id: 4442587FB7D0A2F9



=== TEST 6: s3: the copy source is mapped, its key re-encoded
--- sigv4: 1
--- http_config eval: $::Store
--- config eval: $::S3
--- request
PUT /demo-bucket/photos/copy.txt
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/photos/copy.txt',
           '--header', 'x-oss-copy-source:/demo-bucket/src%2Fa%20b.txt',
           '--header', 'x-oss-metadata-directive:REPLACE')
--- response_body_like eval
qr{^x-amz-copy-source:\ /demo-bucket/src/a%20b\.txt\n
   x-amz-metadata-directive:\ REPLACE\n.*
   ^x-oss-copy-source:\ \n}msx



=== TEST 7: s3: x-amz-* headers a client sends itself never reach the store
--- sigv4: 1
--- http_config eval: $::Store
--- config eval: $::S3
--- request
PUT /demo-bucket/photos/b.txt
x
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/photos/b.txt')
. "x-amz-copy-source: /secret-bucket/payroll.xlsx\n"
. "x-amz-meta-author: mallory\n"
--- response_body_like eval
qr{^x-amz-meta-author: \n.*^x-amz-copy-source: \n}ms



=== TEST 8: s3: AppendObject has no S3 twin: NotImplemented, not forwarded
--- http_config eval: $::Store
--- config eval: $::S3
--- request
POST /demo-bucket/photos/log.txt?append&position=0
line
--- more_headers eval
::sts_sign($::rw, 'POST', '/demo-bucket/photos/log.txt?append&position=0')
--- error_code: 400
--- response_body_like: <Code>NotImplemented</Code>.*<RequestId>[0-9A-F]{24}</RequestId>
--- response_headers_like
x-oss-request-id: [0-9A-F]{24}
X-Echo-Method: 
--- error_log eval
qr/AppendObject NotImplemented for "STS\.\w+": no S3 equivalent/



=== TEST 9: s3: nor have symlinks, image processing, GetObjectMeta by GET
--- http_config eval: $::Store
--- config eval: $::S3
--- request eval
["PUT /demo-bucket/photos/link?symlink",
 "GET /demo-bucket/photos/a.jpg?x-oss-process=image/resize,w_100",
 "GET /demo-bucket/photos/a.txt?objectMeta"]
--- more_headers eval
[::sts_sign($::rw, 'PUT', '/demo-bucket/photos/link?symlink',
            '--header', 'x-oss-symlink-target:photos/a.txt'),
 ::sts_sign($::rw, 'GET',
            '/demo-bucket/photos/a.jpg?x-oss-process=image/resize,w_100'),
 ::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt?objectMeta')]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[qr{<Code>NotImplemented</Code>}, qr{<Code>NotImplemented</Code>},
 qr{<Code>NotImplemented</Code>}]
--- grep_error_log eval: qr/\w+ NotImplemented for "STS\.\w+": [^,]+/
--- grep_error_log_out eval
[qr/PutSymlink NotImplemented for "STS\.\w+": no S3 equivalent/,
 qr/GetObject NotImplemented for "STS\.\w+": query parameter without/,
 qr/GetObjectMeta NotImplemented for "STS\.\w+": no S3 equivalent/]



=== TEST 10: s3: a header without an S3 twin is NotImplemented, and named
--- http_config eval: $::Store
--- config eval: $::S3
--- request
PUT /demo-bucket/photos/cb.txt
data
--- more_headers eval
::sts_sign($::rw, 'PUT', '/demo-bucket/photos/cb.txt',
           '--header', 'x-oss-callback:eyJjYWxsYmFja1VybCI6IngifQ==')
--- error_code: 400
--- response_body_like: <Code>NotImplemented</Code>.*<Header>x-oss-callback</Header>
--- error_log
PutObject NotImplemented



=== TEST 11: s3: a HEAD without a twin carries its error in x-oss-err
--- http_config eval: $::Store
--- config eval: $::S3
--- request
HEAD /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'HEAD', '/demo-bucket/photos/a.txt',
           '--header', 'x-oss-traffic-limit:819200')
--- error_code: 400
--- response_headers_like
x-oss-err: PD94bWwg\S+



=== TEST 12: s3: an S3 error document becomes the OSS one
--- http_config eval: $::Store
--- config eval: $::S3
--- request
GET /demo-bucket/missing.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/missing.txt')
--- error_code: 404
--- response_headers_like
x-oss-request-id: ([0-9A-F]{24})
--- response_body_like eval
qr{\A<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n}
. qr{ *<Code>NoSuchKey</Code>\n}
. qr{ *<Message>The specified key does not exist\.</Message>\n}
. qr{ *<RequestId>[0-9A-F]{24}</RequestId>\n}
. qr{ *<HostId>localhost</HostId>\n}
. qr{ *<Key>missing\.txt</Key>\n</Error>\n\z}



=== TEST 13: s3: the store refusing the gateway's signature is a 502, logged
--- http_config eval: $::Store
--- config eval: $::S3
--- request
GET /demo-bucket/forged.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/forged.txt')
--- error_code: 502
--- response_body_like eval
qr{<Code>InternalError</Code>(?!.*StringToSign)(?!.*AKIDGATEWAY)}s
--- error_log
the store refused the gateway's request: SignatureDoesNotMatch



=== TEST 14: s3: an error that is not an S3 document still reads as OSS
--- http_config eval: $::Store
--- config eval: $::S3
--- request
GET /demo-bucket/plain-error.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/plain-error.txt')
--- error_code: 500
--- response_body_like: <Code>InternalError</Code>



=== TEST 15: s3 without credentials: mapped, unsigned
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend s3;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt')
--- response_body_like eval
qr{^authorization: \n.*^x-amz-date: \n.*^x-oss-security-token: \n}ms
--- no_error_log
[warn]



=== TEST 16: s3 with credentials but without the Authorization line: warned
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt')
--- response_body_like eval
qr{^authorization: $}m
--- error_log
the request went to the store unsigned



=== TEST 17: s3: the signature covers sts_backend_region and the query
--- sigv4: 1
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend s3;
        sts_backend_region eu-west-3;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /demo-bucket/?prefix=photos/&delimiter=/&max-keys=10&list-type=2
--- more_headers eval
::sts_sign($::rw, 'GET',
           '/demo-bucket/?prefix=photos/&delimiter=/&max-keys=10&list-type=2')
--- response_body_like eval
qr{^authorization: AWS4-HMAC-SHA256 Credential=AKIDGATEWAYEXAMPLE/\d+/eu-west-3/s3/}m



=== TEST 18: a denied request never reaches the connector
--- http_config eval: $::Store
--- config eval: $::S3
--- request
GET /other-bucket/x.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/other-bucket/x.txt')
--- error_code: 403
--- response_body_like: <Code>AccessDenied</Code>
--- response_headers
! X-Echo-Method



=== TEST 19: oss: the verifying store refuses a key it cannot open
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend oss;
        sts_backend_credentials $TEST_NGINX_STS_STRANGER_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    }
--- request
GET /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt')
--- error_code: 403
--- response_body_like: <Code>InvalidSecurityToken</Code>
--- error_log eval
qr/GetObject InvalidSecurityToken for "\Q$::stranger->{id}\E"/



=== TEST 20: oss: V1 GET and PUT pass the verifying store as the gateway
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend oss;
        sts_backend_credentials $TEST_NGINX_STS_GATEWAY_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    }
--- request eval
["GET /demo-bucket/photos/a%20b.txt",
 "PUT /demo-bucket/photos/n.txt\nhello"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/photos/a%20b.txt'),
 ::sts_sign($::rw, 'PUT', '/demo-bucket/photos/n.txt',
            '--content-type', 'text/plain',
            '--header', 'x-oss-meta-author:Alice')]
--- response_body_like eval
[qr{^ECHO GET /demo-bucket/photos/a%20b\.txt\n.*}ms
 . qr{^x-sts-access-key-id: \Q$::gw->{id}\E\n}m,
 qr{^x-oss-meta-author: Alice\n.*}ms
 . qr{^x-sts-access-key-id: \Q$::gw->{id}\E\n}m]
--- no_error_log
[error]



=== TEST 21: oss v4: re-signed V4; the store verifies it
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend oss v4;
        sts_backend_region cn-hangzhou;
        sts_backend_credentials $TEST_NGINX_STS_GATEWAY_CREDS;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    }
--- request eval
["GET /demo-bucket/?prefix=photos/&max-keys=2",
 ::presigned($::rw, 'GET', '/demo-bucket/photos/x.txt?response-content-type=a/b')]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/?prefix=photos/&max-keys=2'), ""]
--- response_body_like eval
[qr{^ECHO GET /demo-bucket/\?prefix=photos/&max-keys=2\n.*}ms
 . qr{^x-sts-access-key-id: \Q$::gw->{id}\E\n}m,
 qr{^ECHO GET /demo-bucket/photos/x\.txt\?response-content-type=a(?:%2F|/)b\n.*}ms
 . qr{^x-sts-access-key-id: \Q$::gw->{id}\E\n}m]
--- no_error_log
[error]



=== TEST 22: none: the default, the client's credentials stripped, unsigned
--- http_config eval: $::Store
--- config
    location / {
        sts_auth on;
        sts_backend none;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request
GET /demo-bucket/photos/a.txt
--- more_headers eval
::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt')
--- response_body_like eval
qr{^authorization: \n.*^x-oss-security-token: \n}ms
--- response_headers
x-amz-request-id: 4442587FB7D0A2F9



=== TEST 23: oss without credentials is refused at start
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_backend oss;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_backend oss" requires "sts_backend_credentials"}



=== TEST 24: oss v4 without a region is refused at start
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_backend oss v4;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*"sts_backend oss v4" requires "sts_backend_region"}



=== TEST 25: backend credentials others can read are refused, with advice
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_BACKEND_OPEN_CREDS;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*backend credentials ".*backend-creds-open\.json" are accessible by group or others \(mode 0644\); run "chmod 600}



=== TEST 26: an unknown connector is refused
--- http_config
    sts_keys $TEST_NGINX_STS_KEYS;
--- config
    location / {
        sts_backend minio;
    }
--- must_die
--- error_log eval
qr{\[emerg\].*invalid value "minio", expected "none", "oss \[v1 \| v4\]" or "s3"}



=== TEST 27: settings are inherited; a location may turn the connector off
--- sigv4 eval: [1, 0]
--- http_config eval
$::Store . q{
    sts_backend s3;
    sts_backend_credentials $TEST_NGINX_STS_BACKEND_CREDS;
}
--- config
    location / {
        sts_auth on;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
    location /plain/ {
        sts_auth on;
        sts_addressing bucket demo-bucket;
        sts_backend none;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
--- request eval
["GET /demo-bucket/photos/a.txt", "GET /plain/x.txt"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/photos/a.txt'),
 ::sts_sign($::rw, 'GET', '/plain/x.txt', '--bucket', 'demo-bucket')]
--- response_body_like eval
[qr{^authorization: AWS4-HMAC-SHA256 }m, qr{^authorization: \n}m]



=== TEST 28: s3: PostObject is the PUT of its file part, under the key authorised
--- http_config eval: $::Store
--- config eval: $::S3
--- request eval
my ($ct, $body) = ::sts_post_form($::rw, key => 'photos/form.txt',
                                   file => 'f' x 300_000);
$::PostType = $ct;
"POST /demo-bucket/\n$body"
--- more_headers eval
"Content-Type: $::PostType\n"
--- error_code: 201
--- response_headers
X-Echo-Method: PUT
X-Echo-Uri: /demo-bucket/photos/form.txt
--- response_body_like: <PostResponse>\s*<Bucket>demo-bucket</Bucket>.*<Key>photos/form\.txt</Key>
--- no_error_log
[error]



=== TEST 29: s3: an error without a body gets the OSS document of its status
--- http_config eval: $::Store
--- config eval: $::S3
--- request eval
["GET /demo-bucket/empty-error.txt", "HEAD /demo-bucket/empty-error.txt",
 "HEAD /demo-bucket/missing.txt"]
--- more_headers eval
[::sts_sign($::rw, 'GET', '/demo-bucket/empty-error.txt'),
 ::sts_sign($::rw, 'HEAD', '/demo-bucket/empty-error.txt'),
 ::sts_sign($::rw, 'HEAD', '/demo-bucket/missing.txt')]
--- error_code eval
[403, 403, 404]
--- response_body_like eval
[qr{<Code>AccessDenied</Code>}, qr{^$}, qr{^$}]
--- response_headers_like eval
["x-oss-request-id: [0-9A-F]{24}", "x-oss-err: PD94bWwg\\S+",
 "x-oss-err: PD94bWwg\\S+"]
