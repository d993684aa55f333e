# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
package PbxDial::Test;
# Helpers shared by the .t files: the simulator started by t/TEST, JSON
# bodies, the server's error log, timing.
use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();
use Apache::Test ();
use PbxDial::Sim;

our @EXPORT_OK = qw(sim json_of error_log_mark error_log_since timed in_vhost
                    free_port wait_port spawn stop_pid httpd_root httpd_start httpd_stop ws_session
                    without_provenance @DIRECT suite_modules cache_key_file window_ahead);

# How a link was opened. The requests of Apache::TestRequest (GET, POST...)
# are a person opening a link directly (typed, bookmarked, from a mail or
# another program): a browser then sends Sec-Fetch-Site: none, which no page
# can forge, and a type-1 link dials without a confirmation page. A request
# that says itself where it came from (Sec-Fetch-Site, Origin or Referer) is
# sent exactly as the test wrote it, nothing added; within
# without_provenance { ... } requests carry none of the three (an http://
# intranet, a page with referrerpolicy=no-referrer, a bare script) and get
# the confirmation. Clients other than Apache::TestRequest (HTTP::Tiny,
# Mojo) add nothing: give them @DIRECT.
our $OPENED_DIRECTLY = 1;
our @DIRECT = ('Sec-Fetch-Site' => 'none');

sub without_provenance(&) {
    local $OPENED_DIRECTLY = 0;
    return $_[0]->();
}

{
    package Apache::TestRequest;    # every user agent it makes, resets included
    require Apache::TestRequest;
    sub prepare_request {
        my ($self, $req) = @_;
        $req->header(@PbxDial::Test::DIRECT)
            if $PbxDial::Test::OPENED_DIRECTLY
               && !grep { defined $req->header($_) } qw(Sec-Fetch-Site Origin Referer);
        return $self->SUPER::prepare_request($req);
    }
}

sub sim {
    my $url = $ENV{PBXDIAL_SIM_URL} or die "PBXDIAL_SIM_URL not set: run the suite through t/TEST\n";
    return PbxDial::Sim->attach($url);
}

# The decoded body, or {} when it is not JSON (the test then fails on content).
sub json_of {
    my $res = shift;
    my $j = eval { JSON::PP::decode_json($res->content) };
    return ref $j eq 'HASH' ? $j : {};
}

sub _error_log { Apache::Test::vars('t_logs') . '/error_log' }

# Offset of the end of the error log, to read only what a test caused.
sub error_log_mark { -s _error_log() // 0 }

sub error_log_since {
    my $mark = shift // 0;
    open my $fh, '<', _error_log() or return '';
    seek $fh, $mark, 0;
    local $/;
    my $text = <$fh> // '';
    return $text;
}

# (result of $code, seconds it took)
sub timed {
    my $code = shift;
    my $t0 = Time::HiRes::time();
    my $res = $code->();
    return ($res, Time::HiRes::time() - $t0);
}

# Runs $code against the Apache-Test <VirtualHost NAME> of t/conf/extra.conf.in.
sub in_vhost {
    my ($name, $code) = @_;
    local $Apache::TestRequest::Module = $name;
    return $code->();
}

# --- servers a test starts itself (memcached, slapd, more httpd instances)

my (@pids, @httpds);

# PbxDialRateLimit and PbxDialFailureLimit count in fixed windows that start
# at multiples of their length since the epoch. A test that counts up to a
# limit first waits, when fewer than $need seconds (default 5) of the
# current $len-second window are left, for the next one: all its requests
# then fall in one window, whenever the suite runs.
sub window_ahead {
    my ($len, $need) = @_;
    $need //= 5;
    my $left = $len - POSIX::fmod(Time::HiRes::time(), $len);
    Time::HiRes::sleep($left + 0.05) if $left < $need;
    return;
}

sub free_port { IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0', ReuseAddr => 1)->sockport }

# 1 once something listens on the loopback port (10 s at most), else 0.
sub wait_port {
    my $port = shift;
    for (1 .. 200) { return 1 if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port"); Time::HiRes::sleep(0.05) }
    return 0;
}

# Runs a server in the foreground of a child, its output to $log (or
# nowhere); stopped by stop_pid or at the end of the test.
sub spawn {
    my ($log, @cmd) = @_;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log // '/dev/null';
        open STDERR, '>&', \*STDOUT;
        exec @cmd or POSIX::_exit(127);
    }
    push @pids, $pid;
    return $pid;
}

sub stop_pid {
    my $pid = shift;
    kill 'TERM', $pid;
    waitpid $pid, 0;
    @pids = grep { $_ != $pid } @pids;
}

# The LoadModule lines of the suite's own httpd (t/conf/modules.conf, which
# scripts/apache-test.sh writes), for a private httpd's config.
sub suite_modules {
    open my $fh, '<', "$ENV{PBXDIAL_TOP}/t/conf/modules.conf" or die "t/conf/modules.conf: $!";
    return grep { /^LoadModule / } <$fh>;
}

# A PbxDialCacheKey file in $dir, made now: 48 random bytes in hex, mode
# 0600 (never committed). Returns its path.
sub cache_key_file {
    my ($dir) = @_;
    my $path = "$dir/pbxdial.key";
    open my $fh, '>', $path or die "$path: $!";
    chmod 0600, $path;
    print {$fh} unpack('H*', join '', map { chr int rand 256 } 1 .. 48), "\n";
    close $fh;
    return $path;
}

# Makes $sr (and $sr/logs) the root of a private httpd on 127.0.0.1:$port and
# returns the head of its httpd.conf: paths, logs (LogLevel $o{loglevel},
# default info), and nobody's user when run as root. ServerName defaults to
# 127.0.0.1:$port.
sub httpd_root {
    my ($sr, $port, %o) = @_;
    mkdir $sr; mkdir "$sr/logs"; chmod 0755, $sr;
    my $name = $o{servername} // "127.0.0.1:$port";
    my $level = $o{loglevel} // 'info';
    return "ServerRoot $sr\nListen 127.0.0.1:$port\nServerName $name\nPidFile $sr/logs/httpd.pid\n"
         . "ErrorLog $sr/logs/error_log\nLogLevel $level\nDefaultRuntimeDir $sr/logs\n"
         . "TypesConfig /etc/mime.types\n" . ($> == 0 ? "User nobody\nGroup nogroup\n" : '');
}

# Starts a private httpd from $sr/httpd.conf that listens on $port; returns
# its base URL, or dies with httpd's output and error log.
sub httpd_start {
    my ($sr, $port) = @_;
    my $httpd = Apache::Test::vars('httpd');
    my $out = `'$httpd' -d '$sr' -f '$sr/httpd.conf' -k start 2>&1`;
    my $log = sub { -e "$sr/logs/error_log" ? do { local (@ARGV, $/) = "$sr/logs/error_log"; <> } : '' };
    die "httpd did not start: $out\n" . $log->() if $?;
    push @httpds, $sr;
    wait_port($port) or die "httpd not listening on $port:\n" . $log->();
    return "http://127.0.0.1:$port";
}

sub httpd_stop {
    my $sr = shift;
    @httpds = grep { $_ ne $sr } @httpds;
    open my $fh, '<', "$sr/logs/httpd.pid" or return;
    my $pid = <$fh>;
    chomp $pid;
    kill 'TERM', $pid;
    for (1 .. 100) { last unless kill 0, $pid; Time::HiRes::sleep(0.05) }
}

END {
    local $?;
    httpd_stop($_) for @httpds;
    kill 'TERM', @pids if @pids;
}

# A websocket session: opens $url (Basic credentials may be in it) with the
# extra request headers, sends each message of send, and collects what
# comes back until until->(message) is true or a few seconds pass. Returns
# {status => HTTP status of the handshake, messages => [decoded JSON...]}.
sub ws_session {
    my ($url, %o) = @_;
    require Mojo::UserAgent;
    require Mojo::IOLoop;
    my $ua = Mojo::UserAgent->new(connect_timeout => 5, inactivity_timeout => 10);
    my %r = (messages => []);
    my $tx = $ua->build_websocket_tx($url => $o{headers} // {});
    $ua->start($tx => sub {
        my ($ua, $tx) = @_;
        $r{status} = $tx->res->code;
        if (!$tx->is_websocket) { Mojo::IOLoop->stop; return }
        $tx->on(json => sub {
            my ($tx, $msg) = @_;
            push @{ $r{messages} }, $msg;
            $tx->finish if $o{until} && $o{until}->($msg);
        });
        $tx->on(finish => sub { Mojo::IOLoop->stop });
        $tx->send({json => $_}) for @{ $o{send} // [] };
        Mojo::IOLoop->timer($o{linger} // 3 => sub { $tx->finish }) unless $o{until};
    });
    my $guard = Mojo::IOLoop->timer(10 => sub { Mojo::IOLoop->stop });
    Mojo::IOLoop->start;
    Mojo::IOLoop->remove($guard);
    return \%r;
}

1;
