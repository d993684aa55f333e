# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# A PbxDialCache that does not answer never hangs the server: with a
# memcached that accepts connections and never answers (a black hole), and
# with a redis that is stopped (nothing listens), every request answers
# within PbxDialTimeout plus a second. A signed link with PbxDialLinkOnce On
# is refused with 503 (the server cannot tell whether it was used: fail
# closed); a type-1 call goes on without session reuse (a fresh PBX login);
# several requests at once all answer in time, a static page still answers,
# and nothing crashes.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64);
use HTTP::Tiny;
use JSON::PP qw(decode_json);
use Time::HiRes qw(time sleep);
use PbxDial::Test qw(sim free_port wait_port spawn stop_pid httpd_root httpd_start httpd_stop @DIRECT suite_modules cache_key_file);

plan tests => 2 * 12;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $sim = sim();
my $timeout = 2;                         # PbxDialTimeout: the bound is this plus a second

my $dir = tempdir('pbxdial-cachedown-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my $keyfile = cache_key_file($dir);
my @load = suite_modules();

sub start_httpd {
    my ($name, $cache) = @_;
    my $port = free_port();
    my $sr = "$dir/$name";
    my $head = httpd_root($sr, $port);
    my ($provider) = $cache =~ /^(\w+)/;
    mkdir "$sr/htdocs";
    { open my $fh, '>', "$sr/htdocs/static.html" or die $!; print {$fh} "<p>static</p>\n" }
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load,
        "LoadModule socache_${provider}_module $moddir/mod_socache_${provider}.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "DocumentRoot $sr/htdocs\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialTimeout $timeout\n",
        "PbxDialCache $cache\nPbxDialCacheKey file:$keyfile\nPbxDialSessionLifetime 900\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
        " PbxDialLinkPasswords $top/t/conf/linkpw\n PbxDialLinkOnce On\n</Location>\n";
    close $fh;
    return (httpd_start($sr, $port), $sr);
}

my $http = HTTP::Tiny->new(timeout => 30);
my %basic40 = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), @DIRECT);

# (status, seconds, body)
sub timed_get {
    my ($url, %h) = @_;
    my $t0 = time;
    my $res = $http->get($url, {headers => {Accept => 'application/json', %h}});
    return ($res->{status}, time - $t0, $res->{content} // '');
}

# GETs all at once, each from its own process: ([status, seconds]...).
sub parallel {
    my @reqs = @_;
    my @kids;
    for my $i (0 .. $#reqs) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            my ($s, $t) = timed_get(@{ $reqs[$i] });
            open my $fh, '>', "$dir/par.$i" or POSIX::_exit(1);
            print {$fh} "$s $t\n";
            close $fh;
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    waitpid $_, 0 for @kids;
    return map { open my $fh, '<', "$dir/par.$_" or die $!; my $l = <$fh>; [split ' ', $l] } 0 .. $#reqs;
}

sub signed_link {
    my $dest = shift;
    my $t = time;
    $t = int $t;
    return "/remote_call.htm?user=40&extension=true&dest=$dest&time=$t&auth=" . md5_hex('40' . 'alice-link' . $dest . $t);
}

for my $case (['memcache', 'black-holed memcached'], ['redis', 'stopped redis']) {
    my ($backend, $what) = @$case;
    my $port = free_port();
    my $hole;
    if ($backend eq 'memcache') {
        # accepts every connection, reads nothing, answers nothing
        $hole = spawn(undef, $^X, '-MIO::Socket::INET', '-e',
                      'my $l = IO::Socket::INET->new(Listen => 128, LocalAddr => "127.0.0.1:' . $port
                      . '", ReuseAddr => 1) or die $!; my @c; while (my $c = $l->accept) { push @c, $c }');
        wait_port($port) or die "black hole not listening\n";
    }
    my ($base, $sr) = start_httpd("$backend-down", "$backend:127.0.0.1:$port");
    $sim->hangup_all;
    $sim->clear_requests;

    my ($status, $secs, $body) = timed_get($base . signed_link('0771'));
    ok t_cmp($status, 503, "$what: a signed link with PbxDialLinkOnce On: 503 (cannot tell whether it was used)");
    ok t_cmp(($body =~ /"error"\s*:\s*"([^"]+)"/)[0] // '', 'cache_unavailable', "$what: error cache_unavailable");
    ok t_cmp($secs < 2 ? 'quick' : sprintf('%.1f s', $secs), 'quick', sprintf("$what: ... within 2 s (%.2f s)", $secs));

    ($status, $secs) = timed_get("$base/remote_call.htm?dest=0772", %basic40);
    ok t_cmp($status, 200, "$what: a type-1 call still dials (no session reuse)");
    ok t_cmp($secs < $timeout + 1 ? 'in time' : sprintf('%.1f s', $secs), 'in time',
             sprintf("$what: ... within PbxDialTimeout + 1 s (%.2f s)", $secs));
    ($status) = timed_get("$base/remote_call.htm?dest=0773", %basic40);
    my @logins = grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') };
    ok t_cmp("$status " . scalar(@logins), '200 2', "$what: a second call dials too, with a fresh PBX login each time");
    my @logouts = grep { ($_->{method} // '') eq 'DELETE' } @{ $sim->requests(path => '/rest/system/session') };
    ok t_cmp(scalar @logouts, 2, "$what: ... and each session the cache did not take is logged out, not left on the PBX");
    $sim->hangup_all;

    # several at once, in every child: none waits behind another's stuck call
    my @par = parallel((map { [$base . signed_link("078$_")] } 1 .. 4),
                       (map { ["$base/remote_call.htm?dest=079$_", %basic40] } 1 .. 4));
    my @late = grep { $_->[1] >= $timeout + 1 } @par;
    ok t_cmp(join(' ', map { $_->[0] } @par), '503 503 503 503 200 200 200 200', "$what: 8 requests at once: 503 for the links, 200 for the calls");
    ok t_cmp(scalar(@late), 0, sprintf("$what: ... all within PbxDialTimeout + 1 s (slowest %.2f s)", (sort { $b <=> $a } map { $_->[1] } @par)[0]));
    $sim->hangup_all;

    ($status, $secs) = timed_get("$base/static.html");
    ok t_cmp($status, 200, "$what: a static page answers");
    ok t_cmp($secs < 0.5 ? 'at once' : sprintf('%.2f s', $secs), 'at once', sprintf("$what: ... at once (%.3f s)", $secs));

    httpd_stop($sr);
    my $log = do { open my $fh, '<', "$sr/logs/error_log" or die $!; local $/; <$fh> };
    ok t_cmp($log =~ /(exit signal|Segmentation|did not exit|AH00052|AH00060)[^\n]*/ ? $& : 'no crash', 'no crash', "$what: no crash in the error log");
    stop_pid($hole) if $hole;
}
