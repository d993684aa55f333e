# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# PbxDialLinkOnce keys on the canonical link (issue 11, point 3): no other
# spelling of a used signed link dials again, and time/duration have one
# spelling each, so a digit moved between dest and time (the md5 has no
# separators) cannot make a "new" link that dials a truncated number.
# /once/remote_call.htm: PbxDialLinkOnce On, no rate or failure limit.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use PbxDial::Test qw(sim json_of);

plan tests => 84;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $base = '/once/remote_call.htm';
my $pw = 'alice-link';

# md5_hex(user . password . dest . time [. duration]) over the decoded values
sub auth_of {
    my (%a) = @_;
    return md5_hex($a{user} . ($a{password} // $pw) . $a{dest} . $a{time} . ($a{duration} // ''));
}

# A query from [name, value-as-sent] pairs: values are put in as given
# (already %-encoded where a test wants it).
sub qs { my @kv = @_; join '&', map { "$_->[0]=$_->[1]" } @kv }

sub link_qs {
    my (%a) = @_;
    my $auth = $a{auth} // auth_of(%a);
    return qs([user => $a{user}], [extension => 'true'], [dest => $a{dest}], [time => $a{time}],
              (defined $a{duration} ? ([duration => $a{duration}]) : ()), [auth => $auth]);
}

sub calls { my $c = $sim->calls_of('40@example.com'); $sim->hangup_all; return $c }

# status and error code of a refused request, and that the PBX dialled nothing
sub refused {
    my ($query, $status, $code, $name) = @_;
    my $res = GET("$base?$query", Accept => 'application/json');
    ok t_cmp($res->code, $status, "$name: $status");
    ok t_cmp(json_of($res)->{error} // '', $code, "$name: $code");
    ok t_cmp(scalar @{ calls() }, 0, "$name: no call placed");
    return $res;
}

sub dials {
    my ($query, $dest, $name) = @_;
    my $res = GET("$base?$query", Accept => 'application/json');
    my $c = calls();
    ok t_cmp($res->code, 200, "$name: 200");
    ok t_cmp(scalar(@$c) . ' ' . ($c->[0]{'to-number'} // '-'), "1 $dest", "$name: one call to $dest");
}

my $T = time;
my %l1 = (user => '40', dest => '0301230', time => $T);
my $a1 = auth_of(%l1);
dials(link_qs(%l1), '0301230', 'a fresh signed link');                                     # 2
refused(link_qs(%l1), 403, 'link_used', 'the same link again');                             # 5

# --- other spellings of the used link
refused(link_qs(%l1, auth => uc $a1), 403, 'link_used', 'hash in upper case');             # 8
my $pct = sub { join '', map { sprintf '%%%02X', ord } split //, shift };
refused(link_qs(%l1, time => $pct->($T), auth => $a1), 403, 'link_used', 'time %-encoded (%31%37...)'); # 11
refused(link_qs(%l1, dest => $pct->('0301230'), auth => $a1), 403, 'link_used', 'dest %-encoded (%30...)');
refused(link_qs(%l1, auth => $pct->(substr $a1, 0, 1) . substr($a1, 1)), 403, 'link_used',
        'auth with a %-escape');                                                             # 17
refused(link_qs(%l1) =~ s/^user=/USER=/r, 403, 'link_used', 'parameter name in upper case');
refused(link_qs(%l1) =~ s/extension=true/extension=TRUE/r, 403, 'link_used', 'extension=TRUE');
refused(link_qs(%l1) =~ s/extension=true&//r, 403, 'link_used', 'without extension=true');  # 26
refused(link_qs(%l1) . '&connect=true', 403, 'link_used', 'connect=true added');
refused(link_qs(%l1) . '&x=1', 403, 'link_used', 'an unknown parameter added');              # 32
refused(link_qs(%l1) . '&user=40', 400, 'bad_query', 'user given twice');
refused(link_qs(%l1) . '&User=41', 400, 'bad_query', 'user given twice, other case');       # 38

# --- dest variants that normalise to the same number: the hash covers dest as sent
refused(link_qs(%l1, dest => '030%201230', auth => $a1), 403, 'link_bad_signature', 'dest with a space');
refused(link_qs(%l1, dest => '030-1230', auth => $a1), 403, 'link_bad_signature', 'dest with a dash');
refused(link_qs(%l1, dest => '%2B0301230', auth => $a1), 403, 'link_bad_signature', 'dest with +');
refused(link_qs(%l1, user => '40%40example.com', auth => $a1), 403, 'link_bad_signature',
        'user with the domain spelt out');                                                   # 50

# --- digits moved between fields keep the md5 (no separators)
ok t_cmp(md5_hex("40${pw}030123" . "0$T"), $a1, 'dest 030123 + time 0T has the same md5');   # 51
my $res = refused(link_qs(user => '40', dest => '030123', time => "0$T", auth => $a1), 400,
                  'link_malformed', 'shifted copy: a leading zero moved into time');          # 54
ok t_cmp(json_of($res)->{message} // '', qr/leading zeros/, 'the message says how time is written');
refused(link_qs(user => '40', dest => '03012301', time => substr($T, 1), auth => $a1), 403,
        'link_expired', 'shifted copy: time\'s first digit moved into dest');                # 58

# --- one spelling per integer, even on a correctly signed link
my %l2 = (user => '40', dest => '0301231');
refused(link_qs(%l2, time => "0$T"), 400, 'link_malformed', 'time with a leading zero');   # 61
refused(link_qs(%l2, time => "%2B$T", auth => auth_of(%l2, time => "+$T")), 400, 'link_malformed',
        'time with a + sign');
refused(link_qs(%l2, time => "%20$T", auth => auth_of(%l2, time => " $T")), 400, 'link_malformed',
        'time with a space');                                                                 # 67
refused(link_qs(%l2, time => "-$T"), 400, 'link_malformed', 'negative time');
refused(link_qs(%l2, time => ''), 400, 'link_malformed', 'empty time');                       # 73
refused(link_qs(%l2, time => "1$T$T"), 400, 'link_malformed', 'time of more than 15 digits');
refused(link_qs(%l2, time => $T, duration => '03600'), 400, 'link_malformed',
        'duration with a leading zero');                                                      # 79
refused(link_qs(%l2, time => $T, duration => '-5'), 400, 'link_malformed', 'negative duration');

# --- the first use may be in upper case: the lower-case spelling is then used
my %l3 = (user => '40', dest => '0301233', time => $T, duration => 600);
$res = GET("$base?" . link_qs(%l3, auth => uc auth_of(%l3)), Accept => 'application/json');
calls();
ok t_cmp($res->code . ' ' . (GET("$base?" . link_qs(%l3), Accept => 'application/json')->code), '200 403',
         'used in upper case first, then refused in lower case');                               # 83
ok t_cmp(scalar @{ calls() }, 0, 'no call for the lower-case replay');                        # 84
