#!/usr/bin/perl
# Writes seed inputs for the fuzz targets from the known-answer vectors in
# t/vectors: every OSS request of oss_v1_header, oss_v1_presign,
# oss_v4_header and oss_v4_presign becomes a fuzz_auth input (the
# Authorization line, query, path, method, headers) and a fuzz_oss input
# (flags byte, method, Host, path, query, headers), once for each
# addressing mode that fits it.  The seeds are committed in
# t/fuzz/corpus/<target>/vec-<id>; run again after the vectors change:
#
#   perl t/fuzz/seeds.pl

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use JSON::PP;

my $root = dirname(dirname(dirname(__FILE__)));
my $vec = "$root/t/vectors";
my $out = "$root/t/fuzz/corpus";
my $count = 0;

sub slurp {
    my ($file) = @_;
    open my $fh, '<:raw', $file or die "$file: $!\n";
    local $/;
    return JSON::PP->new->utf8->decode(<$fh>);
}

sub write_seed {
    my ($target, $name, $bytes) = @_;
    make_path("$out/$target");
    $name =~ s/[^A-Za-z0-9_.-]/_/g;
    open my $fh, '>:raw', "$out/$target/vec-$name" or die "$name: $!\n";
    print $fh $bytes;
    close $fh;
    $count++;
}

sub utf8_bytes {
    my ($s) = @_;
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

# one request: method, host, raw path, raw query, headers (name => value)
sub seeds_for {
    my ($id, $method, $host, $path, $query, $headers) = @_;
    my ($auth, @lines);

    for my $name (sort keys %$headers) {
        if (lc $name eq 'authorization') {
            $auth = $headers->{$name};
            next;
        }
        push @lines, utf8_bytes("$name: $headers->{$name}");
    }

    write_seed('fuzz_auth', $id,
               join("\n", map { utf8_bytes($_) }
                              $auth // '', $query, $path, $method, @lines));

    # path style, virtual-host style, one fixed bucket
    my $vhost = $host =~ /^([a-z0-9-]+)\./ ? "$1.oss.example.com" : $host;
    my %modes = (
        'path' => [0x10, 'localhost', "/examplebucket$path"],
        'vhost' => [0x11, $vhost, $path],
        'bucket' => [0x16, $host, $path],
    );
    for my $m (sort keys %modes) {
        my ($flags, $h, $p) = @{ $modes{$m} };
        write_seed('fuzz_oss', "$id-$m",
                   join("\n", chr($flags) . $method, $h, $p, $query,
                              @lines));
    }
}

for my $v (@{ slurp("$vec/oss_v1_header.json")->{vectors} },
           @{ slurp("$vec/oss_v4_header.json")->{vectors} })
{
    my $r = $v->{request};
    seeds_for($v->{id}, $r->{method}, $r->{host_header} // $r->{url_host},
              $r->{raw_path}, $r->{raw_query}, $r->{headers} || {});
}

for my $v (@{ slurp("$vec/oss_v1_presign.json")->{vectors} },
           @{ slurp("$vec/oss_v4_presign.json")->{vectors} })
{
    my $call = $v->{call} || {};
    my $method = $call->{method} || ($call->{options} || {})->{method}
                 || 'GET';
    my $req = $call->{request} || {};
    seeds_for($v->{id}, $method, $v->{url_host}, $v->{raw_path},
              $v->{raw_query}, $req->{headers} || {});
}

print "$count seeds written under $out\n";
