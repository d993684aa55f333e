# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The file-system walk (src/httpd/storage.c). A private httpd with one
# <VirtualHost> per case, each on its own port and DocumentRoot. Every
# DocumentRoot has link -> real, a symbolic link, under "Options None": a
# request whose path goes through it gets 403 from the walk ("Symbolic link
# not allowed"), so /link/... tells whether the walk ran. The handler
# locations with authentication skip the walk only in vhosts where no
# <Directory>, <Files> or .htaccess content could change the outcome; every
# other case still walks, and an attacker's path tricks end exactly as in a
# vhost that is forced to walk ("walkall", the behaviour before the skip).
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use MIME::Base64 qw(encode_base64);
use PbxDial::Test qw(sim free_port httpd_root httpd_start httpd_stop @DIRECT suite_modules);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $dir = tempdir('pbxdial-storage-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my $sr = "$dir/srv";

sub auth_location {
    my ($path, @extra) = @_;
    return "<Location $path>\n SetHandler pbxdial-login\n AuthType Basic\n AuthName CRM\n"
         . " AuthUserFile $top/t/conf/htpasswd\n Require valid-user\n PbxDialDomain example.com\n"
         . join('', map {" $_\n"} @extra) . "</Location>\n";
}

# name => [what the <Directory> of its DocumentRoot holds, .htaccess, more config]
my %vhost = (
    skip    => ["Options None\n Require all granted"],
    denied  => ["Options None\n Require all denied"],
    walkall => ["Options None\n Require all granted",
                undef, "<Directory $dir/nowhere>\n Header set X-Walk 1\n</Directory>\n"],
    walkdenied => ["Options None\n Require all denied",
                   undef, "<Directory $dir/nowhere>\n Header set X-Walk 1\n</Directory>\n"],
    htaccess => ["Options None\n Require all granted\n AllowOverride All", "PbxDialDomain other.com\n"],
    htdeny   => ["Options None\n Require all granted\n AllowOverride AuthConfig", "Require all denied\n"],
    dirpbx   => ["Options None\n Require all granted\n PbxDialDomain other.com"],
    # SetHandler in <Directory>/<Files> (Debian's php-fpm has one): the
    # <Location>'s own replaces it, walk or not, so it does not force the walk
    dirset   => ["Options None\n Require all granted\n <Files \"*\">\n  SetHandler default-handler\n </Files>",
                 undef, "<Directory $dir/docs-dirset/real>\n SetHandler pbxdial-call\n</Directory>\n"
                        . "<FilesMatch \".+\\.ph(?:ar|p|tml)\$\">\n SetHandler \"proxy:unix:$dir/fpm.sock|fcgi://localhost\"\n"
                        . "</FilesMatch>\n<Files pbxlogin>\n SetHandler pbxdial-script\n</Files>\n"],
    # and where the walk runs for another reason, the same outcome
    dirsetwalk => ["Options None\n Require all granted\n <Files \"*\">\n  SetHandler default-handler\n </Files>",
                   undef, "<Directory $dir/docs-dirsetwalk/real>\n SetHandler pbxdial-call\n Header set X-Walk 1\n</Directory>\n"
                          . "<Files pbxlogin>\n SetHandler pbxdial-script\n</Files>\n"],
    merging  => ["Options None\n Require all denied", undef, '', 'AuthMerging And'],
);
my %port = map { $_ => free_port() } sort keys %vhost;

my $conf = httpd_root($sr, $port{skip}, loglevel => 'info pbxdial:debug')
    . join('', suite_modules())
    . "LoadModule pbxdial_module $top/mod_pbxdial.so\n"
    . "PbxDialServer $ENV{PBXDIAL_SIM_URL}\nPbxDialAdmin admin adminpw\nPbxDialSessionLifetime Off\n"
    . "DocumentRoot $dir\nAccessFileName .htaccess\n"
    . "<Directory />\n Options None\n AllowOverride None\n Require all denied\n</Directory>\n";
for my $name (sort keys %vhost) {
    my ($dirconf, $htaccess, $more, $merging) = @{ $vhost{$name} };
    my $docs = "$dir/docs-$name";
    mkdir $docs;
    mkdir "$docs/real";
    symlink "$docs/real", "$docs/link" or die "symlink: $!";
    if (defined $htaccess) {
        open my $fh, '>', "$docs/.htaccess" or die $!;
        print {$fh} $htaccess;
        close $fh;
    }
    $conf .= "Listen 127.0.0.1:$port{$name}\n" unless $name eq 'skip';
    $conf .= "<VirtualHost 127.0.0.1:$port{$name}>\nServerName $name.test\nDocumentRoot $docs\n"
        . "<Directory $docs>\n $dirconf\n</Directory>\n" . ($more // '')
        . auth_location('/rest/pbxlogin', $merging ? $merging : ())
        . auth_location('/link/pbxlogin', $merging ? $merging : ())
        . "<Location /open/pbxlogin>\n SetHandler pbxdial-login\n PbxDialDomain example.com\n</Location>\n"
        . "<Location /js/callback.js>\n SetHandler pbxdial-script\n</Location>\n"
        . "<Location /link/callback.js>\n SetHandler pbxdial-script\n</Location>\n"
        . "</VirtualHost>\n";
}
system 'chmod', '-R', 'a+rX', $dir;
mkdir $sr;
open my $fh, '>', "$sr/httpd.conf" or die $!;
print {$fh} $conf;
close $fh;

# path tricks, each asked with and without credentials
my @tricks = ('/rest/pbxlogin', '/rest/pbxlogin/', '/rest/pbxlogin/foo', '//rest/pbxlogin', '/rest//pbxlogin',
              '/rest/pbxlogin/../x', '/rest/pbxlogin/..', '/rest/%2e%2e/rest/pbxlogin', '/rest/pbxlogin%2fx',
              '/rest/pbxlogin/%2e%2e/pbxlogin', '/rest/pbxloginx', '/REST/pbxlogin',
              '/rest/pbxlogin.htm', '/rest/./pbxlogin', '/link/../rest/pbxlogin', '/rest/pbxlogin/.htaccess',
              '/rest/pbxlogin/x.php', '/rest/pbxlogin.php');
# name => [url, status with alice's credentials, status without]
my %expect = (
    skip     => [['/link/pbxlogin', 200, 401], ['/js/callback.js', 200, 200], ['/link/callback.js', 403, 403],
                 ['/rest/pbxlogin', 200, 401], ['/open/pbxlogin', 403, 403]],
    walkall  => [['/link/pbxlogin', 403, 403], ['/rest/pbxlogin', 200, 401]],
    denied   => [['/link/pbxlogin', 200, 401], ['/rest/pbxlogin', 200, 401], ['/open/pbxlogin', 403, 403],
                 ['/js/callback.js', 403, 403]],
    htaccess => [['/link/pbxlogin', 500, 500], ['/rest/pbxlogin', 500, 500]],
    htdeny   => [['/link/pbxlogin', 403, 403], ['/rest/pbxlogin', 200, 401], ['/open/pbxlogin', 403, 403]],
    dirpbx   => [['/link/pbxlogin', 403, 403], ['/rest/pbxlogin', 200, 401]],
    dirset   => [['/link/pbxlogin', 200, 401], ['/rest/pbxlogin', 200, 401], ['/link/real/x.php', 403, 403]],
    dirsetwalk => [['/link/pbxlogin', 403, 403], ['/rest/pbxlogin', 200, 401]],
    merging  => [['/link/pbxlogin', 403, 403], ['/rest/pbxlogin', 403, 403]],
);
my $n = 0;
$n += 2 * @{ $expect{$_} } for keys %expect;
plan tests => $n + 6 * @tricks + 2 + 7;

my $sim = sim();
$sim->clear_faults;
httpd_start($sr, $port{skip});
wait_all();
my $http = HTTP::Tiny->new(timeout => 10);
my %alice = (Authorization => 'Basic ' . encode_base64('40:s3cret', ''), @DIRECT);
my $status = sub {
    my ($name, $url, $auth, $method) = @_;
    my $r = $http->request($method // 'GET', "http://127.0.0.1:$port{$name}$url",
                           {headers => $auth ? \%alice : {@DIRECT}});
    return $r->{status};
};

for my $name (sort keys %expect) {
    for my $e (@{ $expect{$name} }) {
        my ($url, $with, $without) = @$e;
        ok t_cmp($status->($name, $url, 1), $with, "$name $url with credentials");
        ok t_cmp($status->($name, $url, 0), $without, "$name $url without credentials");
    }
}

# the same answer as where the walk runs, for every trick, either way
for my $url (@tricks) {
    for my $auth (1, 0) {
        my $before = $status->('walkall', $url, $auth);
        ok t_cmp($status->('skip', $url, $auth), $before, "$url (credentials: $auth): as with the walk");
        ok t_cmp($status->('denied', $url, $auth), $status->('walkdenied', $url, $auth),
                 "$url (credentials: $auth) under <Directory> Require all denied: as with the walk");
        ok t_cmp($status->('dirset', $url, $auth), $status->('dirsetwalk', $url, $auth),
                 "$url (credentials: $auth) with SetHandler in <Directory> and <Files>: as with the walk");
    }
}
# core answers TRACE in map_to_storage: left to it
ok t_cmp($status->('skip', '/rest/pbxlogin', 0, 'TRACE'), $status->('walkall', '/rest/pbxlogin', 0, 'TRACE'),
         'TRACE: as with the walk');
ok t_cmp($status->('skip', '/rest/pbxlogin', 1, 'POST'), $status->('walkall', '/rest/pbxlogin', 1, 'POST'),
         'POST: as with the walk');

my $log = do { local (@ARGV, $/) = "$sr/logs/error_log"; <> };
ok t_cmp($log, qr/PBXDIAL1060: skip\.test .*<Location \/rest\/pbxlogin> \(pbxdial-login\).*skip the file-system walk/,
         'start-up: skip.test skips for its handler locations');
ok t_cmp($log, qr/PBXDIAL1060: denied\.test /, 'start-up: so does denied.test');
ok t_cmp($log, qr/PBXDIAL1060: dirset\.test /, 'start-up: and dirset.test (SetHandler in <Directory> and <Files>)');
ok t_cmp($log, qr/PBXDIAL1061: htaccess\.test .*the file-system walk runs .*AllowOverride in <Directory/,
         'start-up: htaccess.test walks because of AllowOverride');
ok t_cmp($log, qr/PBXDIAL1061: dirpbx\.test .*PbxDialDomain other\.com on line \d+ of \S+ is inside <Directory/,
         'start-up: dirpbx.test walks because of PbxDialDomain in <Directory>');
ok t_cmp($log, qr/PBXDIAL1061: merging\.test .*AuthMerging And/, 'start-up: merging.test walks because of AuthMerging');
ok t_cmp($log, qr/PBXDIAL1061: walkall\.test .*Header set X-Walk 1/, 'start-up: walkall.test walks because of Header');
httpd_stop($sr);

sub wait_all {
    PbxDial::Test::wait_port($port{$_}) or die "port of $_ not listening\n" for sort keys %port;
}
