# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Shared state on mod_socache (shmcb here; memcached and redis in cluster.t):
# single-use signed links, the per-extension rate limit, failure throttling,
# and reused PBX sessions for calls; and a flood of cheap requests (failed
# logins, confirmation pages) does not push the marker of a used link out.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim json_of in_vhost free_port httpd_root httpd_start httpd_stop suite_modules window_ahead);

# the last test passes once failed logins are counted with
# pbxdial_guard_count_unauthenticated (linkauth.c / throttle.c)
plan tests => 25;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @json = (Accept => 'application/json');

sub signed {
    my (%a) = @_;
    my $t = $a{time} // time;
    my $auth = md5_hex($a{user} . $a{password} . $a{dest} . $t);
    return "user=$a{user}&extension=true&dest=$a{dest}&time=$t&auth=$auth";
}

# --- PbxDialLinkOnce
my $link = '/guarded/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0111');
ok t_cmp(GET($link, @json)->code, 200, 'a signed link dials once');
my $res = GET($link, @json);
ok t_cmp($res->code, 403, 'the same link again: 403');
ok t_cmp(json_of($res)->{message}, qr/link already used/, 'replay: "link already used"');
$sim->hangup_all;

# --- PbxDialRateLimit 3 60 (per extension; 41's own budget is separate)
window_ahead(60);
my @codes = map { GET('/guarded/remote_call.htm?dest=0222', username => '41@example.com', password => 's3cret', @json)->code } 1 .. 4;
ok t_cmp("@codes[0..2]", '200 200 200', 'three calls in the window');
ok t_cmp($codes[3], 429, 'the fourth: 429 Too Many Requests');
$res = GET('/guarded/remote_call.htm?dest=0222', username => '41@example.com', password => 's3cret', @json);
ok t_cmp($res->header('Retry-After') // '', qr/^\d+$/, 'Retry-After says when');
ok t_cmp(json_of($res)->{error}, 'rate_limited', 'error code rate_limited');
$sim->hangup_all;

# --- PbxDialFailureLimit 3 60: wrong passwords from one address
window_ahead(60);
my @fail = map { GET("/guarded/remote_call.htm?dest=0333&auth=42%40example.com%3Awrong$_", @json)->code } 1 .. 3;
ok t_cmp("@fail", '403 403 403', 'three wrong passwords: 403 each');
$res = GET('/guarded/remote_call.htm?dest=0333&auth=42%40example.com%3Awrong4', @json);
ok t_cmp($res->code, 429, 'the next attempt: 429');
ok t_cmp(json_of($res)->{error}, 'too_many_failures', 'error code too_many_failures');
ok t_cmp($res->header('Retry-After') // '', qr/^\d+$/, 'Retry-After set');
$res = GET('/guarded/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0334'), @json);
ok t_cmp($res->code, 429, 'even a good link from that address waits (no oracle for guesses)');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'no call placed while throttled');

# --- reused PBX sessions (pbx_sessions vhost: PbxDialSessionLifetime 900)
$sim->clear_requests;
my @ok = in_vhost(pbx_sessions => sub {
    map { GET('/remote_call.htm?dest=0444', username => '40', password => 's3cret')->code } 1 .. 3 });
ok t_cmp("@ok", '200 200 200', 'three calls');
my @logins = grep { ($_->{body} // '') =~ /"name":"3rd"/ } @{ $sim->requests(path => '/rest/system/session') };
ok t_cmp(scalar @logins, 1, 'one PBX login for three calls: the session is reused');
ok t_cmp(scalar @{ $sim->requests(path => '/remote_call.htm') }, 3, 'one PBX request per further call');
$sim->hangup_all;

# --- a flood of cheap requests does not evict the marker of a used link.
# Ids spread over all of shmcb's subcaches (they all used to start with
# "pbx", so every entry went to one subcache of 32: ~12 KB).
my $used = '/crowded/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0555');
ok t_cmp(GET($used, @json)->code, 200, 'crowded: a signed link dials');
my %n;
for my $i (1 .. 300) {
    $n{confirm}{ GET("/crowded/remote_call.htm?dest=0556$i", username => '41@example.com', password => 's3cret',
                     'Sec-Fetch-Site' => 'cross-site')->code }++;
    $n{failed}{ GET("/crowded/remote_call.htm?dest=0557&auth=u$i%40example.com%3Awrong", @json)->code }++;
}
ok t_cmp(join(' ', %{ $n{confirm} }), '200 300', '300 confirmation pages');
ok t_cmp(join(' ', %{ $n{failed} }), '403 300', '300 failed logins of as many users');
$res = GET($used, @json);
ok t_cmp($res->code, 403, 'the used link is still refused');
ok t_cmp(json_of($res)->{error} // '', 'link_used', '... as used');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 1, 'one call placed');
$sim->hangup_all;

# The same with a small cache (PbxDialCache shmcb:...(65536), a private
# httpd) and a thousand failed logins: their counters live in a cache
# instance of their own, so no number of them evicts a marker.
my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $dir = tempdir('pbxdial-guard-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = suite_modules();
my $port = free_port();
my $sr = "$dir/small";
my $head = httpd_root($sr, $port);
{
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, @load, "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
        "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\n",
        "PbxDialCache \"shmcb:$sr/logs/cache(65536)\"\n",
        "<Location /remote_call.htm>\n SetHandler pbxdial-call\n AuthType Basic\n AuthName CRM\n",
        " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
        " PbxDialLinkPasswords $top/t/conf/linkpw\n PbxDialLinkOnce On\n PbxDialFailureLimit 100000 600\n</Location>\n";
}
my $base = httpd_start($sr, $port);
my $http = HTTP::Tiny->new(timeout => 10, keep_alive => 1);
$used = '/remote_call.htm?' . signed(user => '40', password => 'alice-link', dest => '0558');
ok t_cmp($http->get("$base$used")->{status}, 200, 'small cache: a signed link dials');
my %failed;
$failed{ $http->get("$base/remote_call.htm?dest=0559&auth=u$_%40example.com%3Awrong")->{status} }++ for 1 .. 1000;
ok t_cmp(join(' ', %failed), '403 1000', 'small cache: 1000 failed logins of as many users');
ok t_cmp($http->get("$base$used")->{status}, 403, 'small cache: the used link is still refused');
httpd_stop($sr);
$sim->hangup_all;
