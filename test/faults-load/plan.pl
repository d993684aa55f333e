#!/usr/bin/perl
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The request mix of the load phase of test/faults-load/run.
#   plan.pl --plan PLAN --classes CLASSES [--size N] [--only CLASS,CLASS...]
#           [--link-user U --link-password P]
# PLAN: N requests, one a line (class, method, host, path, headers; tab-separated),
#       in a fixed pseudo-random order, for test/faults-load/load.lua.
# CLASSES: one class a line: NAME<TAB>STATUS,STATUS...<TAB>WHAT; the statuses
#       that class may get (anything else is a failure).
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);
use Getopt::Long;
use MIME::Base64 qw(encode_base64);

my %o = (size => 2000, 'link-user' => '40', 'link-password' => 'alice-link');
GetOptions(\%o, 'plan=s', 'classes=s', 'size=i', 'only=s', 'link-user=s', 'link-password=s')
    && $o{plan} && $o{classes} or die "usage: plan.pl --plan F --classes F [--size N]\n";

sub basic { 'Authorization: Basic ' . encode_base64(join(':', @_), '') }
my @alice = (basic('40', 's3cret'));
my @json  = ('Accept: application/json');
# a type-1 link (Basic) dials at once only when the request shows where it
# came from; a script following a link directly says so as a browser does
my @direct = ('Sec-Fetch-Site: none');
my $now   = time;
my $seq   = 0;
sub dest { sprintf '0301%06d', $seq++ % 1000000 }
sub signed {
    my (%a) = @_;
    my $t = $a{time} // $now;
    my $h = md5_hex($a{user} . $a{password} . $a{dest} . $t);
    return "/remote_call.htm?user=$a{user}&extension=true&dest=$a{dest}&time=$t&auth=$h";
}

# name, weight (per 1000), allowed statuses, what, and a sub giving
# [method, host, path, headers...] for the i-th request of the class.
my @classes = (
    # --- good calls, against the good PBX (simulator A)
    ['login_ok', 150, '200', 'GET /rest/pbxlogin, Basic 40, same-origin',
     sub { ['GET', 'good.test', '/rest/pbxlogin', @alice, 'Sec-Fetch-Site: same-origin'] }],
    ['call_type1', 100, '200', 'remote_call.htm, Basic 40 (type 1)',
     sub { ['GET', 'good.test', '/remote_call.htm?dest=' . dest(), @alice, @json, @direct] }],
    ['call_type2', 50, '200', 'remote_call.htm, signed link (type 2)',
     sub { ['GET', 'good.test', signed(user => $o{'link-user'}, password => $o{'link-password'}, dest => dest()), @json] }],
    ['call_type3', 30, '200', 'remote_call.htm, auth=40:s3cret (type 3)',
     sub { ['GET', 'good.test', '/remote_call.htm?dest=' . dest() . '&auth=40%3As3cret', @json] }],
    # --- bad input (the module answers without a PBX, except unknown_ext)
    ['bad_dest', 60, '400', 'dest with letters, markup, NUL, 3000 digits, bad %-escape',
     sub { my @d = ('01a23', '%3Cscript%3Ealert(1)%3C/script%3E', '012%0034', '9' x 3000, '0%ZZ1', '%E2%80%AE0123');
           ['GET', 'good.test', '/remote_call.htm?dest=' . $d[$_[0] % @d], @alice, @json] }],
    ['missing_dest', 30, '400', 'no dest, empty dest',
     sub { ['GET', 'good.test', ('/remote_call.htm', '/remote_call.htm?dest=')[$_[0] % 2], @alice, @json] }],
    ['bad_query', 20, '400', 'dest twice, connect=maybe',
     sub { ['GET', 'good.test', ('/remote_call.htm?dest=1&dest=2', '/remote_call.htm?dest=0123&connect=maybe')[$_[0] % 2], @alice, @json] }],
    ['no_auth', 60, '401', 'no Authorization header (login and call)',
     sub { ['GET', 'good.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2]] }],
    ['wrong_password', 40, '401', 'Basic 40 with a wrong password; a Basic header that is no base64',
     sub { ['GET', 'good.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2],
            ($_[0] % 4 < 2 ? basic('40', 'wrong') : 'Authorization: Basic %%%garbage')] }],
    ['cross_site_login', 60, '403', '/rest/pbxlogin with a foreign Origin, Origin: null, Sec-Fetch-Site: cross-site',
     sub { my @h = ('Origin: https://evil.example', 'Origin: null', 'Sec-Fetch-Site: cross-site');
           ['GET', 'good.test', '/rest/pbxlogin', @alice, $h[$_[0] % 3]] }],
    # cross-site type-1 links must not dial (issue 5): a confirmation page
    # (HTML) or 403 confirm_required (JSON); their numbers start with 0777,
    # and monitor.pl counts any call to 0777... that the simulator receives
    ['cross_site_page', 15, '200', 'remote_call.htm, Basic 40, Sec-Fetch-Site: cross-site, HTML: a confirmation page',
     sub { ['GET', 'good.test', '/remote_call.htm?dest=0777' . substr(dest(), 4), @alice, 'Sec-Fetch-Site: cross-site', 'Origin: https://evil.example'] }],
    ['cross_site_json', 15, '403', 'the same, Accept: application/json: 403 confirm_required',
     sub { ['GET', 'good.test', '/remote_call.htm?dest=0777' . substr(dest(), 4), @alice, @json, 'Sec-Fetch-Site: cross-site'] }],
    ['unknown_ext', 40, '403', 'user 47, unknown to the PBX (the PBX answers 404)',
     sub { ['GET', 'good.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2], basic('47', 's3cret'), @json, @direct] }],
    ['user_mismatch', 20, '403', 'remote_call.htm?user=41 as 40',
     sub { ['GET', 'good.test', '/remote_call.htm?user=41&dest=0123', @alice, @json] }],
    ['denied_number', 30, '403', 'premium numbers (PbxDialDeny)',
     sub { ['GET', 'good.test', ('/remote_call.htm?dest=0900123456', '/remote_call.htm?dest=%2B1900555')[$_[0] % 2], @alice, @json] }],
    # where link failures are counted (PbxDialFailureLimit, default 5 in 600 s):
    # 403 for the first ones, then 429 for every link login from this address
    ['bad_link', 30, '403,429', '/guarded/: type 2 with a wrong hash or expired; type 3 with a wrong password',
     sub { my $i = $_[0] % 3;
           my $p = $i == 0 ? signed(user => $o{'link-user'}, password => 'wrong', dest => '0123')
                 : $i == 1 ? signed(user => $o{'link-user'}, password => $o{'link-password'}, dest => '0123', time => $now - 9000)
                 :           '/remote_call.htm?dest=0123&auth=40%3Awrong';
           $p = "/guarded$p";
           ['GET', 'good.test', $p, @json] }],
    ['bad_method', 10, '405', 'PUT /rest/pbxlogin, DELETE remote_call.htm',
     sub { $_[0] % 2 ? ['DELETE', 'good.test', '/remote_call.htm?dest=0123', @alice]
                     : ['PUT', 'good.test', '/rest/pbxlogin', @alice] }],
    # a POST to remote_call.htm is the confirmation of a cross-site link: it
    # dials only with a valid token (issue 5)
    ['post_no_token', 10, '403', 'POST remote_call.htm without a confirmation token',
     sub { ['POST', 'good.test', '/remote_call.htm?dest=0777' . substr(dest(), 4), @alice] }],
    # --- PBX faults
    ['pbx_faulty', 150, '200,403,502,504', 'login and call via simulator B, whose fault changes every 1.5 s',
     sub { ['GET', 'faulty.test', ('/rest/pbxlogin', '/remote_call.htm?dest=' . dest())[$_[0] % 2], @alice, @json, @direct] }],
    ['pbx_refused', 40, '502', 'login and call, PBX port refuses connections',
     sub { ['GET', 'refused.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2], @alice, @json, @direct] }],
    ['pbx_blackhole', 15, '504', 'login and call, PBX accepts and never answers',
     sub { ['GET', 'blackhole.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2], @alice, @json, @direct] }],
    ['pbx_tls_name', 25, '502', 'login and call, PBX certificate for another name',
     sub { ['GET', 'tlsname.test', ('/rest/pbxlogin', '/remote_call.htm?dest=0123')[$_[0] % 2], @alice, @json, @direct] }],
);

if ($o{only}) {
    my %keep = map { $_ => 1 } split /,/, $o{only};
    my %known = map { $_->[0] => 1 } @classes;
    $known{$_} or die "plan.pl: no class $_ (classes: @{[map { $_->[0] } @classes]})\n" for keys %keep;
    @classes = grep { $keep{$_->[0]} } @classes;
}
my $total = 0;
$total += $_->[1] for @classes;
my @plan;
for my $c (@classes) {
    my ($name, $weight, undef, undef, $make) = @$c;
    my $k = int($o{size} * $weight / $total + 0.5);
    for my $i (0 .. $k - 1) {
        my $r = $make->($i);
        die "tab in request of $name\n" if grep { /[\t\n]/ } @$r;
        push @plan, join("\t", $name, @$r);
    }
}
# a fixed shuffle (the same plan on every run)
srand(5);
for (my $i = $#plan; $i > 0; $i--) { my $j = int rand($i + 1); @plan[$i, $j] = @plan[$j, $i] }

open my $p, '>', $o{plan} or die "$o{plan}: $!\n";
print {$p} "$_\n" for @plan;
close $p or die "$o{plan}: $!\n";
open my $c, '>', $o{classes} or die "$o{classes}: $!\n";
printf {$c} "%s\t%s\t%d\t%s\n", $_->[0], $_->[2], $_->[1], $_->[3] for @classes;
close $c or die "$o{classes}: $!\n";
printf "plan: %d requests in %d classes\n", scalar @plan, scalar @classes;
