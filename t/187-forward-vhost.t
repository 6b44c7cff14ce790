# The store acts on exactly what was authorised: the whole OSS action
# table through the gateway, virtual-host addressing (Host:
# <bucket>.oss.example.com), to a recording backend that gets the
# path-style $sts_backend_uri (t/lib/StsFwd.pm).

use Test::Nginx::Socket;
use StsPlan;
use StsTest;
use StsFwd;

repeat_each(1);
no_shuffle();
no_root_location();
add_response_body_check(\&fwd_check_body);

our $HttpConfig = $StsFwd::HttpConfig;

our $Config = <<'_EOC_' . $StsFwd::RecLog;
    location / {
        sts_auth on;
        sts_addressing virtual-host oss.example.com;
        sts_bucket_config on;
        proxy_set_header X-Rec-Grants $sts_grants;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1$sts_backend_uri;
    }
_EOC_

spec_string(fwd_spec('vhost'));

fwd_plan();
run_tests();
