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

sub pop_enc {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9\-_.~])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

sub pop_sign {
    my ($method, $p, $secret) = @_;
    my $cq = join '&', map { pop_enc($_) . '=' . pop_enc($p->{$_}) }
                       sort keys %$p;
    my $sig = hmac_sha1_base64("$method&%2F&" . pop_enc($cq), "$secret&");
    $sig .= '=' while length($sig) % 4;
    return $sig;
}

# pop_params(key => ID, secret => S, method => M, params => {...},
#            set => {replaced after signing}, unsigned => 1)
sub pop_params {
    my (%o) = @_;
    my %p = (
        Format => 'JSON', Version => '2015-04-01',
        AccessKeyId => $o{key},
        SignatureMethod => 'HMAC-SHA1', SignatureVersion => '1.0',
        SignatureNonce => join('', map { sprintf '%02x', int rand 256 }
                                       1 .. 16),
        Timestamp => strftime('%Y-%m-%dT%H:%M:%SZ', gmtime),
        %{ $o{params} || {} },
    );
    $p{Signature} = pop_sign($o{method} // 'GET', \%p, $o{secret});
    %p = (%p, %{ $o{set} || {} });
    delete $p{Signature} if $o{unsigned};
    return join '&', map { pop_enc($_) . '=' . pop_enc($p{$_}) }
                     sort keys %p;
}

# pop_request(shape => 'get' | 'form', path => '/sts', and pop_params'
# options): the text of "--- request", built when the runner asks for it
sub pop_request {
    my (%o) = @_;
    my $path = $o{path} // '/sts';
    return pop_lazy(sub {
        if (($o{shape} // 'get') eq 'get') {
            return "GET $path?" . pop_params(%o, method => 'GET');
        }
        return "POST $path\n" . pop_params(%o, method => 'POST');
    });
}

1;
