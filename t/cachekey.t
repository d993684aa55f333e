# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# PbxDialCacheKey: a cache that servers share (memcache:, redis:) needs the
# same key on every server, or ids differ between them and a link used on
# one dials again on the next; `httpd -t` refuses such a config, and a key
# file that is missing, short or readable by everyone, with the file, the
# line and what to write instead.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $httpd = Apache::Test::vars('httpd') or die "no httpd";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my @load = grep { /^LoadModule (mpm_event|authz_core|socache_shmcb)_module/ }
    do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };

my $dir = tempdir('pbxdial-cachekey-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub spurt { my ($f, $text, $mode) = @_; open my $fh, '>', $f or die $!; print {$fh} $text; close $fh; chmod $mode // 0644, $f }
spurt("$dir/key", 'k' x 64 . "\n", 0600);
spurt("$dir/key-open", 'k' x 64 . "\n", 0644);
spurt("$dir/key-short", "0123456789abcdef\n", 0600);

# httpd -t on a config whose lines after the header are $body: (exit code,
# output, line number of the first body line).
sub check_config {
    my $body = shift;
    my $head = join '', "ServerRoot $dir\n", "ServerName localhost\n", "Listen 127.0.0.1:1\n",
        "PidFile $dir/pid\n", "ErrorLog $dir/error_log\n", "DefaultRuntimeDir $dir\n", @load,
        "LoadModule socache_memcache_module $moddir/mod_socache_memcache.so\n",
        "LoadModule socache_redis_module $moddir/mod_socache_redis.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n";
    my $first = ($head =~ tr/\n//) + 1;
    spurt("$dir/httpd.conf", $head . $body);
    my $out = `'$httpd' -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    return ($? >> 8, $out, $first);
}

my @bad = (
    ['memcache without PbxDialCacheKey', "PbxDialCache memcache:127.0.0.1:11211\n",
     qr/PbxDialCache memcache:127\.0\.0\.1:11211 on line (\d+) of \Q$dir\E\/httpd\.conf .*needs PbxDialCacheKey.*add "PbxDialCacheKey file:/],
    ['redis without PbxDialCacheKey', "PbxDialCache redis:127.0.0.1:6379\n",
     qr/PbxDialCache redis:127\.0\.0\.1:6379 on line (\d+) of \Q$dir\E\/httpd\.conf .*needs PbxDialCacheKey/],
    ['a missing key file', "PbxDialCacheKey file:$dir/nope\nPbxDialCache memcache:127.0.0.1:11211\n",
     qr/line (\d+) of \Q$dir\E\/httpd\.conf:\s*PbxDialCacheKey: cannot read .*nope.*openssl rand/s],
    ['a world-readable key file', "PbxDialCacheKey file:$dir/key-open\nPbxDialCache memcache:127.0.0.1:11211\n",
     qr/line (\d+) of \Q$dir\E\/httpd\.conf:\s*PbxDialCacheKey: .*key-open can be read or written by everyone; run chmod 0600/s],
    ['a short key file', "PbxDialCacheKey file:$dir/key-short\nPbxDialCache memcache:127.0.0.1:11211\n",
     qr/line (\d+) of \Q$dir\E\/httpd\.conf:\s*PbxDialCacheKey: .*key-short holds 16 bytes, fewer than 32.*openssl rand/s],
);
plan tests => 3 * @bad + 3;

for my $c (@bad) {
    my ($name, $body, $want) = @$c;
    my ($rc, $out, $first) = check_config($body);
    ok t_cmp($rc, qr/^[1-9]/, "$name: httpd -t fails");
    ok t_cmp($out, $want, "$name: says what to write");
    my ($line) = $out =~ $want;
    ok t_cmp($line // 0, $first, "$name: names line $first");
}

for my $c (["memcache with PbxDialCacheKey", "PbxDialCacheKey file:$dir/key\nPbxDialCache memcache:127.0.0.1:11211\n"],
           ["redis with PbxDialCacheKey", "PbxDialCache redis:127.0.0.1:6379\nPbxDialCacheKey file:$dir/key\n"],
           ["shmcb without PbxDialCacheKey (one server: a random key per start)", "PbxDialCache shmcb:$dir/cache(65536)\n"]) {
    my ($rc, $out) = check_config($c->[1]);
    ok t_cmp("$rc $out", qr/^0 Syntax OK/, "$c->[0]: Syntax OK");
}
