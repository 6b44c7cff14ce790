package StsPop;

# POP (Alibaba Cloud RPC) requests for the STS endpoint suites, signed
# here in Perl, independently of the C code, the way pop-core signs them:
# GET with the parameters in the query, or POST with a form body.  A
# request is built when it is sent (fresh Timestamp and SignatureNonce),
# so repeated requests are not replays.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha1_base64);
use POSIX qw(strftime);
use Exporter 'import';

our @EXPORT = qw(pop_params pop_request pop_lazy);

# A value that stringifies by running code: requests built when sent.
package StsPop::Lazy {
    use overload '""' => sub { $_[0]->() }, fallback => 1;
    sub new { my ($class, $code) = @_; return bless $code, $class }
}

sub pop_lazy { return StsPop::Lazy->new(@_) }

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
#             options): the text of "--- request", built when the runner
# asks for it.  'sdk' is @alicloud/sts-sdk's: POST with the parameters in
# the query, encoded as encodeURIComponent does.
sub pop_request {
    my (%o) = @_;
    my $shape = $o{shape} // 'get';
    my $path = $o{path} // '/sts';
    return pop_lazy(sub {
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
