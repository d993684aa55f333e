package PbxDial::Test;
# Helpers shared by the .t files: the simulator started by t/TEST, JSON
# bodies, the server's error log, timing.
use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Time::HiRes ();
use Apache::Test ();
use PbxDial::Sim;

our @EXPORT_OK = qw(sim json_of error_log_mark error_log_since timed in_vhost);

sub sim {
    my $url = $ENV{PBXDIAL_SIM_URL} or die "PBXDIAL_SIM_URL not set: run the suite through t/TEST\n";
    return PbxDial::Sim->attach($url);
}

# The decoded body, or {} when it is not JSON (the test then fails on content).
sub json_of {
    my $res = shift;
    my $j = eval { JSON::PP::decode_json($res->content) };
    return ref $j eq 'HASH' ? $j : {};
}

sub _error_log { Apache::Test::vars('t_logs') . '/error_log' }

# Offset of the end of the error log, to read only what a test caused.
sub error_log_mark { -s _error_log() // 0 }

sub error_log_since {
    my $mark = shift // 0;
    open my $fh, '<', _error_log() or return '';
    seek $fh, $mark, 0;
    local $/;
    my $text = <$fh> // '';
    return $text;
}

# (result of $code, seconds it took)
sub timed {
    my $code = shift;
    my $t0 = Time::HiRes::time();
    my $res = $code->();
    return ($res, Time::HiRes::time() - $t0);
}

# Runs $code against the Apache-Test <VirtualHost NAME> of t/conf/extra.conf.in.
sub in_vhost {
    my ($name, $code) = @_;
    local $Apache::TestRequest::Module = $name;
    return $code->();
}

1;
