# Secrets are compared in constant time: a review of the sources that
# verify MACs, signatures and tags (src/core/sts_sign.c, sts_pop.c,
# sts_post.c, sts_token.c), kept as a test so that a later change cannot
# quietly bring back memcmp on a signature.  t/unit/test_ct.c checks the
# same at run time (every verification goes through CRYPTO_memcmp).
#
#   1. no byte comparison (memcmp, strcmp, strncmp, bcmp, their ngx_
#      twins, or the files' own equality helpers) is made on anything
#      named like a signature, MAC, tag, digest or secret, except the
#      reviewed ones listed below with the reason;
#   2. each verifying function compares with sts_ct_equal;
#   3. sts_ct_equal checks the lengths, then calls CRYPTO_memcmp;
#   4. the token's AES-GCM tag is handed to OpenSSL, which checks it in
#      EVP_DecryptFinal_ex, and nothing is parsed before that.

use strict;
use warnings;

use File::Basename qw(dirname);
use Test::More;

my $src = dirname(__FILE__) . '/../../src/core';

my $compare = qr/\b(?:memcmp|bcmp|strcmp|strncmp|strcasecmp|strncasecmp
                   |ngx_memcmp|ngx_strcmp|ngx_strncmp|ngx_strcasecmp
                   |ngx_strncasecmp|ngx_memn2cmp|sts_str_same
                   |sts_str_casesame|sts_post_eq|sts_str_eq|sts_str_caseeq)
                 \s*\(/x;

# an identifier (a variable, a member) named for a secret: the name, or
# its last "_" part, is one of these words (string literals do not count:
# comparing a parameter's name with "Signature" is not comparing one)
my $secretish = qr/^(?:\w+_)?(?:sig|signature|mac|hmac|tag|digest|secret
                               |key|mine|computed|expected|want)$/ix;

# reviewed comparisons of such a name that are not secrets: "file:function"
# => the reason
my %reviewed = (
);

# C functions of a file: name => [lines of its body]
sub functions {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my (%fn, $name);
    while (my $line = <$fh>) {
        if ($line =~ /^([a-z][a-z0-9_]*)\(/) {
            $name = $1;
        } elsif ($line =~ /^}/) {
            push @{ $fn{$name} }, $line if defined $name;
            undef $name;
            next;
        }
        push @{ $fn{$name} }, $line if defined $name;
    }
    close $fh;
    return \%fn;
}

# the text of every comparison call in @lines, with its continuation
sub calls {
    my (@lines) = @_;
    my @calls;
    for my $i (0 .. $#lines) {
        next unless $lines[$i] =~ $compare;
        my $text = join ' ', @lines[$i .. ($i + 2 > $#lines ? $#lines
                                                             : $i + 2)];
        $text =~ s/\s+/ /g;
        # from the call on, up to its closing parenthesis
        $text =~ s/^.*?($compare)/$1/;
        my ($depth, $out) = (0, '');
        for my $ch (split //, $text) {
            $out .= $ch;
            $depth++ if $ch eq '(';
            if ($ch eq ')') {
                $depth--;
                last if $depth == 0;
            }
        }
        push @calls, $out;
    }
    return @calls;
}

my %inventory;
my @found;       # [passed, name] for each comparison of section 1

for my $file (qw(sts_sign.c sts_pop.c sts_post.c sts_token.c)) {
    my $fn = functions("$src/$file");
    for my $name (sort keys %$fn) {
        for my $call (calls(@{ $fn->{$name} })) {
            $inventory{$file}++;
            (my $code = $call) =~ s/"(?:[^"\\]|\\.)*"//g;
            my @named = grep { /$secretish/ } $code =~ /([A-Za-z_]\w*)/g;
            next unless @named;
            my $where = "$file:$name";
            if ($reviewed{$where}) {
                push @found, [1, "$where: $call (reviewed: $reviewed{$where})"];
            } else {
                push @found, [0, "$where: $call compares \"@named\", which "
                                 . "looks like a secret; use sts_ct_equal (or "
                                 . "review it and list it here)"];
            }
        }
    }
}

# one check per comparison found, then the 13 of sections 2 to 4
plan tests => @found + 13;
ok($_->[0], $_->[1]) for @found;

diag("byte comparisons reviewed: "
     . join(', ', map { "$_ $inventory{$_}" } sort keys %inventory));

# 2. the verifying functions compare with sts_ct_equal
my %verifiers = (
    'sts_sign.c' => ['sts_auth_verify_with'],  # of both sts_auth_verify*
    'sts_pop.c'  => ['sts_pop_verify'],
    'sts_post.c' => ['sts_post_auth_verify'],
    'sts_oss.c'  => ['sts_oss_content_md5_ok'],
);
for my $file (sort keys %verifiers) {
    my $fn = functions("$src/$file");
    for my $name (@{ $verifiers{$file} }) {
        my $body = join '', @{ $fn->{$name} || [] };
        ok(length $body, "$file: $name exists");
        like($body, qr/\bsts_ct_equal\s*\(/,
             "$file: $name compares with sts_ct_equal");
    }
}

# 3. sts_ct_equal itself
{
    my $fn = functions("$src/sts_util.c");
    my $body = join '', @{ $fn->{sts_ct_equal} || [] };
    like($body, qr/a_len\s*!=\s*b_len.*CRYPTO_memcmp\s*\(/s,
         'sts_ct_equal: the lengths first, then CRYPTO_memcmp');
    unlike($body, qr/\b(?:memcmp|strcmp|strncmp)\s*\(/,
           'sts_ct_equal: no other comparison');
}

# 4. the token's tag
{
    my $fn = functions("$src/sts_token.c");
    my $all = join '', map { @$_ } values %$fn;
    my $gcm = join '', @{ $fn->{sts_gcm} || [] };
    like($gcm, qr/EVP_CTRL_GCM_SET_TAG.*EVP_(?:Cipher|Decrypt)Final_ex/s,
         'sts_gcm: the tag is given to OpenSSL, then checked by the final '
         . 'decryption call');
    unlike($all, qr/\b(?:memcmp|CRYPTO_memcmp|sts_ct_equal)\s*\([^;]*tag/,
           'sts_token.c: no tag compared by hand');
    my $open = join '', @{ $fn->{sts_token_open} || [] };
    my $decrypt = index $open, 'sts_gcm(';
    my $parse = index $open, 'json_loadb';
    my $inflate = index $open, 'sts_inflate';
    ok($decrypt >= 0 && $parse > $decrypt && $inflate > $decrypt,
       'sts_token_open: the tag is checked before anything is inflated '
       . 'or parsed');
}

