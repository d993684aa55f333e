# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The site's own test: its contacts page places calls through mod_pbxdial,
# against the PBX simulator that t/TEST started.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use JSON::PP ();
use PbxDial::Sim;

plan tests => 16;

my $sim   = PbxDial::Sim->attach($ENV{PBXDIAL_SIM_URL});
my @alice = (username => '40', password => 'alice-crm');
my $site  = 'http://' . Apache::TestRequest::hostport();
# what a browser sends when a link of the site's own page is clicked
my @click = ('Sec-Fetch-Site' => 'same-origin', Referer => "$site/crm/contacts.html");

sub json { my $j = eval { JSON::PP::decode_json($_[0]->content) }; ref $j eq 'HASH' ? $j : {} }

# The page as alice (extension 40) sees it, with its click-to-dial links.
my $page = GET '/crm/contacts.html', @alice;
ok t_cmp($page->code, 200, 'the contacts page');
my @links = $page->content =~ /<a class="dial" href="([^"]+)"/g;
ok t_cmp(scalar @links, 2, 'it has two click-to-dial links');
ok t_cmp(GET('/js/callback.js')->code, 200, 'the page script is served');

# Click the first link: alice's phone rings, then the PBX dials the number.
$sim->hangup_all;
my $res = GET $links[0], @alice, @click;
ok t_cmp($res->code, 200, 'click: the PBX is calling');
ok t_cmp($res->content, qr{<title>Calling 0123456789</title>}, 'the page says so');
my $calls = $sim->calls_of('40@example.com');
ok t_cmp(scalar @$calls, 1, "one call on alice's phone");
ok t_cmp($calls->[0]{'to-number'} // '-', '0123456789', 'to the number of the link');
ok t_cmp(scalar @{ $sim->calls_of('41@example.com') }, 0, "none on bob's");

# The premium number is refused by the site's policy: no call at all.
$sim->hangup_all;
$res = GET $links[1], @alice, @click, Accept => 'application/json';
ok t_cmp($res->code, 403, 'premium number: 403');
ok t_cmp(json($res)->{error} // '-', 'number_not_allowed', 'number_not_allowed');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'and no call placed');

# What the page's script asks first: a PBX login for alice's extension.
$res = GET '/rest/pbxlogin', @alice;
ok t_cmp($res->code, 200, '/rest/pbxlogin: 200');
my $login = json($res);
ok t_cmp(($login->{user} // '-') . '@' . ($login->{domain} // '-'), '40@example.com', 'for extension 40@example.com');

# A PBX that fails: the page gets a clear error, and works again afterwards.
$sim->fault(path => '/remote_call.htm', kind => '500', count => 1);
$res = GET $links[0], @alice, @click, Accept => 'application/json';
ok t_cmp(json($res)->{error} // '-', 'pbx_error', 'PBX answers 500: the link says pbx_error');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 0, 'no call placed');
$sim->clear_faults;
ok t_cmp(GET($links[0], @alice, @click)->code, 200, 'the PBX is back: the link dials again');
$sim->hangup_all;
