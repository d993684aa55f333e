# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The module under each of httpd's MPMs, in private servers: prefork (one
# thread per child: the worker performs its own PBX transfers), worker and
# event (a transfer thread per child). Logins, calls and PBX timeouts work
# the same way in all three, a graceful restart during a hanging PBX request
# neither hangs nor loses it, and the status page says which way a child
# talks to the PBX.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(encode_base64);
use Time::HiRes qw(time);
use POSIX ();
use PbxDial::Test qw(sim free_port httpd_root httpd_start httpd_stop @DIRECT);

my @mpms = (['prefork', 0], ['worker', 1], ['event', 1]);
plan tests => 9 * @mpms;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $sim = sim();
my $dir = tempdir('pbxdial-mpm-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = grep { /^LoadModule / && !/mpm_/ } do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };
my $http = HTTP::Tiny->new(timeout => 15);
my %alice = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''));

# the children of the server in $sr (their parent's pid is in the pid file)
sub children {
    my $sr = shift;
    open my $fh, '<', "$sr/logs/httpd.pid" or return;
    chomp(my $parent = <$fh>);
    return grep { /^\d+$/ } map { s/\s+//gr } `ps -o pid= --ppid $parent`;
}

for my $m (@mpms) {
    my ($mpm, $thread) = @$m;
    my $port = free_port();
    my $sr = "$dir/$mpm";
    my $head = httpd_root($sr, $port);
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head,
        "LoadModule mpm_${mpm}_module $moddir/mod_mpm_$mpm.so\n", @load,
        "StartServers 2\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialTimeout 2\n",
        "<Location />\n AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n",
        " Require valid-user\n PbxDialDomain example.com\n</Location>\n",
        "<Location /rest/pbxlogin>\n SetHandler pbxdial-login\n</Location>\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n</Location>\n",
        "<Location /pbxdial-status>\n SetHandler pbxdial-status\n</Location>\n";
    close $fh;
    my $url = httpd_start($sr, $port);
    $sim->clear_faults;
    $sim->hangup_all;

    my $r = $http->get("$url/rest/pbxlogin", {headers => {%alice, Accept => 'application/json'}});
    my $j = eval { decode_json($r->{content}) } || {};
    ok t_cmp("$r->{status} " . ($j->{session} // '-'), qr/^200 [a-z0-9]{20}$/, "$mpm: /rest/pbxlogin gets a PBX session");

    $r = $http->get("$url/remote_call.htm?dest=0123456789", {headers => {%alice, @DIRECT, Accept => 'application/json'}});
    ok t_cmp($r->{status}, 200, "$mpm: a call goes through");
    ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 1, "$mpm: the PBX placed it");
    $sim->hangup_all;

    $sim->fault(path => '/rest/system/session', kind => 'hang', count => 1);
    my $t0 = time;
    $r = $http->get("$url/rest/pbxlogin", {headers => {%alice, Accept => 'application/json'}});
    my $took = time - $t0;
    ok t_cmp(sprintf('%d in %s', $r->{status}, $took < 3 ? 'time' : sprintf('%.1f s', $took)), '504 in time',
             "$mpm: a hanging PBX is answered 504 within PbxDialTimeout 2 s + 1 s");
    $sim->clear_faults;

    # a graceful restart while a transfer hangs: the old child finishes it
    # (504 after PbxDialTimeout), its transfer thread stops, new children serve
    $sim->fault(path => '/rest/system/session', kind => 'hang', count => 1);
    my $out = "$sr/background";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $t = time;
        my $res = HTTP::Tiny->new(timeout => 15)->get("$url/rest/pbxlogin", {headers => {%alice, Accept => 'application/json'}});
        open my $o, '>', $out or die $!;
        printf {$o} "%d %.2f", $res->{status}, time - $t;
        close $o;
        POSIX::_exit(0);
    }
    Time::HiRes::sleep(0.5);
    my @old = children($sr);
    my $httpd = Apache::Test::vars('httpd');
    system($httpd, '-d', $sr, '-f', "$sr/httpd.conf", '-k', 'graceful') == 0 or die "graceful restart failed\n";
    waitpid $pid, 0;
    my ($status, $secs) = split ' ', do { open my $i, '<', $out or die "$out: $!"; local $/; <$i> } // '0 0';
    ok t_cmp(sprintf('%d in %s', $status, $secs < 3.5 ? 'time' : "$secs s"), '504 in time',
             "$mpm: a hanging PBX request during a graceful restart: 504 within the timeout");
    my @left = @old;
    for (1 .. 100) {    # the old children end (their transfer threads stop) once their requests are done
        @left = grep { kill 0, $_ } @old;
        last unless @left;
        Time::HiRes::sleep(0.1);
    }
    ok t_cmp(@old && !@left ? 'gone' : @old ? "still running: @left" : 'no children seen', 'gone',
             "$mpm: the old generation of children exits after the graceful restart");
    $sim->clear_faults;
    my $ok = 0;
    for (1 .. 50) {     # the new generation of children takes over
        $r = $http->get("$url/remote_call.htm?dest=0123456789", {headers => {%alice, @DIRECT, Accept => 'application/json'}});
        last if ($ok = $r->{status} == 200);
        Time::HiRes::sleep(0.1);
    }
    ok t_cmp($ok ? 200 : $r->{status}, 200, "$mpm: calls go through after the graceful restart");
    $sim->hangup_all;

    $r = $http->get("$url/pbxdial-status?auto", {headers => \%alice});
    ok t_cmp($r->{content}, qr/^pbx_transfer_thread: $thread$/m,
             "$mpm: pbx_transfer_thread: $thread (" . ($thread ? 'a transfer thread per child' : 'the worker does it') . ')');

    httpd_stop($sr);
    my $log = do { open my $lf, '<', "$sr/logs/error_log" or die $!; local $/; <$lf> };
    ok t_cmp($log =~ /exit signal|PBXDIAL0151/ ? 'crash or no thread' : 'clean', 'clean', "$mpm: no crash, no PBXDIAL0151 in the error log");
}
