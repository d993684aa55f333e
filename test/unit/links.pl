#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Every relative link of the documentation resolves: README.md, docs/*.md and
# the READMEs of conf/, src/, sim/ and test/*. A link to a file or folder
# must name one that exists in the tree; a link with #anchor must name a
# heading of the target (or of the same file), spelled as GitHub makes
# anchors from headings. Links inside code (fenced blocks, `spans`) are not
# links. Prints an "ok"/"not ok" line per link, then "N passed, N failed".
use strict;
use warnings;
use utf8;
use FindBin ();
use File::Basename qw(dirname);
use File::Spec ();
chdir "$FindBin::Bin/../.." or die "chdir: $!";
binmode STDOUT, ':encoding(UTF-8)';

my @files = grep { -f } ('README.md', glob('docs/*.md'), 'conf/README.md', 'src/README.md', 'sim/README.md',
                         glob('test/*/README.md'), glob('test/*/HISTORY.md'));

my ($passed, $failed) = (0, 0);
sub check {
    my ($ok, $what, @why) = @_;
    if ($ok) { $passed++; print "ok - $what\n"; return }
    $failed++; print "not ok - $what\n"; print "#   $_\n" for @why;
}

sub slurp {
    my $f = shift;
    open my $fh, '<:encoding(UTF-8)', $f or die "$f: $!";
    local $/;
    scalar <$fh>;
}

# The text outside fenced code blocks, with line numbers kept (a fenced line
# becomes an empty one).
sub prose {
    my ($text) = @_;
    my ($fence, @out) = ('');
    for my $line (split /\n/, $text, -1) {
        if (!$fence && $line =~ /^\s{0,3}(```+|~~~+)/) { $fence = $1; push @out, ''; next }
        if ($fence && $line =~ /^\s{0,3}\Q$fence\E\s*$/) { $fence = ''; push @out, ''; next }
        push @out, $fence ? '' : $line;
    }
    @out;
}

# GitHub's anchors: the heading's text (links reduced to their text, inline
# markup dropped) in lower case, without punctuation but - and _, spaces made
# hyphens; a repeated anchor gets -1, -2, ...
my %anchors_of;
sub anchors {
    my ($file) = @_;
    return $anchors_of{$file} //= do {
        my (%seen, %set);
        for my $line (prose(slurp($file))) {
            next unless $line =~ /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
            my $h = $1;
            $h =~ s/\[([^\]]*)\]\([^)]*\)/$1/g;
            $h = lc $h;
            $h =~ s/[^\w\- ]//g;
            $h =~ tr/ /-/;
            my $a = $seen{$h}++ ? "$h-" . ($seen{$h} - 1) : $h;
            $set{$a} = 1;
        }
        \%set;
    };
}

for my $file (@files) {
    my @lines = prose(slurp($file));
    for my $n (0 .. $#lines) {
        (my $line = $lines[$n]) =~ s/(`+).*?\1//g;    # code spans
        my @targets = $line =~ /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
        push @targets, $1 if $line =~ /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
        for my $target (@targets) {
            next if $target =~ m{^[a-z][a-z0-9+.-]*:}i;    # http:, https:, mailto: ...
            my $where = "$file:" . ($n + 1) . ": $target";
            my ($path, $anchor) = $target =~ /^([^#]*)(?:#(.*))?$/;
            if ($path =~ m{^/}) { check(0, $where, 'an absolute path: write it relative to the file'); next }
            my $dest = $path eq '' ? $file : File::Spec->canonpath(dirname($file) . "/$path");
            $dest =~ s{%20}{ }g;
            if (!-e $dest) { check(0, $where, "$dest does not exist"); next }
            if (defined $anchor && length $anchor) {
                if ($dest !~ /\.md$/ || -d $dest) { check(0, $where, "#$anchor on $dest, which is not a markdown file"); next }
                my $set = anchors($dest);
                check($set->{lc $anchor}, $where, "$dest has no heading whose anchor is #$anchor");
                next;
            }
            check(1, $where);
        }
    }
}
check(scalar(@files) >= 10, 'found the documentation (' . scalar(@files) . ' files)');
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
