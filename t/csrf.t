# Cross-site type-1 links (ambient credentials) do not dial: they get a
# confirmation page whose POST carries a single-use token bound to the user
# and the link. Direct and same-site requests, and links that carry their own
# proof (types 2, 3), behave as before.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET POST);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use PbxDial::Test qw(sim json_of);

plan tests => 22;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my @alice = (username => '40', password => 's3cret');
my $own = 'http://' . Apache::TestRequest::hostport();
my $url = '/remote_call.htm?dest=0123456';

sub ncalls { my $n = scalar @{ $sim->calls_of(shift // '40@example.com') }; $sim->hangup_all; $n }

my $res = GET $url, @alice, 'Sec-Fetch-Site' => 'cross-site';
ok t_cmp($res->code, 200, 'cross-site link: a page');
ok t_cmp($res->content, qr{<title>Confirm the call</title>}, 'it asks to confirm');
ok t_cmp(ncalls(), 0, 'and does not dial');
ok t_cmp($res->header('X-Frame-Options'), 'DENY', 'the page cannot be framed');
ok t_cmp($res->header('Content-Security-Policy') // '', qr/frame-ancestors 'none'/, 'CSP frame-ancestors none');
my ($token) = $res->content =~ /name="token" value="([0-9a-f]{32})"/;
my ($action) = $res->content =~ /action="([^"]+)"/;
ok t_cmp($action // '', $url, 'the form posts to the same link');

$res = POST $url, @alice, Origin => $own, content => "token=$token";
ok t_cmp($res->code, 200, 'the confirmation dials');
ok t_cmp(ncalls(), 1, 'one call placed');
$res = POST $url, @alice, Origin => $own, content => "token=$token";
ok t_cmp($res->code, 403, 'the token is good once');
ok t_cmp(json_of(POST($url, @alice, Accept => 'application/json', content => 'token='))->{error}, 'confirmation_invalid', 'no token: refused');

# the token is bound to the user and the link
($token) = GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site')->content =~ /value="([0-9a-f]{32})"/;
ok t_cmp(POST('/remote_call.htm?dest=0999', @alice, content => "token=$token")->code, 403, 'token for another number: refused');
($token) = GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site')->content =~ /value="([0-9a-f]{32})"/;
ok t_cmp(POST($url, username => '41@example.com', password => 's3cret', content => "token=$token")->code, 403, 'token of another user: refused');
($token) = GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site')->content =~ /value="([0-9a-f]{32})"/;
ok t_cmp(POST($url, @alice, Origin => 'https://evil.example', content => "token=$token")->code, 403, 'a POST from another site: refused');
ok t_cmp(ncalls(), 0, 'none of those dialled');

# what is not cross-site dials at once
ok t_cmp(GET($url, @alice, 'Sec-Fetch-Site' => 'none')->code . ' ' . ncalls(), '200 1', 'opened from a mail client (Sec-Fetch-Site: none): dials');
ok t_cmp(GET($url, @alice, 'Sec-Fetch-Site' => 'same-origin')->code . ' ' . ncalls(), '200 1', 'same-origin: dials');
ok t_cmp(GET($url, @alice, Referer => "$own/crm/contacts")->code . ' ' . ncalls(), '200 1', 'same-site Referer: dials');
ok t_cmp(GET($url, @alice, Referer => 'https://evil.example/page')->content =~ /Confirm the call/ ? 'confirm' : 'dialled', 'confirm', 'foreign Referer (older browsers): confirm');
ok t_cmp(ncalls(), 0, '... and no call');
ok t_cmp(json_of(GET($url, @alice, 'Sec-Fetch-Site' => 'cross-site', Accept => 'application/json'))->{error}, 'confirm_required', 'JSON clients: 403 confirm_required');

# links with their own proof are not ambient credentials
my $t = time;
my $auth = md5_hex('40alice-link0123456' . $t);
ok t_cmp(GET("/remote_call.htm?user=40&extension=true&dest=0123456&time=$t&auth=$auth", 'Sec-Fetch-Site' => 'cross-site')->code . ' ' . ncalls(), '200 1', 'type 2 from another site: dials');
ok t_cmp(GET('/remote_call.htm?dest=0123456&auth=40%3As3cret', 'Sec-Fetch-Site' => 'cross-site')->code . ' ' . ncalls(), '200 1', 'type 3 from another site: dials');
