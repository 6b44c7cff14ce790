package StsFwd;

# "The store acts on exactly what was authorised", over the whole OSS
# action table (src/core/sts_oss.c): one table of cases, sent through the
# gateway to a recording backend in three configurations (t/185-*.t,
# t/186-*.t, t/187-*.t).
#
# The recording backend is a second server in http_config.  It reads the
# whole body (proxied to itself, then answered from an error_page), and
# answers with what it received: the request line, Content-Length, the
# grants the gateway evaluated ($sts_grants, sent along by the gateway in
# X-Rec-Grants), the copy source and symlink target headers, a leftover
# security token, and the body.  Every request it receives is also
# written to logs/rec.log, which the last request of every block reads
# back: a refused request must not be there.
#
# Each case gives the request, and either what the backend must receive
# (method and target, path style; the grants, as "action resource"; the
# copy source / symlink target header) or the refusal (status, Code).
# Every allowed response is also checked generically: the bucket and key
# the backend acts on (decoded, as the store decodes them: the path, the
# copy source and symlink target, DeleteMultipleObjects keys under
# encoding-type=url, PostObject's ${filename}) must be resources the
# gateway authorised.

use strict;
use warnings;

use Exporter 'import';
use Digest::MD5 qw(md5_base64);
use MIME::Base64 qw(encode_base64url);
use StsTest;
use StsPlan ();
use Test::More;

our @EXPORT = qw(fwd_spec fwd_check_body fwd_group fwd_plan);

# the recording backend, and what every configuration shares
our $HttpConfig = <<'_EOC_';
    sts_keys $TEST_NGINX_STS_KEYS;
    sts_presign_uses_zone 32k;
    log_format rec '$request_method $request_uri len=$content_length';

    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 10m;
        client_body_buffer_size 10m;
        access_log logs/rec.log rec;

        # the body is read (sent to /__sink), then answered from @rec
        location / {
            proxy_pass http://127.0.0.1:$server_port/__sink;
            proxy_intercept_errors on;
            error_page 418 = @rec;
        }

        location = /__sink {
            access_log off;
            return 418;
        }

        location @rec {
            add_header X-Rec "$request_method $request_uri" always;
            add_header X-Rec-Grants $http_x_rec_grants always;
            return 200 "REC $request_method $request_uri
len=$content_length
grants=$http_x_rec_grants
copy=$http_x_oss_copy_source$http_x_amz_copy_source
link=$http_x_oss_symlink_target
token=$http_x_oss_security_token

$request_body";
        }
    }
_EOC_

# what reached the recorder (the gateway's own location)
our $RecLog = <<'_EOC_';
    location = /__rec {
        sts_auth off;
        default_type text/plain;
        alias logs/rec.log;
    }
_EOC_

our $Cred = sts_issue(role_policy => ['forward-all'],
                      session_name => 'forward');

sub b64u { encode_base64url($_[0]) }
sub md5h { my $m = md5_base64($_[0]); return "$m==" }

my $Domain = 'oss.example.com';

# ---------------------------------------------------------------------
# The table.  grp: the block the case runs in; m, t: method and request
# target (path style, as sent); h: signed headers; raw: unsigned header
# lines added after signing; body; post: a PostObject form
# (sts_post_form options); presign: v1 | v4.  Expectations: fwd (path
# style target the backend receives), g (grants), copy, link, or refuse
# => [status, Code].  s3 => 'NI': NotImplemented under the s3 connector;
# s3 => { put => target }: a PostObject the s3 connector sends as the PUT
# of its file part (file: its content, else sts_post_form's), answered
# as OSS answers the form (201, PostResponse);
# s3 => {...}: expectations that differ there.  known: a mismatch the
# gateway once had (what went wrong, in the block's title: a regression
# guard in a block of its own).  novhost: path style only.
# ---------------------------------------------------------------------

my $B = 'demo-bucket';
my $body = 'hello, store';             # 12 bytes
my $xml = '<X>config</X>';
my $ok_delete = sts_delete_xml('a.txt', 'dir/b c.txt',
                               ["v/\x{e4}\x{b8}\x{ad}.txt", 'v1']);
my $amp_delete = sts_delete_xml('r&d/<x>.txt', '?acl', 'uploads');
my $bad_delete = sts_delete_xml('a.txt', 'secret/plan.txt');
my $url_delete = sts_delete_xml('a%2Fb');

sub G { [ map { my ($a, $r) = split / /, $_, 2; [$a, $r] } @_ ] }

our @Cases = (

    # 1: service

    { grp => 'service', m => 'GET', t => '/', fwd => '/',
      g => G('oss:ListBuckets *') },
    { grp => 'service', m => 'GET', t => '/?prefix=a%20b&max-keys=2',
      fwd => '/?prefix=a%20b&max-keys=2', g => G('oss:ListBuckets *') },

    # 2-6, 8, 9: bucket level

    { grp => 'list', m => 'GET', t => "/$B/", fwd => "/$B/",
      g => G("oss:ListObjects $B") },
    { grp => 'list', m => 'GET', t => "/$B", fwd => "/$B/",
      g => G("oss:ListObjects $B"), novhost => 1 },
    { grp => 'list', m => 'GET',
      t => "/$B/?prefix=photos%2F2024%2F&delimiter=%2F&max-keys=10",
      fwd => "/$B/?prefix=photos%2F2024%2F&delimiter=%2F&max-keys=10",
      g => G("oss:ListObjects $B") },
    # '+' in a query is a space
    { grp => 'list', m => 'GET', t => "/$B/?list-type=2&prefix=a+b%2Bc",
      fwd => "/$B/?list-type=2&prefix=a%20b%2Bc",
      g => G("oss:ListObjects $B") },
    { grp => 'list', m => 'GET', t => "/$B/?versions",
      fwd => "/$B/?versions", g => G("oss:ListObjectVersions $B") },
    { grp => 'list', m => 'GET', t => "/$B/?versions&key-marker=k%3F",
      fwd => "/$B/?versions&key-marker=k%3F",
      g => G("oss:ListObjectVersions $B") },
    { grp => 'list', m => 'GET', t => "/$B/?uploads&max-uploads=5",
      fwd => "/$B/?uploads&max-uploads=5",
      g => G("oss:ListMultipartUploads $B") },
    { grp => 'list', m => 'GET', t => "/$B/?bucketInfo",
      fwd => "/$B/?bucketInfo", g => G("oss:GetBucketInfo $B"),
      s3 => 'NI' },
    { grp => 'list', m => 'GET', t => "/$B/?location",
      fwd => "/$B/?location", g => G("oss:GetBucketLocation $B") },
    { grp => 'list', m => 'GET', t => "/$B/?stat",
      fwd => "/$B/?stat", g => G("oss:GetBucketStat $B"), s3 => 'NI' },
    # a sub-resource of no row: refused, not forwarded
    { grp => 'list', m => 'GET', t => "/$B/?acl&versions",
      refuse => [403, 'AccessDenied'] },
    { grp => 'list', m => 'GET', t => "/$B/?list-type=1",
      refuse => [400, 'InvalidArgument'] },

    { grp => 'delete', m => 'POST', t => "/$B/?delete", body => $ok_delete,
      h => ['content-md5:' . md5h($ok_delete)],
      fwd => "/$B/?delete",
      g => G("oss:DeleteObject $B/a.txt", "oss:DeleteObject $B/dir/b c.txt",
             "oss:DeleteObject $B/v/\x{e4}\x{b8}\x{ad}.txt",
             "oss:DeleteObjectVersion $B/v/\x{e4}\x{b8}\x{ad}.txt") },
    { grp => 'delete', m => 'POST', t => "/$B/?delete=", body => $amp_delete,
      h => ['content-md5:' . md5h($amp_delete)],
      fwd => "/$B/?delete=",
      g => G("oss:DeleteObject $B/r&d/<x>.txt", "oss:DeleteObject $B/?acl",
             "oss:DeleteObject $B/uploads") },
    { grp => 'delete', m => 'POST', t => "/$B/?delete", body => $bad_delete,
      refuse => [403, 'AccessDenied'] },
    { grp => 'delete', m => 'POST', t => "/$B/?delete",
      body => $ok_delete, h => ['content-md5:' . md5h('other')],
      refuse => [400, 'InvalidDigest'] },
    { grp => 'delete-url', m => 'POST', t => "/$B/?delete&encoding-type=url",
      body => $url_delete, fwd => "/$B/?delete&encoding-type=url",
      g => G("oss:DeleteObject $B/a/b"),
      # the store gets the keys that were authorised, decoded: they read
      # the same whether it decodes them again or not
      fwdbody => qq{<?xml version="1.0" encoding="UTF-8"?>\n}
                 . '<Delete><Quiet>false</Quiet><Object><Key>a/b</Key>'
                 . '</Object></Delete>' },

    { grp => 'post', m => 'POST', t => "/$B/",
      post => { key => 'forms/a b.txt', file => 'form data' },
      fwd => "/$B/", g => G("oss:PutObject $B/forms/a b.txt"),
      s3 => { put => "/$B/forms/a%20b.txt", file => 'form data' } },
    { grp => 'post', m => 'POST', t => "/$B",
      post => { key => "forms/\x{e4}\x{b8}\x{ad}+?acl" },
      fwd => "/$B/", g => G("oss:PutObject $B/forms/\x{e4}\x{b8}\x{ad}+?acl"),
      s3 => { put => "/$B/forms/%E4%B8%AD%2B%3Facl" }, novhost => 1 },
    { grp => 'post', m => 'POST', t => "/$B/",
      post => { key => 'secret/form.txt' }, refuse => [403, 'AccessDenied'] },
    # a second key field: the store may read either
    { grp => 'post', m => 'POST', t => "/$B/",
      post => { key => 'forms/a.txt', fields => [key => 'secret/b.txt'] },
      refuse => [400, qr/\w+/] },
    { grp => 'post', m => 'POST', t => "/$B/a.txt",
      post => { key => 'forms/a.txt' }, refuse => [403, 'AccessDenied'] },
    { grp => 'post-filename', m => 'POST', t => "/$B/",
      post => { key => 'uploads/${filename}', filename => 'plain.txt' },
      expand => 'uploads/plain.txt',
      fwd => "/$B/", g => G("oss:PutObject $B/uploads/plain.txt"),
      s3 => { put => "/$B/uploads/plain.txt" } },
    { grp => 'post-dotdot', m => 'POST', t => "/$B/",
      post => { key => 'uploads/${filename}', filename => '../x' },
      refuse => [400, qr/Invalid\w+/],
      s3 => { refuse => [400, qr/InvalidArgument|NotImplemented/] } },

    # 7: bucket configuration (sts_bucket_config on)

    { grp => 'config', m => 'PUT', t => "/$B/", body => $xml, fwd => "/$B/",
      g => G("oss:PutBucket $B") },
    { grp => 'config', m => 'DELETE', t => "/$B/", fwd => "/$B/",
      g => G("oss:DeleteBucket $B") },
    (map {
        my ($sub, $name, $methods, $s3) = @$_;
        map {
            my $m = $_;
            my $verb = { GET => 'Get', PUT => 'Put', DELETE => 'Delete' }->{$m};
            { grp => 'config', m => $m, t => "/$B/?$sub",
              ($m eq 'PUT' ? (body => $xml) : ()),
              fwd => "/$B/?$sub", g => G("oss:${verb}Bucket$name $B"),
              ($s3 ? () : (s3 => 'NI')) }
        } @$methods
     } (['acl', 'Acl', [qw(GET PUT)]],
        ['cors', 'Cors', [qw(GET PUT DELETE)], 1],
        ['lifecycle', 'Lifecycle', [qw(GET PUT DELETE)]],
        ['logging', 'Logging', [qw(GET PUT DELETE)]],
        ['website', 'Website', [qw(GET PUT DELETE)]],
        ['referer', 'Referer', [qw(GET PUT)]],
        ['policy', 'Policy', [qw(GET PUT DELETE)]],
        ['tagging', 'Tagging', [qw(GET PUT DELETE)], 1],
        ['encryption', 'Encryption', [qw(GET PUT DELETE)]],
        ['versioning', 'Versioning', [qw(GET PUT)], 1],
        ['requestPayment', 'RequestPayment', [qw(GET PUT)]],
        ['transferAcceleration', 'TransferAcceleration', [qw(GET PUT)]])),
    { grp => 'config', m => 'GET', t => "/$B/?worm", fwd => "/$B/?worm",
      g => G("oss:GetBucketWorm $B"), s3 => 'NI' },
    { grp => 'config', m => 'POST', t => "/$B/?worm", body => $xml,
      fwd => "/$B/?worm", g => G("oss:InitiateBucketWorm $B"), s3 => 'NI' },
    { grp => 'config', m => 'DELETE', t => "/$B/?worm", fwd => "/$B/?worm",
      g => G("oss:AbortBucketWorm $B"), s3 => 'NI' },
    { grp => 'config', m => 'POST', t => "/$B/?wormId=W1",
      fwd => "/$B/?wormId=W1", g => G("oss:CompleteBucketWorm $B"),
      s3 => 'NI' },
    { grp => 'config', m => 'POST', t => "/$B/?wormExtend&wormId=W1",
      body => $xml, fwd => "/$B/?wormExtend&wormId=W1",
      g => G("oss:ExtendBucketWorm $B"), s3 => 'NI' },
    { grp => 'config', m => 'GET', t => "/$B/?inventory&inventoryId=i%201",
      fwd => "/$B/?inventory&inventoryId=i%201",
      g => G("oss:GetBucketInventory $B"), s3 => 'NI' },
    { grp => 'config', m => 'GET', t => "/$B/?inventory",
      fwd => "/$B/?inventory", g => G("oss:ListBucketInventory $B"),
      s3 => 'NI' },
    { grp => 'config', m => 'PUT', t => "/$B/?inventory&inventoryId=i1",
      body => $xml, fwd => "/$B/?inventory&inventoryId=i1",
      g => G("oss:PutBucketInventory $B"), s3 => 'NI' },
    { grp => 'config', m => 'DELETE', t => "/$B/?inventory&inventoryId=i1",
      fwd => "/$B/?inventory&inventoryId=i1",
      g => G("oss:DeleteBucketInventory $B"), s3 => 'NI' },

    # 10-28: object level; GetObject with the key encodings

    { grp => 'get', m => 'GET', t => "/$B/photos/a.txt",
      fwd => "/$B/photos/a.txt", g => G("oss:GetObject $B/photos/a.txt") },
    { grp => 'get', m => 'GET', t => "/$B/dir%2Fsub%2Fa.txt",
      fwd => "/$B/dir/sub/a.txt", g => G("oss:GetObject $B/dir/sub/a.txt") },
    { grp => 'get', m => 'GET', t => "/$B/a%23b.txt",
      fwd => "/$B/a%23b.txt", g => G("oss:GetObject $B/a#b.txt") },
    { grp => 'get', m => 'GET', t => "/$B/a%3Fb.txt",
      fwd => "/$B/a%3Fb.txt", g => G("oss:GetObject $B/a?b.txt") },
    { grp => 'get', m => 'GET', t => "/$B/%E4%B8%AD%E6%96%87.txt",
      fwd => "/$B/%E4%B8%AD%E6%96%87.txt",
      g => G("oss:GetObject $B/\x{e4}\x{b8}\x{ad}\x{e6}\x{96}\x{87}.txt") },
    { grp => 'get', m => 'GET', t => "/$B/raw-\x{e4}\x{b8}\x{ad}.txt",
      fwd => "/$B/raw-%E4%B8%AD.txt",
      g => G("oss:GetObject $B/raw-\x{e4}\x{b8}\x{ad}.txt") },
    { grp => 'get', m => 'GET', t => "/$B/a%20b+c.txt",
      fwd => "/$B/a%20b%2Bc.txt", g => G("oss:GetObject $B/a b+c.txt") },
    { grp => 'get', m => 'GET', t => "/$B/%61%2e%74xt",
      fwd => "/$B/a.txt", g => G("oss:GetObject $B/a.txt") },
    { grp => 'get', m => 'GET', t => "/$B/dir/",
      fwd => "/$B/dir/", g => G("oss:GetObject $B/dir/") },
    { grp => 'get', m => 'GET', t => "/demo%2Dbucket/a%5Cb;c.txt",
      fwd => "/$B/a%5Cb%3Bc.txt", g => G("oss:GetObject $B/a\\b;c.txt"),
      novhost => 1 },
    { grp => 'get', m => 'GET', t => "/$B/a%252F.txt",
      fwd => "/$B/a%252F.txt", g => G("oss:GetObject $B/a%2F.txt") },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?%61cl",
      fwd => "/$B/a.txt?acl", g => G("oss:GetObjectAcl $B/a.txt"),
      s3 => 'NI' },
    { grp => 'get', m => 'GET', t => "/$B/a/./b.txt",
      sign_as => "/$B/a/b.txt", refuse => [400, 'InvalidObjectName'] },
    { grp => 'get', m => 'GET', t => "/$B/a/%2E%2E/secret/b.txt",
      sign_as => "/$B/a/b.txt", refuse => [400, 'InvalidObjectName'] },
    { grp => 'get', m => 'GET', t => "/$B//secret/b.txt",
      sign_as => "/$B/a/b.txt", refuse => [400, 'InvalidObjectName'] },
    # nginx's own 400 (an error_page gives it the OSS document in the
    # example configurations)
    { grp => 'get', m => 'GET', t => "/$B/a%00b.txt",
      sign_as => "/$B/a/b.txt", refuse => [400, undef] },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?ACL",
      refuse => [403, 'AccessDenied'] },
    # keys named like sub-resources
    { grp => 'get', m => 'GET', t => "/$B/acl", fwd => "/$B/acl",
      g => G("oss:GetObject $B/acl") },
    { grp => 'get', m => 'GET', t => "/$B/uploads%3Facl",
      fwd => "/$B/uploads%3Facl", g => G("oss:GetObject $B/uploads?acl") },
    { grp => 'get', m => 'GET', t => "/$B/%3Fdelete",
      fwd => "/$B/%3Fdelete", g => G("oss:GetObject $B/?delete") },
    { grp => 'get', m => 'GET', t => "/$B/k%26uploadId%3DU1",
      fwd => "/$B/k%26uploadId%3DU1",
      g => G("oss:GetObject $B/k&uploadId=U1") },
    # extra parameters that select nothing
    { grp => 'get', m => 'GET',
      t => "/$B/a.txt?response-content-type=text%2Fplain"
           . "&response-content-disposition=attachment%3B%20filename%3D%22a%20b%22",
      fwd => "/$B/a.txt?response-content-type=text%2Fplain"
           . "&response-content-disposition=attachment%3B%20filename%3D%22a%20b%22",
      g => G("oss:GetObject $B/a.txt") },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?x-oss-traffic-limit=819200",
      fwd => "/$B/a.txt?x-oss-traffic-limit=819200",
      g => G("oss:GetObject $B/a.txt"), s3 => 'NI' },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?versionId=CAEQ%2Bv1",
      fwd => "/$B/a.txt?versionId=CAEQ%2Bv1",
      g => G("oss:GetObject $B/a.txt", "oss:GetObjectVersion $B/a.txt") },
    { grp => 'get', m => 'GET',
      t => "/$B/a.jpg?x-oss-process=image/resize,w_100/watermark,image_"
           . b64u('logo/w.png'),
      fwd => "/$B/a.jpg?x-oss-process=image%2Fresize%2Cw_100%2Fwatermark"
             . "%2Cimage_" . b64u('logo/w.png'),
      g => G("oss:GetObject $B/a.jpg", "oss:GetObject $B/logo/w.png"),
      s3 => 'NI' },
    { grp => 'get', m => 'GET', t => "/$B/a.txt", presign => 'v1',
      fwd => "/$B/a.txt", g => G("oss:GetObject $B/a.txt") },
    { grp => 'get', m => 'GET', t => "/$B/p%20q.txt?response-expires=x",
      presign => 'v4', fwd => "/$B/p%20q.txt?response-expires=x",
      g => G("oss:GetObject $B/p q.txt") },
    # refused: never forwarded
    { grp => 'get', m => 'GET', t => "/$B/secret/x.txt",
      refuse => [403, 'AccessDenied'] },
    { grp => 'get', m => 'GET', t => "/$B/secret%2Fx.txt",
      refuse => [403, 'AccessDenied'] },
    { grp => 'get', m => 'GET', t => "/$B/public/..%2Fsecret/x.txt",
      sign_as => "/$B/public/x.txt", refuse => [400, 'InvalidObjectName'] },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?x-oss-process=style/s1",
      refuse => [403, 'AccessDenied'] },
    { grp => 'get', m => 'GET', t => "/$B/a.txt?x-unknown=1",
      refuse => [403, 'AccessDenied'] },
    { grp => 'get', m => 'GET', t => "/$B/a.txt",
      raw => ["x-oss-copy-source: /$B/secret/x.txt"],
      refuse => [400, 'InvalidArgument'] },
    { grp => 'get', m => 'GET', t => "/$B/a.txt", h => ['x-oss-tagging:a=1'],
      fwd => "/$B/a.txt", g => G("oss:GetObject $B/a.txt") },

    # duplicate parameters: one value is authorised, the store must not
    # pick another
    { grp => 'dup', m => 'GET', t => "/$B/a.txt?versionId=v1&versionId=v2",
      refuse => [400, 'InvalidArgument'] },
    { grp => 'dup', m => 'GET', t => "/$B/a.txt?acl&acl",
      refuse => [400, 'InvalidArgument'] },
    { grp => 'dup', m => 'PUT', t => "/$B/a.txt?partNumber=1&partNumber=2"
                                     . "&uploadId=U1",
      body => $body, refuse => [400, 'InvalidArgument'] },
    { grp => 'dup', m => 'DELETE', t => "/$B/a.txt?uploadId=U1&uploadId=U2",
      refuse => [400, 'InvalidArgument'] },

    # raw '#': nginx ends the path there, a store may not
    { grp => 'hash-get', m => 'GET', t => "/$B/secret.txt#.jpg",
      refuse => [400, qr/InvalidURI|InvalidArgument/],
      known => 'a raw "#" in the request target is not refused' },
    { grp => 'hash-abort', m => 'DELETE', t => "/$B/k?prefix=#&uploadId=U1",
      refuse => [400, qr/InvalidURI|InvalidArgument/],
      known => 'a raw "#" in the query is not refused' },

    # HeadObject, GetObjectMeta

    { grp => 'head', m => 'HEAD', t => "/$B/a%20b.txt",
      fwd => "/$B/a%20b.txt", g => G("oss:GetObject $B/a b.txt") },
    { grp => 'head', m => 'HEAD', t => "/$B/a.txt?versionId=v1",
      fwd => "/$B/a.txt?versionId=v1",
      g => G("oss:GetObject $B/a.txt", "oss:GetObjectVersion $B/a.txt") },
    { grp => 'head', m => 'HEAD', t => "/$B/a%2Fb.txt?objectMeta",
      fwd => "/$B/a/b.txt?objectMeta", g => G("oss:GetObject $B/a/b.txt"),
      s3 => { fwd => "/$B/a/b.txt" } },
    { grp => 'head', m => 'GET', t => "/$B/a.txt?objectMeta",
      fwd => "/$B/a.txt?objectMeta", g => G("oss:GetObject $B/a.txt"),
      s3 => 'NI' },
    { grp => 'head', m => 'HEAD', t => "/$B/secret/a.txt",
      refuse => [403, ''] },

    # PutObject, CopyObject

    { grp => 'put', m => 'PUT', t => "/$B/up/a%20b+c.txt", body => $body,
      fwd => "/$B/up/a%20b%2Bc.txt", g => G("oss:PutObject $B/up/a b+c.txt") },
    { grp => 'put', m => 'PUT', t => "/$B/up/%E4%B8%AD%23%3F.bin",
      body => $body, fwd => "/$B/up/%E4%B8%AD%23%3F.bin",
      g => G("oss:PutObject $B/up/\x{e4}\x{b8}\x{ad}#?.bin") },
    { grp => 'put', m => 'PUT', t => "/$B/up/t.txt", body => $body,
      h => ['x-oss-tagging:k=v'], fwd => "/$B/up/t.txt",
      g => G("oss:PutObject $B/up/t.txt", "oss:PutObjectTagging $B/up/t.txt") },
    { grp => 'put', m => 'PUT', t => "/$B/up/chunked.txt",
      raw => ['Transfer-Encoding: chunked'],
      body => "5\r\nhello\r\n7\r\n, store\r\n0\r\n\r\n", recv => 'hello, store',
      fwd => "/$B/up/chunked.txt", g => G("oss:PutObject $B/up/chunked.txt") },
    { grp => 'put', m => 'PUT', t => "/$B/up/empty.txt", body => '',
      fwd => "/$B/up/empty.txt", g => G("oss:PutObject $B/up/empty.txt") },
    { grp => 'put', m => 'PUT', t => "/$B/up/uploads?x-oss-traffic-limit=1",
      body => $body, fwd => "/$B/up/uploads?x-oss-traffic-limit=1",
      g => G("oss:PutObject $B/up/uploads"), s3 => 'NI' },
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/$B/src%2Fa%20b.txt"],
      fwd => "/$B/up/c.txt", copy => "/$B/src%2Fa%20b.txt",
      g => G("oss:PutObject $B/up/c.txt", "oss:GetObject $B/src/a b.txt"),
      s3 => { copy => "/$B/src/a%20b.txt" } },
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/other-bucket/%E4%B8%AD%3F%23.txt?versionId=v9"],
      fwd => "/$B/up/c.txt",
      copy => "/other-bucket/%E4%B8%AD%3F%23.txt?versionId=v9",
      g => G("oss:PutObject $B/up/c.txt",
             "oss:GetObject other-bucket/\x{e4}\x{b8}\x{ad}?#.txt",
             "oss:GetObjectVersion other-bucket/\x{e4}\x{b8}\x{ad}?#.txt"),
      s3 => { copy => "/other-bucket/%E4%B8%AD%3F%23.txt?versionId=v9" } },
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/$B/secret%2Fx.txt"],
      refuse => [403, 'AccessDenied'] },
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/$B/a.txt?acl"],
      refuse => [400, 'InvalidArgument'] },
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/$B/a.txt"],
      raw => ["x-oss-copy-source: /$B/secret/x.txt"],
      refuse => [400, 'InvalidArgument'] },
    # a raw '#' in a header naming an object (an encoded path)
    { grp => 'put', m => 'PUT', t => "/$B/up/c.txt",
      h => ["x-oss-copy-source:/$B/secret.txt#.jpg"],
      refuse => [400, 'InvalidArgument'] },
    { grp => 'put', m => 'PUT', t => "/$B/l?symlink",
      h => ['x-oss-symlink-target:secret.txt#.jpg'],
      refuse => [400, 'InvalidArgument'] },
    { grp => 'put', m => 'PUT', t => "/$B/secret/in.txt", body => $body,
      refuse => [403, 'AccessDenied'] },

    # AppendObject: the position is the store's offset
    { grp => 'append', m => 'POST', t => "/$B/log%2Fa.txt?append&position=0",
      body => $body, fwd => "/$B/log/a.txt?append&position=0",
      g => G("oss:PutObject $B/log/a.txt"), s3 => 'NI' },
    { grp => 'append', m => 'POST', t => "/$B/log.txt?append=&position=12",
      body => $body, fwd => "/$B/log.txt?append=&position=12",
      g => G("oss:PutObject $B/log.txt"), s3 => 'NI' },
    { grp => 'append', m => 'POST', t => "/$B/log.txt?append",
      body => $body, refuse => [403, 'AccessDenied'] },
    # a position is a decimal number: "00" is the first append, as the
    # store reads it too
    { grp => 'append-00', m => 'POST', t => "/$B/log.txt?append&position=00",
      body => $body, fwd => "/$B/log.txt?append&position=00",
      g => G("oss:PutObject $B/log.txt"), s3 => 'NI' },
    (map {
        { grp => "append-$_->[0]", m => 'POST',
          t => "/$B/log.txt?append&position=$_->[1]", body => $body,
          refuse => [400, 'InvalidArgument'],
          known => "AppendObject position=$_->[1] is not refused",
          s3 => { refuse => [400, qr/InvalidArgument|NotImplemented/],
                  known => undef } }
     } (['plus', '%2B5'], ['neg', '-1'], ['empty', ''],
        ['twice', '0&position=12'])),

    # DeleteObject
    { grp => 'delete-object', m => 'DELETE', t => "/$B/d%20e/f+g.txt",
      fwd => "/$B/d%20e/f%2Bg.txt", g => G("oss:DeleteObject $B/d e/f+g.txt") },
    { grp => 'delete-object', m => 'DELETE', t => "/$B/d.txt?versionId=v1",
      fwd => "/$B/d.txt?versionId=v1",
      g => G("oss:DeleteObject $B/d.txt", "oss:DeleteObjectVersion $B/d.txt") },
    { grp => 'delete-object', m => 'DELETE', t => "/$B/secret%2Fd.txt",
      refuse => [403, 'AccessDenied'] },
    { grp => 'delete-object', m => 'DELETE', t => "/$B/uploads",
      fwd => "/$B/uploads", g => G("oss:DeleteObject $B/uploads") },

    # multipart
    { grp => 'multipart', m => 'POST', t => "/$B/mp/a%20b.bin?uploads",
      fwd => "/$B/mp/a%20b.bin?uploads", g => G("oss:PutObject $B/mp/a b.bin") },
    { grp => 'multipart', m => 'POST', t => "/$B/mp/t.bin?uploads=",
      h => ['x-oss-tagging:k=v'], fwd => "/$B/mp/t.bin?uploads=",
      g => G("oss:PutObject $B/mp/t.bin", "oss:PutObjectTagging $B/mp/t.bin") },
    { grp => 'multipart', m => 'PUT',
      t => "/$B/mp/a.bin?partNumber=3&uploadId=U%2B1", body => $body,
      fwd => "/$B/mp/a.bin?partNumber=3&uploadId=U%2B1",
      g => G("oss:PutObject $B/mp/a.bin") },
    { grp => 'multipart', m => 'PUT',
      t => "/$B/mp/a.bin?uploadId=U1&partNumber=4",
      h => ["x-oss-copy-source:/$B/src/%E4%B8%AD.bin",
            'x-oss-copy-source-range:bytes=0-9'],
      fwd => "/$B/mp/a.bin?uploadId=U1&partNumber=4",
      copy => "/$B/src/%E4%B8%AD.bin",
      g => G("oss:PutObject $B/mp/a.bin",
             "oss:GetObject $B/src/\x{e4}\x{b8}\x{ad}.bin") },
    { grp => 'multipart', m => 'PUT',
      t => "/$B/mp/a.bin?partNumber=4&uploadId=U1",
      h => ["x-oss-copy-source:/$B/secret/x.bin"],
      refuse => [403, 'AccessDenied'] },
    { grp => 'multipart', m => 'POST', t => "/$B/mp/a.bin?uploadId=U1",
      body => '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>'
              . '<ETag>"e"</ETag></Part></CompleteMultipartUpload>',
      fwd => "/$B/mp/a.bin?uploadId=U1", g => G("oss:PutObject $B/mp/a.bin") },
    { grp => 'multipart', m => 'DELETE', t => "/$B/mp/a.bin?uploadId=U1",
      fwd => "/$B/mp/a.bin?uploadId=U1",
      g => G("oss:AbortMultipartUpload $B/mp/a.bin") },
    { grp => 'multipart', m => 'GET',
      t => "/$B/mp/a.bin?uploadId=U1&max-parts=5&part-number-marker=2",
      fwd => "/$B/mp/a.bin?uploadId=U1&max-parts=5&part-number-marker=2",
      g => G("oss:ListParts $B/mp/a.bin") },

    # ACL, symlink, tagging, restore, select/process
    { grp => 'object-sub', m => 'GET', t => "/$B/o%20a.txt?acl",
      fwd => "/$B/o%20a.txt?acl", g => G("oss:GetObjectAcl $B/o a.txt"),
      s3 => 'NI' },
    { grp => 'object-sub', m => 'PUT', t => "/$B/o.txt?acl",
      h => ['x-oss-object-acl:private'], fwd => "/$B/o.txt?acl",
      g => G("oss:PutObjectAcl $B/o.txt") },
    { grp => 'object-sub', m => 'PUT', t => "/$B/o.txt?acl&versionId=v1",
      h => ['x-oss-object-acl:private'], fwd => "/$B/o.txt?acl&versionId=v1",
      g => G("oss:PutObjectAcl $B/o.txt", "oss:PutObjectVersionAcl $B/o.txt") },
    { grp => 'object-sub', m => 'GET', t => "/$B/l.txt?symlink",
      fwd => "/$B/l.txt?symlink", g => G("oss:GetObject $B/l.txt"),
      s3 => 'NI' },
    { grp => 'object-sub', m => 'PUT', t => "/$B/l%20k?symlink",
      h => ['x-oss-symlink-target:t%20a%2Fb%3F.txt'],
      fwd => "/$B/l%20k?symlink", link => 't%20a%2Fb%3F.txt',
      g => G("oss:PutObject $B/l k", "oss:GetObject $B/t a/b?.txt"),
      s3 => 'NI' },
    { grp => 'object-sub', m => 'PUT', t => "/$B/l?symlink",
      h => ['x-oss-symlink-target:secret%2Fx.txt'],
      refuse => [403, 'AccessDenied'] },
    { grp => 'object-sub', m => 'GET', t => "/$B/o.txt?tagging",
      fwd => "/$B/o.txt?tagging", g => G("oss:GetObjectTagging $B/o.txt") },
    { grp => 'object-sub', m => 'PUT', t => "/$B/o.txt?tagging", body => $xml,
      fwd => "/$B/o.txt?tagging", g => G("oss:PutObjectTagging $B/o.txt") },
    { grp => 'object-sub', m => 'DELETE', t => "/$B/o.txt?tagging&versionId=v2",
      fwd => "/$B/o.txt?tagging&versionId=v2",
      g => G("oss:DeleteObjectTagging $B/o.txt",
             "oss:DeleteObjectVersionTagging $B/o.txt") },
    { grp => 'object-sub', m => 'POST', t => "/$B/o.txt?restore",
      fwd => "/$B/o.txt?restore", g => G("oss:RestoreObject $B/o.txt"),
      s3 => 'NI' },
    { grp => 'object-sub', m => 'POST',
      t => "/$B/o.csv?x-oss-process=csv/select", body => $xml,
      fwd => "/$B/o.csv?x-oss-process=csv%2Fselect",
      g => G("oss:GetObject $B/o.csv"), s3 => 'NI' },
    { grp => 'object-sub', m => 'POST', t => "/$B/o.jpg?x-oss-process",
      body => 'x-oss-process=image/resize,w_10|sys/saveas,o_' . b64u('out/a b.jpg'),
      fwd => "/$B/o.jpg?x-oss-process",
      g => G("oss:PostProcessTask $B/o.jpg", "oss:GetObject $B/o.jpg",
             "oss:PutObject $B/out/a b.jpg"),
      s3 => 'NI' },
    { grp => 'object-sub', m => 'POST', t => "/$B/o.jpg?x-oss-process",
      body => 'x-oss-process=image/resize,w_10|sys/saveas,o_' . b64u('secret/a'),
      refuse => [403, 'AccessDenied'] },

    # method overrides: the store may act on another method
    (map {
        { grp => "override-$_->[1]", m => 'GET', t => "/$B/a.txt",
          raw => ["$_->[0]: DELETE"], refuse => [400, 'InvalidArgument'],
          known => "$_->[0] is not refused" }
     } (['X-HTTP-Method-Override', 'http'], ['X-Method-Override', 'method'],
        ['X-HTTP-Method', 'x'])),

    # credential leftovers
    { grp => 'leftover-presign-header', m => 'GET', t => "/$B/a.txt",
      presign => 'v1', raw => ['x-oss-security-token: LEFTOVER'],
      refuse => [400, qr/\w+/],
      known => 'a presigned request with an x-oss-security-token header '
               . 'reaches the store' },
    { grp => 'leftover-header-query', m => 'GET',
      t => "/$B/a.txt?security-token=LEFTOVER",
      refuse => [400, qr/\w+/],
      known => 'a header-signed request with a security-token query '
               . 'parameter reaches the store' },
    { grp => 'leftover', m => 'GET', t => "/$B/a.txt", presign => 'v1',
      raw => ['Authorization: OSS STS.x:c2lnbmF0dXJlIGxlZnRvdmVy'],
      refuse => [400, qr/\w+/] },
    { grp => 'leftover', m => 'GET',
      t => "/$B/a.txt?x-oss-signature-version=OSS4-HMAC-SHA256",
      refuse => [400, qr/\w+/] },
    { grp => 'leftover', m => 'GET', t => "/$B/a.txt?OSSAccessKeyId=STS.x",
      refuse => [400, qr/\w+/] },
    { grp => 'max-uses', m => 'GET', t => "/$B/a.txt?x-sts-max-uses=2",
      presign => 'v4', fwd => "/$B/a.txt", g => G("oss:GetObject $B/a.txt"),
      s3 => { known => 'x-sts-max-uses reaches the store under the s3 '
                       . 'connector' } },
);

# ---------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------

# the case as config $cf sees it: expectations merged
sub view {
    my ($c, $cf) = @_;
    my %v = %$c;
    if ($cf eq 's3' && defined $c->{s3}) {
        if (!ref $c->{s3}) {
            delete @v{qw(fwd g copy link)};
            $v{refuse} = [400, 'NotImplemented'];
        } else {
            %v = (%v, %{ $c->{s3} });
        }
    }
    return \%v;
}

sub request_of {
    my ($c, $cf) = @_;
    my ($m, $t) = ($c->{m}, $c->{t});
    my (@sign, $host, $path, $signed);

    # the target as sent, and as signed (an invalid key cannot be signed)
    ($path, $signed) = ($t, $c->{sign_as} // $t);
    if ($cf eq 'vhost') {
        for ($path, $signed) {
            if (m{^/\Q$B\E(/.*|)$}s) {
                $_ = length $1 ? $1 : '/';
                $host = "$B.$Domain";
            } else {
                $host = $Domain;
            }
        }
        push @sign, '--bucket', $B if $host ne $Domain;
    }

    my $body = $c->{body} // '';
    my $hdrs = '';

    if ($c->{post}) {
        my ($ct, $form) = sts_post_form($Cred, %{ $c->{post} },
                                        conditions => [{ bucket => $B }]);
        $body = $form;
        $hdrs = "Content-Type: $ct\n";

    } elsif ($c->{presign}) {
        push @sign, '--v4', '--region', 'cn-hangzhou'
            if $c->{presign} eq 'v4';
        my $target = sts_stsctl('sign', '--credentials', $Cred->{file},
                                '--host', 'localhost', '--presign', '600', '--path-only',
                                @sign, $m, $signed);
        chomp $target;
        $path = $target;

    } else {
        for my $h (@{ $c->{h} || [] }) {
            push @sign, '--header', $h;
        }
        # what stsctl will not sign (a duplicate parameter, a raw '#')
        # is signed without its query: the gateway must refuse it anyway
        $hdrs = eval { sts_sign($Cred, $m, $signed, @sign) }
                // sts_sign($Cred, $m, $signed =~ s/[?#].*//sr, @sign);
    }

    $hdrs .= "Host: $host\n" if $host;
    $hdrs .= "$_\n" for @{ $c->{raw} || [] };
    # as clients send an empty upload
    $hdrs .= "Content-Length: 0\n"
        if !length $body && $m =~ /^(?:PUT|POST)$/
           && $hdrs !~ /^(?:Content-Length|Transfer-Encoding):/mi;

    return ("$m $path" . (length $body ? "\n$body" : ''), $hdrs, $body);
}

sub json_str {
    my ($s) = @_;
    $s =~ s/(["\\])/\\$1/g;
    $s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
    return qq{"$s"};
}

sub grants_json {
    my ($g) = @_;
    return '[' . join(',', map {
        '[' . json_str($_->[0]) . ',' . json_str("acs:oss:*:*:$_->[1]") . ']'
    } @$g) . ']';
}

# the body the recorder answers with
sub record {
    my ($v, $sent) = @_;
    my $body = $v->{fwdbody} // $sent;
    my $len = $v->{m} =~ /^(?:PUT|POST)$/ || length $body
              ? length $body : '';
    # the key part rewritten in place to the expanded key
    $body = sts_post_rekey($body, $v->{expand}) if $v->{expand};
    return "REC $v->{m} $v->{fwd}\nlen=$len\ngrants=" . grants_json($v->{g})
           . "\ncopy=" . ($v->{copy} // '') . "\nlink=" . ($v->{link} // '')
           . "\ntoken=\n\n$body";
}

# the groups of config $cf: [name, [cases]]; known mismatches of this
# configuration in blocks of their own
sub groups {
    my ($cf) = @_;
    my (@order, %by);
    for my $c (@Cases) {
        next if $cf eq 'vhost' && $c->{novhost};
        my $v = view($c, $cf);
        my $g = $v->{grp};
        $g = "$g-s3" if $cf eq 's3' && ref $c->{s3} && $c->{s3}{known};
        push @order, $g unless $by{$g};
        push @{ $by{$g} }, $v;
    }
    return map { [$_, $by{$_}] } @order;
}

my %Built;

# fwd_group($cf, $n): the requests and expectations of block $n
sub fwd_group {
    my ($cf, $n) = @_;
    return $Built{"$cf $n"} if $Built{"$cf $n"};

    my ($name, $cases) = @{ (groups($cf))[$n] };
    my (%o, $log);
    $log = '';

    for my $v (@$cases) {
        my ($req, $hdrs, $sent) = request_of($v, $cf);
        $sent = $v->{recv} if defined $v->{recv};
        push @{ $o{request} }, $req;
        push @{ $o{more_headers} }, $hdrs;

        if ($v->{refuse}) {
            my ($st, $code) = @{ $v->{refuse} };
            push @{ $o{error_code} }, $st;
            push @{ $o{response_headers} }, "! X-Rec";
            my $re = !defined $code ? qr/400 Bad Request/
                     : !length $code ? qr/\A\z/
                     : ref $code ? qr{<Code>$code</Code>}
                     : qr{<Code>\Q$code\E</Code>};
            $re = qr/\A\z/ if $v->{m} eq 'HEAD';
            push @{ $o{response_body_like} }, $re;
            push @{ $o{rec} }, 0;
            next;
        }

        if ($v->{put}) {
            my $file = $v->{file} // 'hello form';
            push @{ $o{error_code} }, 201;
            push @{ $o{response_headers} },
                "X-Rec: PUT $v->{put}\nX-Rec-Grants: " . grants_json($v->{g});
            push @{ $o{response_body_like} }, qr{<PostResponse>.*<Key>}s;
            $log .= "PUT $v->{put} len=" . length($file) . "\n";
            next;
        }

        my $got = $v->{fwdbody} // $sent;
        my $len = $v->{m} =~ /^(?:PUT|POST)$/ || length $got
                  ? length $got : '';
        push @{ $o{error_code} }, 200;
        push @{ $o{response_headers} },
            "X-Rec: $v->{m} $v->{fwd}\nX-Rec-Grants: " . grants_json($v->{g});
        push @{ $o{response_body_like} }, $v->{m} eq 'HEAD' ? qr/\A\z/
                                          : qr/\A\Q${\ record($v, $sent)}\E\z/;
        push @{ $o{rec} }, $v->{m} eq 'HEAD' ? 0 : 1;
        $log .= "$v->{m} $v->{fwd} len=" . (length $len ? $len : '-') . "\n";
    }

    # what reached the store, and nothing else
    push @{ $o{request} }, 'GET /__rec';
    push @{ $o{more_headers} }, '';
    push @{ $o{error_code} }, 200;
    push @{ $o{response_headers} }, "! X-Rec";
    push @{ $o{response_body_like} }, qr/\A\Q$log\E\z/;
    push @{ $o{rec} }, 0;

    $o{name} = $name;
    $o{known} = [ map { $_->{known} ? ($_->{known}) : () } @$cases ];

    return $Built{"$cf $n"} = \%o;
}

# the blocks of config $cf, as Test::Base text
sub fwd_spec {
    my ($cf) = @_;
    my @g = groups($cf);
    my $text = '';
    for my $n (0 .. $#g) {
        my $o = fwd_group($cf, $n);
        my $title = "$cf: $g[$n][0]";
        $title .= ' (regression: ' . join('; ', @{ $o->{known} }) . ')'
            if @{ $o->{known} };
        $title =~ s/\n/ /g;
        $text .= "\n=== TEST " . ($n + 1) . ": $title\n"
            . "--- http_config eval: \$::HttpConfig\n"
            . "--- config eval: \$::Config\n";
        for my $sect (qw(request more_headers error_code response_headers
                         response_body_like rec))
        {
            $text .= "--- $sect eval: StsFwd::fwd_group('$cf', $n)->{$sect}\n";
        }
        $text .= "\n";
    }
    return $text;
}

# ---------------------------------------------------------------------
# The generic check: what the store acts on was authorised
# ---------------------------------------------------------------------

sub dec {
    my ($s) = @_;
    $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    return $s;
}

sub xml_text {
    my ($s) = @_;
    $s =~ s/&lt;/</g;
    $s =~ s/&gt;/>/g;
    $s =~ s/&quot;/"/g;
    $s =~ s/&apos;/'/g;
    $s =~ s/&#x([0-9a-fA-F]+);/chr hex $1/ge;
    $s =~ s/&#([0-9]+);/chr $1/ge;
    $s =~ s/&amp;/&/g;
    return $s;
}

# the objects the store acts on, from what it received: "bucket/key"
sub acted_on {
    my ($m, $uri, $copy, $link, $body) = @_;
    my ($path, $query) = split /\?/, $uri, 2;
    my %q = map { my ($k, $v) = split /=/, $_, 2; (dec($k) => dec($v // '')) }
            grep { length } split /&/, $query // '';
    my @on;

    my (undef, $bucket, $key) = split m{/}, dec($path), 3;
    $key //= '';
    my $target = !length $bucket ? '*' : length $key ? "$bucket/$key"
                 : $bucket;

    if ($m eq 'POST' && exists $q{delete} && !length $key) {
        while ($body =~ m{<Key>(.*?)</Key>}gs) {
            my $k = xml_text($1);
            $k = dec($k) if ($q{'encoding-type'} // '') eq 'url';
            push @on, "$bucket/$k";
        }

    } elsif ($m eq 'POST' && !length $key && !%q) {
        my ($k) = $body =~ /name="key"\r\n\r\n([^\r]*)\r\n/;
        my ($f) = $body =~ /name="file"; filename="([^"]*)"/;
        $k //= '';
        $k =~ s/\$\{filename\}/$f/g if defined $f;
        push @on, "$bucket/$k";

    } else {
        push @on, $target;
    }

    if (length $copy) {
        (my $p = $copy) =~ s/[?#].*//s;
        my (undef, $cb, $ck) = split m{/}, dec($p), 3;
        push @on, "$cb/$ck";
    }

    push @on, "$bucket/" . dec($link =~ s/#.*//sr) if length $link;

    return @on;
}

# the responses the recorder answered ("--- rec", an array), one
# assertion each; call fwd_plan() for the plan
sub fwd_check_body {
    my ($block, $body, $idx) = @_;
    my $rec = $block->rec;
    return unless ref $rec eq 'ARRAY' ? $rec->[$idx] : $rec;
    my ($m, $uri, $grants, $copy, $link, $token, $sent) = $body
        =~ /\AREC\ (\S+)\ (\S+)\nlen=\d*\ngrants=([^\n]*)\ncopy=([^\n]*)\n
             link=([^\n]*)\ntoken=([^\n]*)\n\n(.*)\z/xs
        or return fail($block->name . " - request $idx: the recorder's "
                       . "answer");

    my %granted;
    while ($grants =~ /\["[^"]+","acs:oss:\*:\*:((?:[^"\\]|\\.)*)"\]/g) {
        (my $r = $1) =~ s/\\(["\\])/$1/g;
        $granted{$r} = 1;
    }

    my @missing = grep { !$granted{$_} }
                  acted_on($m, $uri, $copy, $link, $sent);
    my ($query) = $uri =~ /\?(.*)/;
    push @missing, grep { /^(?:OSSAccessKeyId|Expires|Signature|security-token
                              |x-oss-[a-z-]*(?:signature|credential|date
                              |expires|security-token|additional-headers)
                              |x-sts-max-uses)(?:=|$)/xi }
                   split /&/, $query // '';
    is(join(' ', @missing) . (length $token ? " token=$token" : ''), '',
       $block->name . " - request $idx: the store acts only on what was "
       . 'authorised');
}

sub fwd_plan {
    StsPlan::sts_plan(per_response => sub {
        my ($block, $i) = @_;
        my $rec = $block->rec;
        return (ref $rec eq 'ARRAY' ? $rec->[$i] : $rec) ? 1 : 0;
    });
}

1;
