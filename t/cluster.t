# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Two Apache servers share PbxDialCache through a real memcached, then a real
# redis (Debian's servers, started here on loopback ports), with the same
# PbxDialCacheKey file: a signed link used on one is refused on the other,
# the per-extension rate limit is shared, and whoever reads the whole cache
# finds no PBX session and no user, extension or domain in it.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64);
use HTTP::Tiny;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use PbxDial::Test qw(sim free_port wait_port spawn stop_pid httpd_root httpd_start httpd_stop @DIRECT suite_modules cache_key_file window_ahead);

plan tests => 30;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $sim = sim();

my $dir = tempdir('pbxdial-cluster-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
# The key both servers share, made here: 48 random bytes, mode 0600.
my $keyfile = cache_key_file($dir);

my @load = suite_modules();

# One httpd sharing PbxDialCache $cache; returns its base URL.
sub start_httpd {
    my ($name, $cache) = @_;
    my $port = free_port();
    my $sr = "$dir/$name";
    my $head = httpd_root($sr, $port);
    my ($provider) = $cache =~ /^(\w+)/;
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load,
        "LoadModule socache_${provider}_module $moddir/mod_socache_${provider}.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialCache $cache\n",
        "PbxDialCacheKey file:$keyfile\nPbxDialSessionLifetime 900\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
        " PbxDialLinkPasswords $top/t/conf/linkpw\n PbxDialLinkOnce On\n PbxDialRateLimit 2 60\n</Location>\n",
        "<Location /calls/remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n</Location>\n";
    close $fh;
    return (httpd_start($sr, $port), $sr);
}

my $http = HTTP::Tiny->new(timeout => 10);
sub get { my ($url, %h) = @_; $http->get($url, {headers => \%h})->{status} }
my %basic41 = (Authorization => 'Basic ' . encode_base64('41@example.com:s3cret', ''), @DIRECT);
my %basic40 = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), @DIRECT);

# A connection to the cache server; reads exactly what is asked for.
sub cache_conn { IO::Socket::INET->new(PeerAddr => "127.0.0.1:$_[0]", Timeout => 5) or die "cache: $!" }
sub read_line { my $s = shift; my $l = <$s>; die "cache closed\n" unless defined $l; $l =~ s/\r\n\z//; $l }
sub read_bytes { my ($s, $n) = @_; my $buf = ''; while (length $buf < $n + 2) { read($s, $buf, $n + 2 - length $buf, length $buf) or die "short read\n" } substr($buf, 0, $n) }

# Every key => value the cache server holds.
sub dump_cache {
    my ($backend, $port) = @_;
    my $s = cache_conn($port);
    my (%all, @keys);
    if ($backend eq 'memcache') {
        # the crawler may miss an item that moves between LRUs while it
        # walks: the union of a few walks
        my %seen;
        for (1 .. 3) {
            print {$s} "lru_crawler metadump all\r\n";
            while ((my $l = read_line($s)) ne 'END') { $seen{$1} = 1 if $l =~ /^key=(\S+)/ }
            sleep 0.2;
        }
        @keys = sort keys %seen;
        s/%([0-9A-Fa-f]{2})/chr hex $1/ge for @keys;
        for my $k (@keys) {
            print {$s} "get $k\r\n";
            while ((my $l = read_line($s)) ne 'END') { $all{$k} = read_bytes($s, $1) if $l =~ /^VALUE \S+ \d+ (\d+)/ }
        }
    }
    else {
        print {$s} "KEYS *\r\n";
        my ($n) = read_line($s) =~ /^\*(\d+)/;
        for (1 .. $n) { my ($len) = read_line($s) =~ /^\$(\d+)/; push @keys, read_bytes($s, $len) }
        for my $k (@keys) {
            print {$s} "*2\r\n\$3\r\nGET\r\n\$" . length($k) . "\r\n$k\r\n";
            my ($len) = read_line($s) =~ /^\$(-?\d+)/;
            $all{$k} = read_bytes($s, $len) if $len >= 0;
        }
    }
    return \%all;
}

# Sets $key to $value on the cache server (as someone with access to it could).
sub cache_set {
    my ($backend, $port, $key, $value) = @_;
    my $s = cache_conn($port);
    print {$s} $backend eq 'memcache' ? "set $key 0 600 " . length($value) . "\r\n$value\r\n"
        : "*3\r\n\$3\r\nSET\r\n\$" . length($key) . "\r\n$key\r\n\$" . length($value) . "\r\n$value\r\n";
    read_line($s);
}

for my $backend (qw(memcache redis)) {
    my $port = free_port();
    my $cache_pid;
    if ($backend eq 'memcache') {
        $cache_pid = spawn(undef, 'memcached', '-l', '127.0.0.1', '-p', $port, '-U', '0', ($> == 0 ? ('-u', 'nobody') : ()));
    }
    else {
        $cache_pid = spawn(undef, 'redis-server', '--port', $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no');
    }
    ok t_cmp(wait_port($port) ? 'up' : 'down', 'up', "$backend server started on port $port");
    my $cache = "$backend:127.0.0.1:$port";
    my ($a, $sra) = start_httpd("${backend}-a", $cache);
    my ($b, $srb) = start_httpd("${backend}-b", $cache);
    $sim->hangup_all;

    my $t = time;
    my $auth = md5_hex('40' . 'alice-link' . "0$port" . $t);
    my $link = "/remote_call.htm?user=40&extension=true&dest=0$port&time=$t&auth=$auth";
    ok t_cmp(get("$a$link"), 200, "$backend: a signed link dials on server A");
    ok t_cmp(get("$b$link"), 403, "$backend: replayed on server B: 403 (PbxDialLinkOnce shared)");

    window_ahead(60);
    my @codes = (get("$a/remote_call.htm?dest=0555", %basic41), get("$b/remote_call.htm?dest=0555", %basic41),
                 get("$a/remote_call.htm?dest=0555", %basic41));
    ok t_cmp("@codes", '200 200 429', "$backend: PbxDialRateLimit 2 60 counts calls on both servers");
    ok t_cmp(scalar @{ $sim->calls_of('41@example.com') }, 2, "$backend: two calls placed for 41");

    # PBX sessions cached in the shared cache (PbxDialSessionLifetime 900)
    $sim->hangup_all;
    $sim->clear_requests;
    my @s = map { get("$_/calls/remote_call.htm?dest=0666", %basic40) } $a, $b, $a;
    ok t_cmp("@s", '200 200 200', "$backend: three calls of 40 on A, B, A");
    my @logins = grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') };
    ok t_cmp(scalar @logins, 0, "$backend: no PBX login for them: 40's session (from the link) is in the shared cache");
    my @sessions = map { $_->{id} } @{ $sim->sessions->{list} };
    my $all = dump_cache($backend, $port);
    ok t_cmp(scalar(keys %$all) >= 5 ? 'entries' : 'empty', 'entries', "$backend: the cache holds the module's entries (" . scalar(keys %$all) . "; 5 expected: once-marker, rate counters of 40 and 41, sessions of 40 and 41)");
    my @clear = grep { my $v = $all->{$_}; grep { index($v, $_) >= 0 } @sessions } keys %$all;
    ok t_cmp(scalar(@sessions) >= 1 && !@clear ? 'sealed' : "clear in @clear (of @sessions)", 'sealed',
             "$backend: no value holds a PBX session (" . scalar(@sessions) . " live)");
    my @bad = grep { !/^(?:mod_pbxdial|pbxdial_anon):[0-9A-F]{64}\z/i } keys %$all;
    ok t_cmp("@bad", '', "$backend: every key is a namespace and 64 hex digits: no user, extension or domain");
    my @plain = grep { $all->{$_} =~ /example\.com|^\d+\z|\A1\z/ } keys %$all;
    ok t_cmp("@plain", '', "$backend: no value in clear (markers and counters are sealed too)");

    # each sealed value moved to the next entry's id (whoever can write the
    # cache could): none opens under its new id, so 40's session is as good
    # as absent and the call logs in afresh; logged at warn
    my $mark = -s "$srb/logs/error_log";
    my @ids = grep { /^mod_pbxdial:/ } sort keys %$all;
    cache_set($backend, $port, $ids[$_], $all->{ $ids[$_ - 1] }) for 0 .. $#ids;
    $sim->clear_requests;
    ok t_cmp(get("$b/calls/remote_call.htm?dest=0667", %basic40), 200, "$backend: a call with moved values in the cache still works");
    @logins = grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') };
    ok t_cmp(scalar @logins, 1, "$backend: ... with a new PBX login (the moved value did not open as 40's session)");
    my $logb = do { open my $fh, '<', "$srb/logs/error_log" or die $!; seek $fh, $mark, 0; local $/; <$fh> };
    ok t_cmp($logb, qr/PBXDIAL0813: .*does not decrypt/, "$backend: logged (PBXDIAL0813)");
    my $log = join '', map { open my $fh, '<', "$_/logs/error_log" or die $!; local $/; <$fh> } $sra, $srb;
    $log =~ s/^.*PBXDIAL0813: .*\n//mg;    # the test's own tampering
    ok t_cmp($log =~ /PBXDIAL08[01][0-9]|exit signal/ ? 'cache errors' : 'clean', 'clean', "$backend: no cache errors or crashes in the logs");
    $sim->hangup_all;
    httpd_stop($_) for $sra, $srb;
    stop_pid($cache_pid);
}

