# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# PbxDialRateLimit counts every PBX session an extension mints: calls,
# /rest/pbxlogin tokens and same-origin websockets share one budget per
# extension; beyond it each door answers 429 with Retry-After and the PBX is
# not asked. When the cache cannot count, the answer is 503 (fail closed).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since ws_session free_port
                     httpd_root httpd_start httpd_stop @DIRECT suite_modules cache_key_file window_ahead);

plan tests => 21;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $hostport = Apache::TestRequest::hostport();
my @u = (username => '40', password => 's3cret');
my @json = (Accept => 'application/json');
my @upgrade = (Connection => 'Upgrade', Upgrade => 'websocket', 'Sec-WebSocket-Version' => 13,
               'Sec-WebSocket-Key' => 'dGhlIHNhbXBsZSBub25jZQ==');

# --- PbxDialRateLimit 3 60 on /rl/*, where everyone is extension 42
window_ahead(60, 15);
my $res = GET '/rl/remote_call.htm?dest=0123', @u, @json;
ok t_cmp($res->code, 200, 'a call takes one of the three');
$res = GET '/rl/pbxlogin', @u;
ok t_cmp($res->code . ' ' . (json_of($res)->{session} ? 'session' : 'none'), '200 session', 'a /rest/pbxlogin token takes the second');
my $ws = ws_session("ws://40:s3cret\@$hostport/rl/websocket", linger => 0.3);
ok t_cmp($ws->{status}, 101, 'a same-origin websocket takes the third');

$sim->clear_requests;
my $mark = error_log_mark();
$res = GET '/rl/pbxlogin', @u;
ok t_cmp($res->code, 429, '/rest/pbxlogin over the shared budget: 429');
ok t_cmp(json_of($res)->{error} // '', 'rate_limited', '... as JSON {"error":"rate_limited"}');
ok t_cmp($res->header('Retry-After') // '', qr/^[1-9][0-9]?$/, '... with Retry-After in seconds');
ok t_cmp($res->header('Cache-Control') // '', qr/no-store/, '... not cached');

$ws = ws_session("ws://40:s3cret\@$hostport/rl/websocket", linger => 0.3);
ok t_cmp($ws->{status}, 429, 'a websocket handshake over the budget: HTTP 429, no upgrade');
$res = GET '/rl/websocket', @u, @upgrade;
ok t_cmp($res->code, 429, 'the handshake as a plain request: 429');
ok t_cmp($res->header('Retry-After') // '', qr/^[1-9][0-9]?$/, '... with Retry-After');

$res = GET '/rl/remote_call.htm?dest=0124', @u, @json;
ok t_cmp($res->code . ' ' . (json_of($res)->{error} // ''), '429 rate_limited', 'and a call: 429 rate_limited');
ok t_cmp($res->header('Retry-After') // '', qr/^[1-9][0-9]?$/, '... with Retry-After');

my @asked = map { "$_->{method} $_->{path}" } @{ $sim->requests };
ok t_cmp("@asked", '', 'the PBX was not asked for anything once the budget was spent');
ok t_cmp(scalar @{ $sim->calls_of('42@example.com') }, 1, 'one call placed for 42, the first');
ok t_cmp(error_log_since($mark), qr/PBXDIAL0153: PbxDialRateLimit: 42\@example\.com is over 3 in 60 s/,
         'the refusals are logged with the extension');
$sim->hangup_all;

# --- the cache cannot count (memcache where nothing listens): refuse, 503
SKIP: {
    my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
    my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
    unless (-e "$moddir/mod_socache_memcache.so") {
        ok 1, 'skip: no mod_socache_memcache' for 1 .. 6;
        last SKIP;
    }
    my $dir = tempdir('pbxdial-ratelimit-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $dir;
    my @load = suite_modules();
    my ($port, $dead) = (free_port(), free_port());
    my $sr = "$dir/srv";
    my $key = cache_key_file($dir);    # memcache needs PbxDialCacheKey
    my $auth = " AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n"
             . " PbxDialDomain example.com\n PbxDialRateLimit 100 60\n";
    open my $fh, '>', do { mkdir $sr; "$sr/httpd.conf" } or die $!;
    print {$fh} httpd_root($sr, $port), @load,
        "LoadModule socache_memcache_module $moddir/mod_socache_memcache.so\n",
        "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialTimeout 2\n",
        "PbxDialCache memcache:127.0.0.1:$dead\nPbxDialCacheKey file:$key\nPbxDialSessionLifetime Off\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n$auth</Location>\n",
        "<Location /rest/pbxlogin>\n SetHandler pbxdial-login\n$auth</Location>\n";
    close $fh;
    my $base = httpd_start($sr, $port);
    my $http = HTTP::Tiny->new(timeout => 10);
    my %h = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), Accept => 'application/json', @DIRECT);
    $sim->clear_requests;
    my $r = $http->get("$base/remote_call.htm?dest=0125", {headers => \%h});
    my $j = eval { JSON::PP::decode_json($r->{content}) } // {};
    ok t_cmp("$r->{status} " . ($j->{error} // ''), '503 cache_unavailable', 'cache down: a call is refused, 503');
    ok t_cmp($r->{headers}{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
    $r = $http->get("$base/rest/pbxlogin", {headers => \%h});
    $j = eval { JSON::PP::decode_json($r->{content}) } // {};
    ok t_cmp("$r->{status} " . ($j->{error} // ''), '503 cache_unavailable', 'cache down: /rest/pbxlogin is refused, 503');
    @asked = map { "$_->{method} $_->{path}" } @{ $sim->requests };
    ok t_cmp("@asked", '', 'the PBX was not asked');
    ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'no call placed');
    my $log = do { local (@ARGV, $/) = "$sr/logs/error_log"; <> };
    ok t_cmp($log, qr/PBXDIAL0152: PbxDialRateLimit: the cache \(PbxDialCache\) could not count/, 'logged');
    httpd_stop($sr);
}
$sim->hangup_all;
