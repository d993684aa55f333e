# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Link secrets are masked wherever pbxdial-call is the handler: SetHandler in
# <Location>, <Directory>, <Files> or <If>, AddHandler by extension, and
# RewriteRule [H=pbxdial-call]. A private httpd at LogLevel trace8 logs
# "%r %q %U" for each request; no line may carry the password.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use PbxDial::Test qw(sim free_port httpd_root httpd_start httpd_stop suite_modules);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $link = 'dest=0123&auth=41%40example.com%3As3cret';
# [path, status, query, name]. A handler by AddHandler is only known after
# authentication, so the link is not checked there: Basic auth says 401
my @cases = (
    ['/loc/remote_call.htm',   200, $link, '<Location>'],
    ['/dir/remote_call.htm',   200, $link, '<Directory>'],
    ['/files/call.htm',        200, $link, '<Files>'],
    ['/if/remote_call.htm',    200, $link, '<If>'],
    ['/ext/call.dial',         401, $link, 'AddHandler .dial'],
    ['/rw/call',               200, $link, 'RewriteRule [H=pbxdial-call]'],
    ['/dir/remote_call.htm',   200, 'dest=0123&%61uth=41%40example.com%3As3cret', '<Directory>, %61uth='],
    ['/files/call.htm',        200, 'dest=0123&AUTH=41%40example.com%3As3cret', '<Files>, AUTH='],
    ['/ext/call.dial',         401, 'dest=0123&Auth=41%40example.com%3As3cret', 'AddHandler, Auth='],
);
plan tests => 3 * @cases + 3;

my $sim = sim();
$sim->clear_faults;
$sim->hangup_all;

my $dir = tempdir('pbxdial-logmask-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my @load = suite_modules();
my $port = free_port();
my ($sr, $docs) = ("$dir/srv", "$dir/docs");
mkdir $docs;
for my $f (qw(loc/remote_call.htm dir/remote_call.htm files/call.htm if/remote_call.htm ext/call.dial rw/call)) {
    my ($d) = $f =~ m{^(\w+)/};
    mkdir "$docs/$d";
    open my $fh, '>', "$docs/$f" or die $!;
    close $fh;
}
system 'chmod', '-R', 'a+rX', $dir;
mkdir $sr;
open my $fh, '>', "$sr/httpd.conf" or die $!;
print {$fh} httpd_root($sr, $port, loglevel => 'trace8'), @load,
    "LoadModule pbxdial_module $top/mod_pbxdial.so\n",
    "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialSessionLifetime Off\n",
    "LogFormat \"%r %q %U\" masked\nCustomLog $sr/logs/access_log masked\n",
    "DocumentRoot $docs\n",
    "<Directory $docs>\n AuthType Basic\n AuthName CRM\n AuthUserFile $top/t/conf/htpasswd\n",
    " Require valid-user\n PbxDialDomain example.com\n PbxDialFailureLimit Off\n</Directory>\n",
    "<Location /loc/remote_call.htm>\n SetHandler pbxdial-call\n</Location>\n",
    "<Directory $docs/dir>\n SetHandler pbxdial-call\n</Directory>\n",
    "<Directory $docs/files>\n <Files call.htm>\n  SetHandler pbxdial-call\n </Files>\n</Directory>\n",
    "<Directory $docs/if>\n <If \"%{QUERY_STRING} =~ /dest=/\">\n  SetHandler pbxdial-call\n </If>\n</Directory>\n",
    "<Directory $docs/ext>\n AddHandler pbxdial-call .dial\n</Directory>\n",
    "RewriteEngine On\nRewriteRule ^/rw/call\$ - [H=pbxdial-call]\n";
close $fh;
my $base = httpd_start($sr, $port);
my $http = HTTP::Tiny->new(timeout => 10);
my $slurp = sub { local (@ARGV, $/) = shift; -e $ARGV[0] ? <> : '' };

for my $c (@cases) {
    my ($path, $status, $query, $name) = @$c;
    my $before = length $slurp->("$sr/logs/access_log");
    my $r = $http->get("$base$path?$query");
    ok t_cmp($r->{status}, $status, "$name: $status");
    # httpd writes the access log after the answer: wait for the line
    my $line = '';
    for (1 .. 40) { $line = substr($slurp->("$sr/logs/access_log"), $before); last if $line =~ /\n/; select undef, undef, undef, 0.05 }
    ok t_cmp(index($line, 's3cret') < 0 ? 'masked' : $line, 'masked', "$name: no password in %r %q %U");
    ok t_cmp($line, qr/^GET \Q$path\E\?dest=0123&[^ ]*=\*\*\* HTTP\/1\.1 \?dest=0123&[^ ]*=\*\*\* \Q$path\E$/m,
             "$name: the access log shows ***");
}
ok t_cmp(scalar @{ $sim->calls_of('41@example.com') }, 7, 'the SetHandler and [H=] placements dialled (the links were read)');
my $err = $slurp->("$sr/logs/error_log");
ok t_cmp(index($err, 's3cret') < 0 ? 'masked' : 'leaked', 'masked', 'no password in the error log at trace8');
ok t_cmp($err, qr{Request received from client: GET /dir/remote_call\.htm\?dest=0123&auth=\*\*\* HTTP/1\.1},
         'core\'s trace5 request line is logged, masked, for a <Directory> placement');
httpd_stop($sr);
$sim->hangup_all;
