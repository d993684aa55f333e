# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# pbxdial-doctor (tools/pbxdial-doctor.c) against a private simulator, one
# run per fault the doctor must name: nothing listening, a login answered
# `false`, 404, 500 or garbage, a PBX slower than --timeout, an untrusted
# certificate, a certificate for another name, an activation without a cookie, a refused websocket; the
# all-good runs over http and https; bad arguments (exit 2); --config; and
# that no secret (password, token, session) appears in anything it printed.
# The simulator's request log shows the doctor really did each step.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX ();
use IO::Select ();
use IO::Socket::INET ();
use Socket qw(SOL_SOCKET SO_LINGER);
use Time::HiRes ();
use PbxDial::Sim;
use PbxDial::Test qw(free_port);

plan tests => 37;

my $tool = "$ENV{PBXDIAL_TOP}/pbxdial-doctor";
my $dir  = tempdir(CLEANUP => 1);
my $sim  = PbxDial::Sim->start(tls => 1, dir => "$dir/sim", connect_delay => 0);
my $http = $sim->url;
my @base = ('--server', $http, '--admin', 'admin:adminpw', '--extension', '40@example.com');
my @printed;    # everything the doctor wrote, searched for secrets at the end

# (exit status, stdout, stderr, seconds)
sub run {
    my @args = @_;
    my $q = join ' ', map { my $a = $_; $a =~ s/'/'\\''/g; "'$a'" } @args;
    my $t0 = Time::HiRes::time();
    my $out = `'$tool' $q 2>'$dir/stderr'`;
    my $rc = $? >> 8;
    my $secs = Time::HiRes::time() - $t0;
    open my $fh, '<', "$dir/stderr" or die;
    local $/;
    my $err = <$fh> // '';
    push @printed, $out, $err;
    return ($rc, $out, $err, $secs);
}
# the JSON report of a run with --json, or {} (the test then fails on content)
sub report {
    my ($rc, $out) = run(@_, '--json');
    my $j = eval { JSON::PP::decode_json($out) } // {};
    $j->{rc} = $rc;
    return $j;
}
sub step { my ($j, $name) = @_; (grep { $_->{name} eq $name } @{ $j->{steps} // [] })[0] // {} }
# "exit N, failed STEP: detail" of a report, for one t_cmp against a pattern
sub verdict {
    my $j = shift;
    my $f = $j->{failed} // 'none';
    return "exit $j->{rc}, failed $f: " . (step($j, $f)->{detail} // '') . ' | fix: ' . ($j->{fix} // '');
}
# the secrets the PBX handed out or was sent so far: tokens and user
# logins in request bodies, session ids in cookies
my %secret = (adminpw => 1, 'alice-pbx' => 1, 'wrong-password' => 1);
sub harvest {
    for my $r (@{ $sim->requests }) {
        $secret{$1} = 1 if ($r->{body} // '') =~ /"value":"([^"]+)"/;
        $secret{$1} = 1 if ($r->{headers}{cookie} // '') =~ /session=([^;\s]+)/;
    }
}
sub fresh { harvest(); $sim->clear_faults; $sim->clear_requests }

# --- all good, with a call and the password check: exit 0, every step ran
fresh();
my $sessions_before = $sim->sessions->{sessions};
my ($rc, $out) = run(@base, '--dest', '+49 (30) 123', '--password', 'alice-pbx');
ok t_cmp("exit $rc", 'exit 0', 'all good: exit 0') or print STDERR $out;
my @lines = grep { /^  (ok|FAIL|skip|-) / } split /\n/, $out;
ok t_cmp(join(',', map { /^  \S+\s+(\S+)/; $1 } @lines),
         'connect,tls,login,token,activate,websocket,call,password,logout', 'one line per step, in order');
ok t_cmp(join(',', map { /^  (\S+)/; $1 } @lines), 'ok,skip,ok,ok,ok,ok,ok,ok,ok',
         'every step passed (tls skipped on http://)');
ok t_cmp(scalar(grep { /\d+ ms/ } @lines), 8, 'each step that ran shows its time');
ok t_cmp(join(' ', map { "$_->{method} $_->{path}" } @{ $sim->requests }),
         'POST /rest/system/session POST /rest/system/session GET /websocket GET /remote_call.htm '
         . 'PUT /rest/system/session DELETE /rest/system/session DELETE /rest/system/session',
         'the PBX saw login, activation, websocket, call, password login and both logouts');
ok t_cmp(join(',', map { $_->{'to-number'} } @{ $sim->calls_of('40@example.com') }), '+4930123',
         '--dest placed a call to the normalised number');
$sim->hangup_all;
ok t_cmp($sim->sessions->{sessions}, $sessions_before, 'no session left behind on the PBX');

# --- the same as JSON
fresh();
my $j = report(@base);
ok t_cmp(join(' ', $j->{rc}, JSON::PP::is_bool($j->{ok}) && $j->{ok} ? 'ok' : 'not-ok', $j->{failed} // 'null',
              map { "$_->{name}=$_->{verdict}" } @{ $j->{steps} // [] }),
         '0 ok null connect=ok tls=skip login=ok token=ok activate=ok websocket=ok call=skip password=skip logout=ok',
         '--json: one object, every step with its verdict');
ok t_cmp(step($j, 'login')->{status} . ' ' . (step($j, 'login')->{ms} =~ /^[\d.]+$/ ? 'timed' : 'untimed'),
         '200 timed', '--json: HTTP status and time of a step');

# --- every fault names its step and a fix
my $port = free_port();
$j = report('--server', "http://127.0.0.1:$port", @base[2 .. $#base]);
ok t_cmp(verdict($j), qr/^exit 1, failed connect: no connection to 127\.0\.0\.1:$port: Connection refused.* \| fix: is the PBX running/,
         'nothing listening: connect fails, refused');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'false', count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed login: the PBX answered 200 with `false`: it does not accept the admin "admin".* \| fix: .*API access/,
         'login answered false: wrong admin credentials or no API access');

fresh();
$j = report(@base[0 .. 3], '--extension', '99@example.com');
ok t_cmp(verdict($j), qr/^exit 1, failed login: the PBX answered 404: it knows no extension 99 in the domain example\.com \| fix: check the extension and the domain/,
         'an unknown extension: the PBX\'s 404 explained');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'status', status => 404, count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed login: the PBX answered 404/, 'login answered 404 (fault)');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'status', status => 403, count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed login: the PBX answered 403: the admin may not use the REST API from here \| fix: .*API access/,
         'login answered 403: API access or address');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => '500', count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed login: the PBX answered 500 \(a server error\) \| fix: the PBX failed on its side/,
         'login answered 500');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'garbage', count => 1);
$j = report(@base);
ok t_cmp(join(' ', step($j, 'login')->{verdict}, verdict($j)),
         qr/^ok exit 1, failed token: PBX answered 200 with \d+ bytes that are not a session token \| fix: that is no PBX session token: is --server/,
         'garbage: the login went through, the token step fails');

fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'delay', seconds => 4, count => 1);
$j = report(@base, '--timeout', '1');
my $ms = step($j, 'login')->{ms} // 0;
ok t_cmp(verdict($j), qr/^exit 1, failed login: no answer within 1 s: .* \| fix: .*--timeout/,
         'a PBX slower than --timeout: login fails with a timeout');
ok t_cmp($ms >= 900 && $ms < 2500 ? 'about 1 s' : "$ms ms", 'about 1 s', 'the slow login gave up after --timeout');

$j = report('--server', $sim->tls_url, @base[2 .. $#base]);
ok t_cmp(verdict($j), qr/^exit 1, failed tls: chain: not trusted by the system's CA bundle: .*self-signed.* \| fix: give the PEM of the CA .* --ca/,
         'an untrusted certificate without --ca: the chain fails, --ca suggested');
ok t_cmp(step($j, 'login')->{verdict}, 'not run', 'nothing is sent to an unverified PBX');

# A certificate for another name: the simulator's names 127.0.0.1 and
# localhost; a relay on 127.0.0.2 (loopback too) reaches it by an address the
# certificate does not name.
my ($relay_pid, $relay_url) = relay($sim->tls_url, '127.0.0.2');
$j = report('--server', $relay_url, '--ca', $sim->ca_file, @base[2 .. $#base]);
ok t_cmp(verdict($j), qr/^exit 1, failed tls: name: the certificate does not name 127\.0\.0\.2: .* \| fix: write a host name in PbxDialServer/,
         'a certificate for another name: the name check fails, with what to write instead');
ok t_cmp(step($j, 'login')->{verdict}, 'not run', 'nothing is sent to a PBX whose certificate names another host');
kill 'TERM', -$relay_pid;
waitpid $relay_pid, 0;

# The doctor tells chain from name by connecting again (unverified, then
# with the chain only). A PBX or firewall that takes the first connections
# and then stalls or drops one must not be reported as an untrusted chain:
# the fourth connection is the one that checks the chain (after the tcp
# step's, the verifying one and the unverified one).
for my $mode ('stall', 'reset') {
    my ($pid, $url) = relay($sim->tls_url, '127.0.0.2', 3, $mode);
    $j = report('--server', $url, '--ca', $sim->ca_file, '--timeout', '1', @base[2 .. $#base]);
    ok t_cmp(verdict($j), qr/^exit 1, failed tls: handshake: the PBX did not complete a second TLS connection: .* \| fix: .*accepts only some connections/,
             "the chain check's connection held ($mode): no verdict on the chain, the flaky PBX named");
    ok t_cmp(step($j, 'tls')->{detail}, qr/certificate "CN = 127\.0\.0\.1"/,
             "($mode) what the unverified connection saw is still shown");
    kill 'TERM', -$pid;
    waitpid $pid, 0;
}

fresh();
$j = report('--server', $sim->tls_url, '--ca', $sim->ca_file, @base[2 .. $#base]);
ok t_cmp(join(' ', $j->{rc}, step($j, 'tls')->{verdict}, step($j, 'websocket')->{verdict}), '0 ok ok',
         'https with --ca: every step passes, the websocket over TLS too');
ok t_cmp(step($j, 'tls')->{detail}, qr/^TLSv1\.[23], certificate "CN = 127\.0\.0\.1".* chain and name verified/,
         'the tls step names protocol and certificate');

fresh();
$sim->fault(path => '/rest/system/session', match => '"name":"session"', kind => 'no_cookie', count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed activate: the PBX answered 200 but set no usable `session` cookie \| fix: .*Set-Cookie/,
         'activation without a cookie');

fresh();
$sim->fault(path => '/websocket', kind => 'status', status => 403, count => 1);
$j = report(@base);
ok t_cmp(join(' ', verdict($j), step($j, 'logout')->{verdict}),
         qr/^exit 1, failed websocket: the PBX refused the websocket with the fresh session \(403\) \| fix: .* ok$/,
         'websocket refused (403); the session is still logged out');

fresh();
$sim->fault(path => '/websocket', kind => 'refuse', count => 1);
$j = report(@base);
ok t_cmp(verdict($j), qr/^exit 1, failed websocket: the PBX closed the connection without answering the websocket upgrade \| fix: a proxy or firewall/,
         'websocket connection closed without an answer');

fresh();
$j = report(@base, '--password', 'wrong-password');
ok t_cmp(verdict($j), qr/^exit 1, failed password: the PBX refused the password of 40\@example\.com .* \| fix: .*web password/,
         '--password: a wrong password is named');

# --- the text form names the failing step and a fix
fresh();
$sim->fault(path => '/rest/system/session', match => '"3rd"', kind => 'false', count => 1);
($rc, $out) = run(@base);
ok t_cmp("exit $rc: " . join('|', grep { /^  FAIL|^FAILED|^Fix:/ } split /\n/, $out),
         qr/^exit 1:   FAIL  login +\d+ ms  POST \/rest\/system\/session: the PBX answered 200 with `false`.*\|FAILED at step login \(third-party login \(admin\)\)\.\|Fix: check PbxDialAdmin/,
         'text: the FAIL line, the failing step and the fix');

# --- bad arguments: exit 2 and a message, nothing sent
fresh();
my @bad = (
    [],
    [@base[0 .. 3]],                                             # no --extension
    [@base[0 .. 3], '--extension', '40'],                        # no domain
    [@base, '--timeout', 'soon'],
    [@base, '--dest', '12ab'],
    [@base, '--ca', "$dir/missing.pem"],
    ['--server', 'ftp://pbx', @base[2 .. $#base]],
    [@base[0 .. 1], '--admin', 'adminonly', @base[4 .. 5]],
    [@base, '--config', "$dir/missing.conf"],
    [@base, 'extra'],
);
my @got = map { my ($rc, $o, $e) = run(@$_); "$rc:" . ($e =~ /^pbxdial-doctor: .+\nTry 'pbxdial-doctor --help'\.\n$/ ? 'message' : "[$e]") } @bad;
ok t_cmp(join(' ', @got), join(' ', ('2:message') x @bad), 'bad arguments: exit 2 with a message, each');
ok t_cmp(scalar @{ $sim->requests }, 0, 'bad arguments: nothing sent to the PBX');

# --- --config: the site's own directives, through an Include and a password file
fresh();
mkdir "$dir/conf" or die;
open my $fh, '>', "$dir/conf/pbx.secret" or die;
print $fh "adminpw\n";
close $fh;
chmod 0600, "$dir/conf/pbx.secret";
open $fh, '>', "$dir/conf/site.conf" or die;
print $fh "# a site\nServerRoot \"$dir/conf\"\n<VirtualHost *:443>\n  Include pbx.inc\n  PbxDialDomain \"example.com\"\n</VirtualHost>\n";
close $fh;
open $fh, '>', "$dir/conf/pbx.inc" or die;
print $fh "PbxDialServer \\\n    $http\nPbxDialAdmin admin file:pbx.secret\nPbxDialTimeout 5\n";
close $fh;
($rc, $out) = run('--config', "$dir/conf/site.conf", '--extension', '40');
ok t_cmp("exit $rc: " . (split /\n/, $out)[0],
         qr{^exit 0: pbxdial-doctor \S+: PBX \Q$http\E, admin "admin", extension 40\@example\.com, timeout 5 s, from --config \Q$dir/conf/site.conf\E$},
         '--config: server, admin (password file), domain and timeout from the Apache configuration');

# --- no secret anywhere in what the doctor printed
harvest();
my @seen = grep { my $s = $_; grep { index($_, $s) >= 0 } @printed } sort keys %secret;
ok t_cmp(scalar(keys %secret) > 3 && !@seen ? 'none' : "@seen", 'none',
         'no password, token or session id in any output');

$sim->stop;

# A TCP relay from a free port on $addr to the host and port of $url, in a
# child process; returns (pid, the same URL with $addr and the relay's port).
# With $serve, only the first $serve connections are relayed; later ones are
# held open without a byte ($how 'stall') or closed at once ('reset').
sub relay {
    my ($url, $addr, $serve, $how) = @_;
    my ($scheme, $to) = $url =~ m{^(\w+)://([^/]+)} or die "no host in $url";
    my $listen = IO::Socket::INET->new(Listen => 5, LocalAddr => "$addr:0", ReuseAddr => 1)
        or die "relay on $addr: $!";
    my $port = $listen->sockport;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        setpgrp(0, 0);    # one kill ends the relay and its connections
        local $SIG{CHLD} = 'IGNORE';
        my @held;
        my $count = 0;
        while (my $c = $listen->accept) {
            if (defined $serve && ++$count > $serve) {
                if ($how eq 'reset') { setsockopt($c, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0)); close $c; next }
                push @held, $c;
                next;
            }
            # a process per connection: the doctor opens several at once
            if (fork // 1) { close $c; next }
            my $s = IO::Socket::INET->new(PeerAddr => $to) or POSIX::_exit(1);
            my $sel = IO::Select->new($c, $s);
            LOOP: while (my @r = $sel->can_read(10)) {
                for my $fh (@r) {
                    my $n = sysread($fh, my $buf, 16384);
                    last LOOP unless $n;
                    syswrite($fh == $c ? $s : $c, $buf);
                }
            }
            POSIX::_exit(0);
        }
        POSIX::_exit(0);    # not exit: END blocks would stop the simulator
    }
    close $listen;
    return ($pid, "$scheme://$addr:$port");
}
