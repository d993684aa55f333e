#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Every log line of the module carries a number (PBXLOGNO(n), like httpd's
# APLOGNO), no number is used twice, and docs/troubleshooting.md lists every
# number in use and no number that is gone. Prints "ok"/"not ok" lines, then
# "N passed, N failed".
use strict;
use warnings;
use FindBin ();
chdir "$FindBin::Bin/../.." or die "chdir: $!";

my ($passed, $failed) = (0, 0);
sub check {
    my ($ok, $what, @why) = @_;
    if ($ok) { $passed++; print "ok - $what\n"; return }
    $failed++; print "not ok - $what\n"; print "#   $_\n" for @why;
}

my @files = (glob('src/*/*.c'), 'mod_pbxdial.c');
my (%where, @unnumbered, $calls);
for my $f (@files) {
    open my $fh, '<', $f or die "$f: $!";
    my $text = do { local $/; <$fh> };
    # each ap_log_*error( ... ); statement, up to the semicolon that ends it
    while ($text =~ /\bap_log_(?:r|c|p)?error\s*\((.*?)\)\s*;/sg) {
        my ($args, $at) = ($1, $-[0]);
        my $line = 1 + (substr($text, 0, $at) =~ tr/\n//);
        $calls++;
        my @n = $args =~ /PBXLOGNO\(\s*(\d+)\s*\)/g;    # clang-format may break the line inside
        if (!@n) { push @unnumbered, "$f:$line"; next }
        push @{ $where{$_} }, "$f:$line" for @n;
    }
    while ($text =~ /"PBXDIAL\d+/g) {
        my $line = 1 + (substr($text, 0, $-[0]) =~ tr/\n//);
        push @unnumbered, "$f:$line (a literal number: write PBXLOGNO(n))";
    }
}
check($calls > 50, "found the module's log calls ($calls)");
check(!@unnumbered, "every log call has a PBXLOGNO(n)", @unnumbered);
my @dup = map { "PBXDIAL$_ at " . join(', ', @{ $where{$_} }) } grep { @{ $where{$_} } > 1 } sort keys %where;
check(!@dup, 'no log number is used twice (' . scalar(keys %where) . ' numbers)', @dup);

my $doc = 'docs/troubleshooting.md';
if (open my $fh, '<', $doc) {
    my $text = do { local $/; <$fh> };
    my %listed = map { $_ => 1 } $text =~ /PBXDIAL(\d{4})\b/g;
    my @missing = grep { !$listed{$_} } sort keys %where;
    my @stale   = grep { !$where{$_} } sort keys %listed;
    check(!@missing, "$doc lists every log number", map { "PBXDIAL$_ ($where{$_}[0]) is not in $doc" } @missing);
    check(!@stale, "$doc lists no number the code no longer logs", map { "PBXDIAL$_" } @stale);
} else {
    check(0, "$doc exists", "$doc: $!");
}
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
