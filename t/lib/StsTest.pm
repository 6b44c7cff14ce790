package StsTest;

# Helpers for the nginx-sts Test::Nginx suites: a test keyring, tokens
# minted with stsctl, and OSS-signed request headers.  Everything goes
# through build/stsctl, so the suites exercise the same core as the
# module.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Path qw(make_path);
use File::Spec;
use Exporter 'import';

our @EXPORT = qw(sts_issue sts_sign sts_headers sts_stsctl sts_flip
                 sts_policy_file);

# PostObject forms and request bodies (t/050-api.t, t/060-postobject.t)
push @EXPORT, qw(sts_content_md5 sts_delete_xml sts_post_form sts_post_rekey);

my $root = abs_path(File::Spec->catdir((File::Spec->splitpath(__FILE__))[1],
                                       '..', '..'));

my $stsctl = $ENV{TEST_NGINX_STSCTL} || "$root/build/stsctl";
die "stsctl not found at $stsctl: run make first\n" unless -x $stsctl;

my $dir = "$root/t/tmp";
make_path($dir);
chmod 0700, $dir;

# two keyrings: the one nginx uses, and one nginx does not know
sub write_keys {
    my ($file, $kid) = @_;
    my $line = `"$stsctl" keygen --kid $kid`;
    die "stsctl keygen failed\n" if $? != 0;
    umask 077;
    open my $fh, '>', $file or die "$file: $!\n";
    print $fh $line;
    close $fh;
    chmod 0600, $file;
}

write_keys("$dir/keys", "test1") unless -f "$dir/keys";
write_keys("$dir/other-keys", "other") unless -f "$dir/other-keys";

# a world-readable copy, for the permission test
if (!-f "$dir/open-keys") {
    open my $in, '<', "$dir/keys" or die;
    open my $out, '>', "$dir/open-keys" or die;
    print {$out} <$in>;
    close $out;
    chmod 0644, "$dir/open-keys";
}

$ENV{TEST_NGINX_STS_KEYS} = "$dir/keys";
$ENV{TEST_NGINX_STS_OPEN_KEYS} = "$dir/open-keys";
$ENV{TEST_NGINX_STS_DATA} = "$root/t/data";

sub sts_stsctl {
    my @args = @_;
    my $cmd = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" }
                        ($stsctl, @args);
    my $out = `$cmd`;
    die "stsctl @args failed ($?)\n" if $? != 0;
    return $out;
}

sub sts_policy_file {
    my ($name) = @_;
    return "$root/t/data/policies/$name.json";
}

# sts_issue(role_policy => [names], session_policy => name,
#           keys => "other", duration => 900, issued_at => unix)
# returns { id, secret, token, file }
my $seq = 0;
sub sts_issue {
    my (%o) = @_;
    my @args = ('issue', '--keys',
                $o{keys} && $o{keys} eq 'other' ? "$dir/other-keys"
                                                : "$dir/keys",
                '--role-arn', $o{role_arn}
                              || 'acs:ram::1234567890123456:role/app',
                '--session-name', $o{session_name} || 'test-session');
    for my $p (@{ $o{role_policy} || ['read-write-bucket'] }) {
        push @args, '--role-policy', sts_policy_file($p);
    }
    push @args, '--session-policy', sts_policy_file($o{session_policy})
        if $o{session_policy};
    push @args, '--duration', $o{duration} if $o{duration};
    push @args, '--issued-at', $o{issued_at} if $o{issued_at};

    my $json = sts_stsctl(@args);
    my %c;
    ($c{id}) = $json =~ /"AccessKeyId": "([^"]+)"/;
    ($c{secret}) = $json =~ /"AccessKeySecret": "([^"]+)"/;
    ($c{token}) = $json =~ /"SecurityToken": "([^"]+)"/;
    die "unexpected issue output\n" unless $c{id} && $c{secret} && $c{token};

    $c{file} = "$dir/creds-$$-" . $seq++ . ".json";
    open my $fh, '>', $c{file} or die;
    print $fh $json;
    close $fh;
    chmod 0600, $c{file};

    return \%c;
}

# sts_sign($creds, METHOD, PATH, extra stsctl sign args...) -> header text,
# or with --presign the request target (PATH?QUERY, for a request line)
sub sts_sign {
    my ($c, $method, $path, @extra) = @_;
    my @args = ('sign', '--access-key-id', $c->{id},
                '--secret-file', _secret_file($c));
    push @args, '--security-token', $c->{token} if defined $c->{token};
    return sts_stsctl(@args, '--host', 'localhost', '--path-only', @extra,
                      $method, $path);
}

# sts_headers: like sts_sign, but drops the lines named in $o{drop} and
# replaces header values given in $o{set} AFTER signing.
sub sts_headers {
    my ($c, $method, $path, %o) = @_;
    my $h = sts_sign($c, $method, $path, @{ $o{args} || [] });
    for my $name (@{ $o{drop} || [] }) {
        $h =~ s/^\Q$name\E:.*\n//mi;
    }
    while (my ($name, $val) = each %{ $o{set} || {} }) {
        $h =~ s/^(\Q$name\E): .*$/$1: $val/mi or $h .= "$name: $val\n";
    }
    return $h;
}

sub _secret_file {
    my ($c) = @_;
    my $f = "$dir/secret-$$-" . length($c->{secret}) . "-"
            . substr($c->{id}, 4, 8);
    open my $fh, '>', $f or die;
    print $fh $c->{secret};
    close $fh;
    chmod 0600, $f;
    return $f;
}

# sts_flip($string, $pos): the same string with one character changed
sub sts_flip {
    my ($s, $pos) = @_;
    my $ch = substr($s, $pos, 1);
    substr($s, $pos, 1) = $ch eq 'A' ? 'B' : 'A';
    return $s;
}

# sts_content_md5($bytes): the Content-MD5 value of a body
sub sts_content_md5 {
    my ($data) = @_;
    require Digest::MD5;
    require MIME::Base64;
    return MIME::Base64::encode_base64(Digest::MD5::md5($data), '');
}

# sts_delete_xml(@keys): a DeleteMultipleObjects body as ali-oss sends it
# (a key may be [key, versionId])
sub sts_delete_xml {
    my (@keys) = @_;
    my $xml = qq{<?xml version="1.0" encoding="UTF-8"?>\n<Delete>\n}
              . qq{  <Quiet>false</Quiet>\n};
    for my $k (@keys) {
        my ($key, $ver) = ref $k ? @$k : ($k);
        for ($key) { s/&/&amp;/g; s/</&lt;/g; s/>/&gt;/g; }
        $xml .= "  <Object><Key>$key</Key>"
                . (defined $ver ? "<VersionId>$ver</VersionId>" : '')
                . "</Object>\n";
    }
    return $xml . '</Delete>';
}

# sts_post_form($creds, %o): a PostObject form signed with the token's
# secret, as ali-oss's calculatePostSignature / signPostObjectPolicyV4
# make it.  Returns (Content-Type value, body).
#   key         form key (default "photos/post.txt")
#   file        the file's bytes (default "hello form"), filename its name
#   conditions  policy conditions (default [{bucket => "demo-bucket"}])
#   expiration  Unix time (default now + 1 hour)
#   fields      extra fields, [name => value, ...], before the file
#   v4          V4 signature (region: default "cn-hangzhou"; date: Unix)
#   policy      a base64 policy to send instead of the signed one
#   secret      sign with this secret instead of the token's
#   drop        field names to leave out
sub sts_post_form {
    my ($c, %o) = @_;
    require Digest::SHA;
    require MIME::Base64;
    require JSON::PP;
    require POSIX;

    my $boundary = $o{boundary} || '----StsTestFormBoundary7MA4YWxkTrZu0gW';
    my $key = $o{key} // 'photos/post.txt';
    my $file = $o{file} // 'hello form';
    my $filename = $o{filename} // 'post.txt';
    my $secret = $o{secret} // $c->{secret};
    my $exp = POSIX::strftime('%Y-%m-%dT%H:%M:%S.000Z',
                              gmtime($o{expiration} // time() + 3600));
    my $conds = $o{conditions} || [{ bucket => 'demo-bucket' }];
    my @fields = (key => $key);

    my $policy_json = JSON::PP->new->canonical->encode(
        { expiration => $exp, conditions => $conds });
    my $policy = MIME::Base64::encode_base64($policy_json, '');

    if ($o{v4}) {
        my $region = $o{region} || 'cn-hangzhou';
        my $t = $o{date} // time();
        my $day = POSIX::strftime('%Y%m%d', gmtime $t);
        my $date = POSIX::strftime('%Y%m%dT%H%M%SZ', gmtime $t);
        my $k = Digest::SHA::hmac_sha256($day, "aliyun_v4$secret");
        $k = Digest::SHA::hmac_sha256($region, $k);
        $k = Digest::SHA::hmac_sha256('oss', $k);
        $k = Digest::SHA::hmac_sha256('aliyun_v4_request', $k);
        push @fields, 'x-oss-signature-version' => 'OSS4-HMAC-SHA256',
                      'x-oss-credential' =>
                          "$c->{id}/$day/$region/oss/aliyun_v4_request",
                      'x-oss-date' => $date,
                      policy => $o{policy} // $policy,
                      'x-oss-signature' =>
                          Digest::SHA::hmac_sha256_hex($policy, $k);
    } else {
        my $sig = MIME::Base64::encode_base64(
            Digest::SHA::hmac_sha1($policy, $secret), '');
        push @fields, OSSAccessKeyId => $c->{id},
                      policy => $o{policy} // $policy,
                      Signature => $sig;
    }

    push @fields, 'x-oss-security-token' => $c->{token},
                  'success_action_status' => '201',
                  @{ $o{fields} || [] };

    my %drop = map { lc($_) => 1 } @{ $o{drop} || [] };
    my $body = '';
    while (my ($name, $value) = splice @fields, 0, 2) {
        next if $drop{lc $name};
        $body .= "--$boundary\r\nContent-Disposition: form-data; "
                 . qq{name="$name"\r\n\r\n$value\r\n};
    }
    $body .= "--$boundary\r\nContent-Disposition: form-data; "
             . qq{name="file"; filename="$filename"\r\n}
             . "Content-Type: application/octet-stream\r\n\r\n"
             . "$file\r\n--$boundary--";

    return ("multipart/form-data; boundary=$boundary", $body);
}

# sts_post_rekey($body, $new): the PostObject form as the store gets it
# when the gateway rewrites its key to $new: the key part's headers and
# value overwritten in place, spaces filling what the new key leaves, the
# rest inserted after (sts_formstamp_key)
sub sts_post_rekey {
    my ($body, $new) = @_;
    $body =~ /Content-Disposition: form-data; name="key"\r\n\r\n[^\r]*/
        or die "no key part";
    my ($at, $len) = ($-[0], $+[0] - $-[0]);
    my ($cd, $rest) = ('Content-Disposition: ',
                       qq{form-data; name="key"\r\n\r\n});
    my $least = length($cd) + length($rest) + length($new);
    substr($body, $at, $len) = $cd . (' ' x ($len > $least ? $len - $least
                                                           : 0))
                               . $rest . $new;
    return $body;
}

1;
