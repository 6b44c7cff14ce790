# The store acts on exactly what was authorised: the whole OSS action
# table through the s3 connector (t/090-backend-s3.t) to a recording
# backend (t/lib/StsFwd.pm).  An operation without an S3 twin is
# NotImplemented and never reaches the store.

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsFwd;

repeat_each(1);
no_shuffle();
no_root_location();
add_response_body_check(\&fwd_check_body);

# the gateway's own key for the store (tests only)
my $creds = "$ENV{TEST_NGINX_STS_DATA}/../tmp/forward-backend-creds.json";
open my $fh, '>', $creds or die "$creds: $!\n";
print $fh qq({"AccessKeyId": "AKIDFORWARDEXAMPLE", )
          . qq("AccessKeySecret": "forward-secret-for-tests-0123456789"}\n);
close $fh;
chmod 0600, $creds;
$ENV{TEST_NGINX_STS_FORWARD_CREDS} = $creds;

our $HttpConfig = $StsFwd::HttpConfig;

our $Config = <<'_EOC_' . $StsFwd::RecLog;
    location / {
        sts_auth on;
        sts_addressing path;
        sts_bucket_config on;
        sts_backend s3;
        sts_backend_credentials $TEST_NGINX_STS_FORWARD_CREDS;
        proxy_set_header Authorization $sts_backend_authorization;
        proxy_set_header X-Rec-Grants $sts_grants;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    }
_EOC_

spec_string(fwd_spec('s3'));

fwd_plan();
run_tests();
