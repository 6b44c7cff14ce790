package StsPop;

# POP (Alibaba Cloud RPC) requests for the STS endpoint suites, signed
# here in Perl, independently of the C code, the way pop-core signs them:
# GET with the parameters in the query, or POST with a form body.
#
# A request is a plain string, as Test::Nginx wants it, and StsPop
# remembers the code that built it.  pop_hooks() (call it before
# run_tests) rebuilds a block's requests and headers with a fresh
# Timestamp and SignatureNonce through Test::Nginx's own hooks: once
# nginx is up (a "--- init" that a block preprocessor adds) and after
# each repetition (a response body check), so that repeated requests are
# not replays.  One text used twice in a block (a replay test) is rebuilt
# as one text.  pop_lazy(code) and pop_lazy_header(code) stand for what
# code returns once nginx is up (code may call the endpoint): until the
# init hook builds them they are placeholders no endpoint accepts, so a
# file that forgets pop_hooks() fails.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha1_base64);
use POSIX qw(strftime);
use Exporter 'import';

our @EXPORT = qw(pop_params pop_request pop_lazy pop_lazy_header pop_hooks);

our %Build;         # text => the code that builds a fresh one
my $Unbuilt = 0;
my $Block;          # the block being run, set by the preprocessor

# the text code returns now, remembered
sub pop_fresh {
    my ($code) = @_;
    my $text = $code->();
    $Build{$text} = $code;
    return $text;
}

sub pop_lazy {
    my ($code) = @_;
    my $text = "GET /StsPop-unbuilt-" . ++$Unbuilt;
    $Build{$text} = $code;
    return $text;
}

sub pop_lazy_header {
    my ($code) = @_;
    my $text = "X-StsPop-Unbuilt: " . ++$Unbuilt . "\n";
    $Build{$text} = $code;
    return $text;
}

# whether a section's value (a text or an array of them) holds a text
# StsPop built
sub built_here {
    my ($v) = @_;
    return 0 unless defined $v;
    return scalar grep { defined && !ref && exists $Build{$_} }
                  ref $v eq 'ARRAY' ? @$v : ($v);
}

# rebuilds the current block's request and more_headers, in that order
# (a header's code may use what its request's code obtained)
sub rebuild {
    my %new;
    for my $section (qw(request more_headers)) {
        my $v = $Block->$section;
        next unless built_here($v);
        my @texts = map {
            my $t = $_;
            (defined $t && !ref $t && exists $Build{$t})
                ? ($new{$t} //= pop_fresh($Build{$t})) : $t;
        } ref $v eq 'ARRAY' ? @$v : ($v);
        $Block->set_value($section, ref $v eq 'ARRAY' ? [@texts] : $texts[0]);
    }
}

sub pop_hooks {
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my ($block) = @_;
        $Block = $block;
        return unless built_here($block->request)
                      || built_here($block->more_headers);
        die $block->name . ": StsPop needs --- init for itself\n"
            if defined $block->init;
        $block->set_value('init', 'StsPop::rebuild();');
    });
    Test::Nginx::Socket::add_response_body_check(sub {
        my ($block, $body, $i, $rep, $dry_run) = @_;
        my $req = $block->request;
        my $last = ref $req eq 'ARRAY' ? $#$req : 0;
        rebuild() if $i == $last
                     && $rep < Test::Nginx::Socket::repeat_each() - 1;
    });
}

# |js|: the encoding of @alicloud/sts-sdk (encodeURIComponent), which
# leaves !'()* alone
sub pop_enc {
    my ($s, $js) = @_;
    if ($js) {
        $s =~ s/([^A-Za-z0-9\-_.~!'()*])/sprintf('%%%02X', ord $1)/ge;
    } else {
        $s =~ s/([^A-Za-z0-9\-_.~])/sprintf('%%%02X', ord $1)/ge;
    }
    return $s;
}

sub pop_sign {
    my ($method, $p, $secret, $js) = @_;
    my $cq = join '&', map { pop_enc($_, $js) . '=' . pop_enc($p->{$_}, $js) }
                       sort keys %$p;
    my $sig = hmac_sha1_base64("$method&%2F&" . pop_enc($cq, $js),
                               "$secret&");
    $sig .= '=' while length($sig) % 4;
    return $sig;
}

# pop_params(key => ID, secret => S, method => M, params => {...},
#            drop => [names removed before signing],
#            set => {replaced after signing}, unsigned => 1,
#            js => 1, skew => seconds added to the Timestamp)
sub pop_params {
    my (%o) = @_;
    my %p = (
        Format => 'JSON', Version => '2015-04-01',
        AccessKeyId => $o{key},
        SignatureMethod => 'HMAC-SHA1', SignatureVersion => '1.0',
        SignatureNonce => join('', map { sprintf '%02x', int rand 256 }
                                       1 .. 16),
        Timestamp => strftime('%Y-%m-%dT%H:%M:%SZ',
                              gmtime(time + ($o{skew} // 0))),
        %{ $o{params} || {} },
    );
    delete $p{$_} for @{ $o{drop} || [] };
    $p{Signature} = pop_sign($o{method} // 'GET', \%p, $o{secret}, $o{js});
    %p = (%p, %{ $o{set} || {} });
    delete $p{Signature} if $o{unsigned};
    return join '&', map { pop_enc($_, $o{js}) . '=' . pop_enc($p{$_}, $o{js}) }
                     sort keys %p;
}

# pop_request(shape => 'get' | 'form' | 'sdk', path => '/sts',
#             query => 'a=b' (form: a query string too), and pop_params'
#             options): the text of "--- request".  'sdk' is
# @alicloud/sts-sdk's: POST with the parameters in the query, encoded as
# encodeURIComponent does.
sub pop_request {
    my (%o) = @_;
    my $shape = $o{shape} // 'get';
    my $path = $o{path} // '/sts';
    return pop_fresh(sub {
        if ($shape eq 'get') {
            return "GET $path?" . pop_params(%o, method => 'GET');
        }
        if ($shape eq 'sdk') {
            return "POST $path?" . pop_params(%o, method => 'POST', js => 1);
        }
        return "POST $path" . ($o{query} ? "?$o{query}" : '') . "\n"
               . pop_params(%o, method => 'POST');
    });
}

1;
