# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# pbxdial-link (tools/pbxdial-link.c) keeps its secrets: it warns when a
# --password-file is open to group or others (like ssh with a private key;
# a PbxDialLinkPasswords file only when others can read it, since httpd's
# group rightly reads it), and it leaves no copy of a password in its
# memory: the process is stopped at its very end (apr_terminate) under gdb,
# dumped with gcore, and the dump searched. A control stop before signing
# finds the password, so the search is known to work. gdb is among the
# suite's packages (scripts/setup.sh): without it those six fail, with the
# reason, rather than pass unexamined.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);

plan tests => 14;

# the memory checks need gdb: without it they fail with the reason
my $nogdb = -x '/usr/bin/gdb' ? 0 : 'gdb is not installed: cannot look into the tool\'s memory';
sub memcheck {
    my ($code, $want, $name) = @_;
    ok t_cmp($nogdb || $code->(), $want, $name);
}

my $tool = "$ENV{PBXDIAL_TOP}/pbxdial-link";
my $dir = tempdir(CLEANUP => 1);
my @base = ('--base', 'http://crm.example.com/remote_call.htm', '--dest', '0123');
my $LINK = qr{^http://crm\.example\.com/remote_call\.htm\?user=4[01]&extension=true&dest=0123&time=\d+&auth=[0-9a-f]{32}\n$};

sub write_file {
    my ($name, $text, $mode) = @_;
    open my $fh, '>', "$dir/$name" or die "$dir/$name: $!";
    print $fh $text;
    close $fh;
    chmod $mode, "$dir/$name" or die;
    return "$dir/$name";
}
# (exit status, stdout, stderr) of the tool
sub run {
    my ($stdin, @args) = @_;
    my $q = join ' ', map { "'$_'" } @args;
    my $out = `'$tool' $q <'$stdin' 2>'$dir/stderr'`;
    my $rc = $? >> 8;
    open my $fh, '<', "$dir/stderr" or die;
    local $/;
    my $err = <$fh> // '';
    return ($rc, $out, $err);
}
sub outcome { my ($rc, $out, $err) = @_; ($rc == 0 && $out =~ $LINK ? 'link' : "exit $rc: $out") . ' | ' . ($err eq '' ? 'quiet' : $err) }

my $pw = 'Wipe-Me-7f3a9c';
my $private = write_file('private.pw', "$pw\n", 0600);
my $links = write_file('linkpw', "# user:password\n40:Wipe-Me-40x\n41:Wipe-Me-41y\n", 0640);

# --- the warnings
ok t_cmp(outcome(run('/dev/null', @base, '--user', '40', '--password-file', $private)), 'link | quiet', 'mode 0600: no warning');
for my $mode (0644, 0640, 0604, 0620) {
    my $f = write_file(sprintf('open%o.pw', $mode), "$pw\n", $mode);
    ok t_cmp(outcome(run('/dev/null', @base, '--user', '40', '--password-file', $f)),
             sprintf("link | pbxdial-link: warning: %s is open to group or others (mode %04o); run chmod 600 '%s'\n", $f, $mode, $f),
             sprintf('--password-file of mode %04o: the link, and a warning', $mode));
}
ok t_cmp(outcome(run('/dev/null', @base, '--user', '40', '--link-passwords', $links)), 'link | quiet',
         'a PbxDialLinkPasswords file of mode 0640 (httpd\'s group reads it): no warning');
my $world = write_file('linkpw-world', "40:Wipe-Me-40x\n", 0644);
ok t_cmp(outcome(run('/dev/null', @base, '--user', '40', '--link-passwords', $world)),
         "link | pbxdial-link: warning: $world is open to others (mode 0644); run chmod o-rwx '$world'\n",
         'a PbxDialLinkPasswords file of mode 0644: a warning');
ok t_cmp(outcome(run($private, @base, '--user', '40')), 'link | quiet', 'the password on stdin: no warning');

# --- its memory at the end: no password anywhere
# copies of each secret in a core dump of the tool stopped at $where
sub left {
    my ($where, $stdin, @args) = @_;
    my $core = "$dir/core";
    unlink $core, "$dir/gdb.log";
    my $q = join ' ', map { "'$_'" } @args;
    system(qq{gdb -batch -nx -q -ex 'set debuginfod enabled off' -ex 'set breakpoint pending on' }
         . qq{-ex 'break $where' -ex "run $q <'$stdin'" -ex 'gcore $core' -ex kill --args '$tool' >'$dir/gdb.log' 2>&1});
    return 'no core dump (see gdb.log)' unless -s $core;
    # streamed through grep: under AddressSanitizer the dump is far larger
    # than the process's real memory, too large to read into Perl
    open my $g, '-|', 'grep', '-aoE', 'Wipe-Me-[0-9a-z]+', $core or die "grep: $!";
    my %n;
    while (my $hit = <$g>) { chomp $hit; $n{$hit}++ }
    close $g;
    unlink $core;
    return join(' ', map { "$_ x$n{$_}" } sort keys %n) || 'none';
}

memcheck(sub { left('pbxdial_link_mint', $private, @base, '--user', '40') }, qr/^Wipe-Me-7f3a9c x\d+$/,
         'control: before signing, the dump holds the password (the search works)');
memcheck(sub { left('apr_terminate', '/dev/null', @base, '--user', '40', '--password-file', $private) }, 'none',
         '--password-file: no copy of the password left at the end');
memcheck(sub { left('apr_terminate', $private, @base, '--user', '40') }, 'none',
         'password on stdin: no copy left (stdio\'s buffer included)');
memcheck(sub { left('apr_terminate', '/dev/null', @base, '--user', '40', '--link-passwords', $links) }, 'none',
         '--link-passwords: neither this user\'s nor the other users\' passwords left');
memcheck(sub { left('apr_terminate', '/dev/null', @base, '--user', '42', '--link-passwords', $links) }, 'none',
         '--link-passwords without a line for the user (exit 1): nothing left either');
memcheck(sub { left('apr_terminate', '/dev/null', @base, '--user', '40', '--dest', 'abc', '--password-file', $private) }, 'none',
         'a bad number (exit 1 after reading the password): nothing left');
