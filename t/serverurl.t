# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# PbxDialServer with a port no TCP port can have: APR keeps a URL's port in
# 16 bits, so :80810 used to pass `httpd -t` as port 15274 and every request
# then got 500. Now any port above 65535, 0, or not all digits fails
# `httpd -t` and a start, with the file, the line and what to write; ports
# 1..65535 still pass, and a server on the simulator's port still dials.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use JSON::PP qw(decode_json);
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim free_port httpd_root httpd_start httpd_stop suite_modules);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $httpd = Apache::Test::vars('httpd') or die "no httpd";
my $dir = tempdir('pbxdial-serverurl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = (suite_modules(), "LoadModule pbxdial_module $top/mod_pbxdial.so\n");

# Writes $sr/httpd.conf: a private server's head, the modules, then $body.
# Returns the line number of the first body line.
sub write_conf {
    my ($sr, $port, $body) = @_;
    my $head = join '', httpd_root($sr, $port), @load;
    open my $fh, '>', "$sr/httpd.conf" or die $!;
    print {$fh} $head, $body;
    close $fh;
    return ($head =~ tr/\n//) + 1;
}

# httpd -t on $body: (exit code, output, line of the first body line)
sub check_config {
    my ($body) = @_;
    my $sr = "$dir/check";
    my $first = write_conf($sr, 1, $body);
    my $out = `'$httpd' -t -d '$sr' -f '$sr/httpd.conf' 2>&1`;
    return ($? >> 8, $out, $first);
}

my $admin = "PbxDialAdmin admin adminpw\n";
my @bad = (
    ['port 80810 (wrapped to 15274)', "PbxDialServer http://127.0.0.1:80810\n",
     qr{PbxDialServer 'http://127\.0\.0\.1:80810' has an invalid port '80810': a port is a number from 1 to 65535; write e\.g\. http://127\.0\.0\.1:8080, or http://127\.0\.0\.1 without a port for the default \(80\)}],
    ['port 99999 with a path', "PbxDialServer https://pbx.example.com:99999/vodia\n",
     qr{'https://pbx\.example\.com:99999/vodia' has an invalid port '99999'.*https://pbx\.example\.com without a port for the default \(443\)}],
    ['port 65536 (wrapped to 0)', "PbxDialServer http://127.0.0.1:65536\n", qr{invalid port '65536': a port is a number from 1 to 65535}],
    ['port 0', "PbxDialServer http://127.0.0.1:0\n", qr{invalid port '0': a port is a number from 1 to 65535}],
    ['a port with a letter', "PbxDialServer http://127.0.0.1:80x\n", qr{invalid port '80x': a port is a number}],
    ['an empty port', "PbxDialServer http://127.0.0.1:/\n", qr{invalid port '': a port is a number}],
    ['PbxDialPublicServer as a URL', "PbxDialPublicServer https://pbx.example.com:80810\n",
     qr{PbxDialPublicServer 'https://pbx\.example\.com:80810' has an invalid port '80810'}],
);
my @good = ('http://127.0.0.1:65535', 'http://127.0.0.1:1', 'https://[::1]:8443/vodia', 'https://pbx.example.com');
plan tests => 3 * @bad + @good + 4;

for my $c (@bad) {
    my ($name, $body, $fix) = @$c;
    my ($rc, $out, $first) = check_config($body . $admin);
    ok t_cmp($rc, qr/^[1-9]/, "$name: httpd -t fails");
    ok t_cmp($out, qr/line $first of \Q$dir\E\/check\/httpd\.conf/, "$name: names file and line $first");
    ok t_cmp($out, $fix, "$name: says what to write");
}

for my $url (@good) {
    my ($rc, $out) = check_config("PbxDialServer $url\n$admin");
    ok t_cmp("$rc $out", qr/^0 Syntax OK/, "$url: Syntax OK");
}

# a start with the bad port fails as -t does: no server to answer 500 later
my $port = free_port();
my $sr = "$dir/start";
my $routes = "$admin<Location />\n AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n"
    . " Require valid-user\n PbxDialDomain example.com\n</Location>\n"
    . "<Location /rest/pbxlogin>\n SetHandler pbxdial-login\n</Location>\n";
write_conf($sr, $port, "PbxDialServer http://127.0.0.1:80810\n$routes");
my $out = `'$httpd' -d '$sr' -f '$sr/httpd.conf' -k start 2>&1`;
my $rc = $? >> 8;
ok t_cmp("$rc " . (-e "$sr/logs/httpd.pid" ? 'running' : 'not running'), qr/^[1-9]\d* not running$/,
         'httpd -k start with port 80810: refused, nothing runs');
ok t_cmp($out, qr/invalid port '80810'/, 'httpd -k start with port 80810: says why');

# the positive control: the simulator's own port, written as the URL it is
my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;
my ($sim_port) = $ENV{PBXDIAL_SIM_URL} =~ /:(\d+)$/ or die "PBXDIAL_SIM_URL: $ENV{PBXDIAL_SIM_URL}";
write_conf($sr, $port, "PbxDialServer http://127.0.0.1:$sim_port/\n$routes");
my $url = httpd_start($sr, $port);
my $r = HTTP::Tiny->new(timeout => 15)->get("$url/rest/pbxlogin", {headers => {
    Authorization => 'Basic ' . encode_base64('40:s3cret', ''), Accept => 'application/json'}});
my $j = eval { decode_json($r->{content}) } || {};
ok t_cmp("$r->{status} " . ($j->{session} // '-'), qr/^200 [a-z0-9]{20}$/,
         "port $sim_port: /rest/pbxlogin reaches the PBX and gets a session");
ok t_cmp($j->{server} // '', "http://127.0.0.1:$sim_port", 'the answer names the server without the trailing slash');
httpd_stop($sr);
