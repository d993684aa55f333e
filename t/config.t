# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Bad configuration fails `apache2 -t` with the file, the line and a fix.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $httpd = Apache::Test::vars('httpd') or die "no httpd";
my $so = "$top/mod_pbxdial.so";
my @load = grep { /^LoadModule (mpm_event|authz_core|socache_shmcb)_module/ }
    do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };

my $dir = tempdir('pbxdial-conf-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub spurt { my ($f, $text, $mode) = @_; open my $fh, '>', $f or die $!; print {$fh} $text; close $fh; chmod $mode // 0644, $f }
spurt("$dir/secret", "adminpw\n", 0600);
spurt("$dir/secret-open", "adminpw\n", 0644);
spurt("$dir/secret-empty", "", 0600);
spurt("$dir/usermap-bad", "alice 40\nbob\n");
spurt("$dir/linkpw-open", "40:alice-link\n", 0644);
spurt("$dir/linkpw-bad", "40:alice-link\n40\n", 0600);

# Writes a config whose lines after the header are $body, runs httpd -t.
# Returns (exit code, output, line number of the first body line).
sub check_config {
    my $body = shift;
    my $head = join '', "ServerRoot $dir\n", "ServerName localhost\n", "Listen 127.0.0.1:1\n",
        "PidFile $dir/pid\n", "ErrorLog $dir/error_log\n", "DefaultRuntimeDir $dir\n", @load,
        "LoadModule pbxdial_module $so\n";
    my $first = ($head =~ tr/\n//) + 1;
    spurt("$dir/httpd.conf", $head . $body);
    my $out = `'$httpd' -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    return ($? >> 8, $out, $first);
}

my $good = "PbxDialServer https://pbx.example.com\nPbxDialAdmin admin file:$dir/secret\n";
my @cases = (
    ['not http(s)',         "PbxDialServer ftp://pbx.example.com\n", qr/must start with http:\/\/ or https:\/\//],
    ['no scheme',           "PbxDialServer pbx.example.com\n",       qr/is not a URL; write e\.g\. https:\/\/pbx\.example\.com/],
    ['credentials in URL',  "PbxDialServer https://a:b\@pbx.example.com\n", qr/must not contain credentials; put them in PbxDialAdmin/],
    ['public server',       "PbxDialPublicServer pbx.example.com:99999\n", qr/invalid port/],
    ['missing password file', "PbxDialAdmin admin file:$dir/nope\n", qr/cannot read password file .*nope.*chmod 0600/],
    ['world-readable password file', "PbxDialAdmin admin file:$dir/secret-open\n", qr/readable by everyone; run chmod 0600/],
    ['empty password file', "PbxDialAdmin admin file:$dir/secret-empty\n", qr/is empty; put the PBX admin password on its first line/],
    ['timeout 0',           "PbxDialTimeout 0\n",      qr/PbxDialTimeout '0' is not a positive duration; write seconds/],
    ['timeout negative',    "PbxDialTimeout -5\n",     qr/is not a positive duration/],
    ['timeout garbage',     "PbxDialTimeout soon\n",   qr/is not a positive duration/],
    ['missing CA file',     "PbxDialCAFile $dir/nope.pem\n", qr/PbxDialCAFile .* is not a readable file/],
    ['bad expression',      "<Location /x>\nPbxDialDomain \"%{REMOTE_USER\"\n</Location>\n", qr/PbxDialDomain: cannot parse expression/],
    ['bad user map',        "<Location /x>\nPbxDialUserMap $dir/usermap-bad\n</Location>\n", qr/PbxDialUserMap: .*line 2: write "webuser extension"/],
    ['missing user map',    "<Location /x>\nPbxDialUserMap $dir/nope\n</Location>\n", qr/PbxDialUserMap: cannot read/],
    # the "none or a path" setter both file maps share, and PbxDialCache's
    ['world-readable link passwords', "<Location /x>\nPbxDialLinkPasswords $dir/linkpw-open\n</Location>\n",
     qr/PbxDialLinkPasswords: .*readable by everyone; run chmod 0600.*; each line is "user:password"/],
    ['bad link password line', "<Location /x>\nPbxDialLinkPasswords $dir/linkpw-bad\n</Location>\n",
     qr/PbxDialLinkPasswords: .*line 2: write "user:password"/],
    ['unknown cache',       "PbxDialCache nosuch:1\n", qr/PbxDialCache: unknown cache "nosuch"; load its module \(e\.g\. LoadModule socache_nosuch_module\)/],
    ['cache in a vhost',    "<VirtualHost 127.0.0.1:1>\nPbxDialCache shmcb\n</VirtualHost>\n", qr/PbxDialCache cannot occur within <VirtualHost> section/],
    ['bad extension expression', "<Location /x>\nPbxDialExtension \"%{tolower:}\"\n</Location>\n", qr/PbxDialExtension: cannot parse expression/],
);
plan tests => 3 * @cases + 11;

for my $c (@cases) {
    my ($name, $body, $fix) = @$c;
    my ($rc, $out, $first) = check_config($body);
    ok t_cmp($rc, qr/^[1-9]/, "$name: httpd -t fails");
    my $line = $first + ($body =~ /^</ ? 1 : 0);
    ok t_cmp($out, qr/line $line of \Q$dir\E\/httpd\.conf/, "$name: names file and line $line");
    ok t_cmp($out, $fix, "$name: says what to write");
}

# the positive control: a good configuration passes
my ($rc, $out) = check_config($good . "<Location /rest/pbxlogin>\nSetHandler pbxdial-login\n</Location>\n");
ok t_cmp($rc, 0, 'good config: httpd -t passes');
ok t_cmp($out, qr/Syntax OK/, 'good config: Syntax OK');
($rc, $out) = check_config($good . "PbxDialCache shmcb\n<Location /x>\nPbxDialUserMap none\nPbxDialLinkPasswords none\n</Location>\n");
ok t_cmp("$rc $out", qr/^0 .*Syntax OK/s, 'PbxDialCache shmcb, PbxDialUserMap none, PbxDialLinkPasswords none: httpd -t passes');

# a handler with nothing to talk to
($rc, $out, my $first) = check_config("<Location /rest/pbxlogin>\nSetHandler pbxdial-login\n</Location>\n");
ok t_cmp($rc, qr/^[1-9]/, 'handler without PbxDialServer/PbxDialAdmin: httpd -t fails');
ok t_cmp($out, qr/PBXDIAL0001: SetHandler pbxdial-login on line @{[$first + 1]} of \Q$dir\E\/httpd\.conf .*needs PbxDialServer and PbxDialAdmin/,
         'says which handler, where, and what is missing');
($rc, $out) = check_config("PbxDialServer https://pbx.example.com\n<VirtualHost 127.0.0.1:1>\n<Location /x>\nSetHandler pbxdial-login\n</Location>\n</VirtualHost>\n");
ok t_cmp($rc, qr/^[1-9]/, 'handler in a vhost without PbxDialAdmin: fails');
ok t_cmp($out, qr/needs PbxDialAdmin in/, 'names only what is missing');
($rc, $out) = check_config("<Location /js/callback.js>\nSetHandler pbxdial-script\n</Location>\n");
ok t_cmp($rc, 0, 'the script handler needs no PBX');
($rc, $out) = check_config($good . "<VirtualHost 127.0.0.1:1>\n<Location /x>\nSetHandler pbxdial-login\n</Location>\n</VirtualHost>\n");
ok t_cmp($rc, 0, 'a vhost inherits the PBX settings of the main server');

# no socache provider for the shared state: httpd -t already says so
{
    my @all = @load;
    @load = grep { !/socache_shmcb/ } @all;
    ($rc, $out) = check_config($good);
    @load = @all;
    ok t_cmp($rc, qr/^[1-9]/, 'without mod_socache_shmcb: httpd -t fails');
    ok t_cmp($out, qr/PBXDIAL0801: mod_pbxdial needs a socache provider .*a2enmod socache_shmcb/, 'and says what to load');
}
