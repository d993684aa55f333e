# Shared state on mod_socache (shmcb here; memcached and redis in cluster.t):
# single-use signed links, the per-extension rate limit, failure throttling,
# and reused PBX sessions for calls.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use PbxDial::Test qw(sim json_of in_vhost);

plan tests => 16;

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
my @codes = map { GET('/guarded/remote_call.htm?dest=0222', username => '41@example.com', password => 's3cret', @json)->code } 1 .. 4;
ok t_cmp("@codes[0..2]", '200 200 200', 'three calls in the window');
ok t_cmp($codes[3], 429, 'the fourth: 429 Too Many Requests');
$res = GET('/guarded/remote_call.htm?dest=0222', username => '41@example.com', password => 's3cret', @json);
ok t_cmp($res->header('Retry-After') // '', qr/^\d+$/, 'Retry-After says when');
ok t_cmp(json_of($res)->{error}, 'rate_limited', 'error code rate_limited');
$sim->hangup_all;

# --- PbxDialFailureLimit 3 60: wrong passwords from one address
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
