# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The dial policy sees through PBX feature codes (issue 11, point 11): a
# number with '*' or '#' is refused (400 feature_code) unless a PbxDialAllow
# pattern that itself names '*' or '#' matches it, and PbxDialDeny still
# applies, also to the number behind the code.
#   /once/remote_call.htm         PbxDialDeny ^0900, no allow pattern
#   /featurecode/remote_call.htm  PbxDialAllow ^0[1-9] "^\*31#0[1-9]", PbxDialDeny ^0900
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestRequest qw(GET);
use Apache::TestUtil qw(t_cmp);
use Digest::MD5 qw(md5_hex);
use PbxDial::Test qw(sim json_of error_log_mark error_log_since);

plan tests => 50;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my $T = time;

# A signed link for 40 to $dest (decoded); $enc is dest as it goes in the URL.
sub signed {
    my ($dest, $enc) = @_;
    $enc //= join '', map { /[0-9]/ ? $_ : sprintf '%%%02X', ord } split //, $dest;
    my $auth = md5_hex("40alice-link$dest$T");
    return "user=40&extension=true&dest=$enc&time=$T&auth=$auth";
}

sub calls { my $c = $sim->calls_of('40@example.com'); $sim->hangup_all; return $c }

sub refused {
    my ($where, $dest, $enc, $status, $code, $name) = @_;
    my $res = GET("/$where/remote_call.htm?" . signed($dest, $enc), Accept => 'application/json');
    ok t_cmp($res->code, $status, "$name: $status");
    ok t_cmp(json_of($res)->{error} // '', $code, "$name: $code");
    ok t_cmp(scalar @{ calls() }, 0, "$name: no call placed");
    return $res;
}

sub dials {
    my ($where, $dest, $name) = @_;
    my $res = GET("/$where/remote_call.htm?" . signed($dest), Accept => 'application/json');
    my $c = calls();
    ok t_cmp($res->code, 200, "$name: 200");
    ok t_cmp(scalar(@$c) . ' ' . ($c->[0]{'to-number'} // '-'), "1 $dest", "$name: one call to $dest");
}

# --- no allow pattern names a feature code: all refused, whatever follows
my $mark = error_log_mark();
my $res = refused(once => '*31#0900123', undef, 403, 'number_not_allowed',
                  '*31#0900123 with PbxDialDeny ^0900: the deny sees through');            # 3
ok t_cmp(error_log_since($mark), qr/PBXDIAL0608: number \*31#0900123 refused .*dial policy: \^0900/, 'logged with the deny pattern');
$res = refused(once => '*31#0301234', undef, 400, 'feature_code', '*31#0301234');           # 7
ok t_cmp(json_of($res)->{message} // '', qr/PbxDialAllow/, 'the message says how an admin allows it');
$res = GET('/once/remote_call.htm?' . signed('*31#0301235'));
ok t_cmp($res->code . ' ' . ($res->header('Content-Type') // ''), qr{^400 text/html}, 'a page for people too');
ok t_cmp($res->content, qr/feature code/i, 'the page says why');                            # 10
calls();
refused(once => '#31#0301234', undef, 400, 'feature_code', '#31#0301234');                 # 13
refused(once => '*', undef, 400, 'feature_code', '* alone');                                 # 16
refused(once => '#', undef, 400, 'feature_code', '# alone');                                 # 19
refused(once => '*98', '%2A98', 400, 'feature_code', '%2A98');                              # 22
refused(once => '*99', '*99', 400, 'feature_code', '*99 unencoded');                        # 25
refused(once => '0301234#', undef, 400, 'feature_code', '0301234#: a code at the end');     # 28
refused(once => '*31#0900-123', undef, 403, 'number_not_allowed',
        'a separator does not hide the denied number');                                     # 31
dials(once => '0301234', 'a plain number still dials');                                      # 33

# --- *31# allowed on purpose before national numbers
dials(featurecode => '*31#0301234', 'the allowed code dials');                               # 35
refused(featurecode => '*31#0900123', undef, 403, 'number_not_allowed',
        'the deny pattern still wins behind the code');                                     # 38
refused(featurecode => '#31#0301234', undef, 400, 'feature_code', 'another code: #31#');    # 41
refused(featurecode => '0301234#', undef, 400, 'feature_code',
        'the digits pattern ^0[1-9] does not open codes');                                  # 44
refused(featurecode => '*', undef, 400, 'feature_code', '* alone');                         # 47
refused(featurecode => '*31#0041', undef, 400, 'feature_code', '*31# before a number the pattern does not allow');
