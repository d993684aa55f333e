#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Turns a file into a C header so the module serves it from memory.
# Usage: embed-asset.pl FILE SYMBOL > header.h
# Emits SYMBOL (bytes), SYMBOL_len, SYMBOL_etag (content hash, so the ETag
# changes exactly when the bytes do) and SYMBOL_mtime (the source's mtime, or
# SOURCE_DATE_EPOCH for reproducible builds) for Last-Modified.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);

my ($file, $sym) = @ARGV;
die "usage: $0 FILE SYMBOL\n" unless defined $sym && $sym =~ /^[A-Za-z_]\w*$/;
open my $fh, '<:raw', $file or die "$0: cannot read $file: $!\n";
my $data = do { local $/; <$fh> };
close $fh;
my $mtime = $ENV{SOURCE_DATE_EPOCH} // (stat $file)[9];
my $etag = substr(sha256_hex($data), 0, 32);

print "/* generated from $file by embed-asset.pl: do not edit */\n";
print "static const unsigned char ${sym}[] = {\n";
my @bytes = unpack 'C*', $data;
while (my @row = splice @bytes, 0, 16) {
    print '    ', join(',', map { sprintf '0x%02x', $_ } @row), ",\n";
}
print "    0x00\n};\n";
printf "static const apr_size_t %s_len = %d;\n", $sym, length $data;
print "static const char ${sym}_etag[] = \"\\\"$etag\\\"\";\n";
printf "static const apr_time_t %s_mtime = APR_TIME_C(%d) * APR_USEC_PER_SEC;\n", $sym, $mtime;
