# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# An .htaccess cannot choose who dials, what or how often: every mod_pbxdial
# directive is for the server's admin (server config, <VirtualHost>,
# <Directory>, <Location>, <Files>), never for .htaccess, even where
# AllowOverride AuthConfig lets users set up their own authentication. Each
# directive in an .htaccess gives 500 with httpd's "not allowed here", and
# the PBX places no call.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim free_port httpd_root httpd_start httpd_stop @DIRECT suite_modules);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my %directives = (
    PbxDialExtension     => '"41"',
    PbxDialDomain        => '"other.com"',
    PbxDialUserMap       => "$top/t/conf/usermap",
    PbxDialAuthProvider  => 'file',
    PbxDialLinkPasswords => "$top/t/conf/linkpw",
    PbxDialLinkLifetime  => '999999',
    PbxDialAllow         => '.',
    PbxDialDeny          => '^9',
    PbxDialConnect       => 'On',
    PbxDialWebSocket     => 'On',
    PbxDialWebSocketPath => '/mine',
    PbxDialLinkOnce      => 'Off',
    PbxDialRateLimit     => 'Off',
    PbxDialFailureLimit  => 'Off',
);
plan tests => 2 * keys(%directives) + 3;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;

my $dir = tempdir('pbxdial-htaccess-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = suite_modules();
my $port = free_port();
my $sr = "$dir/srv";
my $docs = "$dir/docs";
mkdir $docs;
for my $d ('ok', sort keys %directives) {
    mkdir "$docs/$d";
    open my $fh, '>', "$docs/$d/remote_call.htm" or die $!;
    close $fh;
    next if $d eq 'ok';
    open $fh, '>', "$docs/$d/.htaccess" or die $!;
    print {$fh} "$d $directives{$d}\n";
    close $fh;
}
system 'chmod', '-R', 'a+rX', $dir;
mkdir $sr;
open my $fh, '>', "$sr/httpd.conf" or die $!;
print {$fh} httpd_root($sr, $port), @load,
    "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
    "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialSessionLifetime Off\n",
    "DocumentRoot $docs\nAccessFileName .htaccess\n",
    "<Directory $docs>\n AllowOverride AuthConfig\n SetHandler pbxdial-call\n AuthType Basic\n",
    " AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n",
    " PbxDialRateLimit 100 60\n</Directory>\n";
close $fh;
my $base = httpd_start($sr, $port);
my $http = HTTP::Tiny->new(timeout => 10);
my %alice = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), @DIRECT);
my $errlog = sub { local (@ARGV, $/) = "$sr/logs/error_log"; <> };

my $r = $http->get("$base/ok/remote_call.htm?dest=0123", {headers => \%alice});
ok t_cmp($r->{status}, 200, 'without an .htaccess the directory dials (the set-up works)');
ok t_cmp(scalar @{ $sim->calls_of('40@example.com') }, 1, '... as 40');
$sim->hangup_all;

for my $d (sort keys %directives) {
    my $before = length $errlog->();
    $r = $http->get("$base/$d/remote_call.htm?dest=0123&connect=true", {headers => \%alice});
    ok t_cmp($r->{status}, 500, "$d in .htaccess: 500");
    ok t_cmp(substr($errlog->(), $before), qr/\.htaccess: \Q$d\E not allowed here/, "$d: httpd says \"not allowed here\"");
}
my $calls = $sim->calls;
ok t_cmp(join(' ', map { "$_:" . scalar @{ $calls->{$_} } } grep { @{ $calls->{$_} } } sort keys %$calls), '',
         'no .htaccess placed a call, for anyone');
httpd_stop($sr);
