# Two Apache servers share PbxDialCache through a real memcached, then a real
# redis (Debian's servers, started here on loopback ports): a signed link
# used on one is refused on the other, and the per-extension rate limit is
# shared.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use Digest::MD5 qw(md5_hex);
use MIME::Base64 qw(encode_base64);
use HTTP::Tiny;
use Time::HiRes qw(sleep);
use PbxDial::Test qw(sim free_port wait_port spawn stop_pid httpd_root httpd_start httpd_stop @DIRECT);

plan tests => 12;

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
my $sim = sim();

my $dir = tempdir('pbxdial-cluster-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = grep { /^LoadModule / } do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };

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
        "PbxDialSessionLifetime Off\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
        " PbxDialLinkPasswords $top/t/conf/linkpw\n PbxDialLinkOnce On\n PbxDialRateLimit 2 60\n</Location>\n";
    close $fh;
    return (httpd_start($sr, $port), $sr);
}

my $http = HTTP::Tiny->new(timeout => 10);
sub get { my ($url, %h) = @_; $http->get($url, {headers => \%h})->{status} }
my %basic41 = (Authorization => 'Basic ' . encode_base64('41@example.com:s3cret', ''), @DIRECT);

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

    my @codes = (get("$a/remote_call.htm?dest=0555", %basic41), get("$b/remote_call.htm?dest=0555", %basic41),
                 get("$a/remote_call.htm?dest=0555", %basic41));
    ok t_cmp("@codes", '200 200 429', "$backend: PbxDialRateLimit 2 60 counts calls on both servers");
    my $log = join '', map { open my $fh, '<', "$_/logs/error_log" or die $!; local $/; <$fh> } $sra, $srb;
    ok t_cmp($log =~ /PBXDIAL080[0-9]|exit signal/ ? 'cache errors' : 'clean', 'clean', "$backend: no cache errors or crashes in the logs");
    ok t_cmp(scalar @{ $sim->calls_of('41@example.com') }, 2, "$backend: two calls placed for 41");
    $sim->hangup_all;
    httpd_stop($_) for $sra, $srb;
    stop_pid($cache_pid);
}

