# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The directives the module has, the reference config (conf/pbxdial.conf) and
# docs/directives.md agree: every directive of the command table in mod_pbxdial.c is
# in conf/pbxdial.conf (commented, with its default and an example) and has
# a "### `Name" heading in docs/directives.md with an example of it, and no
# document (README.md, docs/*.md, the configs) names a directive the module
# does not have. conf/pbxdial.conf loads as it is (`apache2 -t`), and
# so does every example in it once uncommented.
use strict;
use warnings FATAL => 'all';

use Apache::Test qw(plan ok);
use Apache::TestUtil qw(t_cmp);
use File::Temp qw(tempdir);
use File::Copy qw(copy);
use IO::Socket::INET;
use Time::HiRes qw(sleep);

my $top = $ENV{PBXDIAL_TOP} or die "run through t/TEST\n";
my $httpd = Apache::Test::vars('httpd') or die "no httpd";
my $so = "$top/mod_pbxdial.so";
my $moddir = `apxs -q LIBEXECDIR`; chomp $moddir;
$moddir ||= '/usr/lib/apache2/modules';

sub slurp { my $f = shift; open my $fh, '<', $f or die "$f: $!"; local $/; scalar <$fh> }
sub spurt { my ($f, $text, $mode) = @_; open my $fh, '>', $f or die "$f: $!"; print {$fh} $text; close $fh; chmod $mode // 0644, $f }

# --- the module's command table
my $source = slurp("$top/mod_pbxdial.c");
my ($table) = $source =~ /command_rec\s+pbxdial_cmds\[\]\s*=\s*\{(.*?)\{\s*NULL\s*\}/s;
die "no command table (command_rec pbxdial_cmds[]) in mod_pbxdial.c\n" unless $table;
my @directives = $table =~ /AP_INIT_\w+\(\s*"(\w+)"/g;
my %directive = map { $_ => 1 } @directives;

# --- conf/pbxdial.conf: an example line "#Name args" per directive, after a
# comment block that gives the default
my $conf_file = "$top/conf/pbxdial.conf";
my $conf = slurp($conf_file);
my (%in_conf, %has_default, %prev_block);
{
    my @block;
    for my $line (split /\n/, $conf) {
        if ($line =~ /^#(PbxDial\w+)\b/) {
            $in_conf{$1} //= 1;
            $has_default{$1} ||= scalar grep { /^#\s*Default\b/i } @block;
            next;
        }
        @block = () if $line !~ /^#/;
        push @block, $line if $line =~ /^#\s/;
    }
}

# --- docs/directives.md: "### `Name" headings (a heading may document two, as
# "### `PbxDialAllow …` and `PbxDialDeny …`"), and the ```apache examples in
# the section under each heading
my $reference = slurp("$top/docs/directives.md");
my (%in_readme, %example);
for my $section (split /^(?=###\s)/m, $reference) {
    my ($h) = $section =~ /\A(###\s.*)$/m or next;
    my @names = $h =~ /`(PbxDial\w+)/g;
    $in_readme{$_} = 1 for @names;
    my $code = join "\n", $section =~ /^```apache\n(.*?)^```/msg;
    $example{$_} = 1 for grep { $code =~ /^\s*\Q$_\E\s/m } @names;
}

# --- every document that names directives
my @docs = grep { -e } ("$top/README.md", $conf_file, glob("$top/docs/*.md"), glob("$top/conf/cookbook/*.conf"),
                        "$top/conf/demo-site.conf.in");
my %named;    # name => [files]
for my $f (@docs) {
    my $text = slurp($f);
    (my $short = $f) =~ s{^\Q$top\E/}{};
    push @{ $named{$_} }, $short for keys %{ { map { $_ => 1 } $text =~ /\b(PbxDial[A-Z]\w*)/g } };
}

plan tests => 2 + 4 * @directives + 4 + 3;

ok t_cmp(scalar @directives, qr/^[1-9]\d+$/, 'the command table of mod_pbxdial.c lists directives');
my %seen;
ok t_cmp(join(' ', grep { $seen{$_}++ } @directives), '', 'no directive is in the table twice');

for my $d (@directives) {
    ok t_cmp($in_conf{$d} ? 'example' : 'missing', 'example', "$d: a commented example line \"#$d ...\" in conf/pbxdial.conf");
    ok t_cmp($has_default{$d} ? 'default' : 'missing', 'default', "$d: conf/pbxdial.conf says its default");
    ok t_cmp($in_readme{$d} ? 'heading' : 'missing', 'heading', "$d: a ### `$d` heading in docs/directives.md");
    ok t_cmp($example{$d} ? 'example' : 'missing', 'example', "$d: an ```apache example of it under its heading in docs/directives.md");
}

# vice versa
ok t_cmp(join(' ', sort grep { !$directive{$_} } keys %in_conf), '', 'conf/pbxdial.conf shows no directive the module does not have');
ok t_cmp(join(' ', sort grep { !$directive{$_} } keys %in_readme), '', 'docs/directives.md documents no directive the module does not have');
ok t_cmp(join('; ', map { "$_ in @{ $named{$_} }" } sort grep { !$directive{$_} } keys %named), '',
         'no document names a directive that does not exist');

# no secrets: the admin password only as file:
my @admin = $conf =~ /^#?PbxDialAdmin\s+\S+\s+(\S+)/mg;
ok t_cmp(join(' ', grep { !m{^file:/} } @admin), '', 'conf/pbxdial.conf has no PBX password, only file:/path');

# --- apache2 -t: as it is, and with every example uncommented
my $dir = tempdir('pbxdial-directives-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my @load = grep { /^LoadModule (mpm_event|authz_core|authz_host|authn_core|authn_file)_module/ }
    do { open my $fh, '<', "$top/t/conf/modules.conf" or die $!; <$fh> };

sub check_config {
    my ($body, @extra_modules) = @_;
    my $head = join '', "ServerRoot $dir\n", "ServerName localhost\n", "Listen 127.0.0.1:1\n",
        "PidFile $dir/pid\n", "ErrorLog $dir/error_log\n", "DefaultRuntimeDir $dir\n", @load,
        (map { "LoadModule ${_}_module $moddir/mod_$_.so\n" } @extra_modules),
        "LoadModule pbxdial_module $so\n";
    spurt("$dir/httpd.conf", $head . $body);
    my $out = `'$httpd' -t -d '$dir' -f '$dir/httpd.conf' 2>&1`;
    return ($? >> 8, $out);
}

# pbxdial.load's "# Depends: socache_shmcb" loads the default cache provider
my ($rc, $out) = check_config("Include $conf_file\n", 'socache_shmcb');
ok t_cmp("$rc $out", qr/^0 .*Syntax OK/s, 'Include conf/pbxdial.conf after LoadModule: apache2 -t passes');

# and a server starts with it, given mod_socache_shmcb (pbxdial.load's Depends)
{
    my $port = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1:0')->sockport;
    (my $conf = slurp("$dir/httpd.conf")) =~ s/^Listen .*$/Listen 127.0.0.1:$port/m;
    $conf =~ s/^(LoadModule pbxdial_module)/LoadModule socache_shmcb_module $moddir\/mod_socache_shmcb.so\n$1/m;
    spurt("$dir/httpd.conf", ($> == 0 ? "User nobody\nGroup nogroup\n" : '') . $conf);
    unlink "$dir/error_log";
    my $start = `'$httpd' -d '$dir' -f '$dir/httpd.conf' -k start 2>&1`;
    my $up = 0;
    if (!$?) { for (1 .. 100) { last if $up = !!IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port"); sleep 0.05 } }
    ok t_cmp($up ? 'started' : "did not start: $start" . (-e "$dir/error_log" ? slurp("$dir/error_log") : ''), 'started',
             'httpd starts with conf/pbxdial.conf as it is (and mod_socache_shmcb)');
    `'$httpd' -d '$dir' -f '$dir/httpd.conf' -k stop 2>&1`;
    for (1 .. 100) { last unless -e "$dir/pid"; sleep 0.05 }
}

# The examples use /etc paths: each becomes a file here with what it must hold.
my %files = (
    'pbx-admin.secret'       => ["adminpw\n", 0600],
    'pbx-users'              => ["alice 40\n", 0644],
    'pbx-link-passwords'     => ["40:link-secret\n", 0600],
    'pbx-ca.pem'             => [undef, 0644],
    'pbxdial.key'            => [('k' x 48) . "\n", 0600],
);
my @unknown;
my $uncommented = join '', map {
    my $l = $_;
    if ($l =~ s/^#(?=PbxDial|<|\s{4})//) {
        $l =~ s{(/etc/\S+)}{
            my ($base) = $1 =~ m{([^/]+)$};
            if (my $spec = $files{$base}) {
                if (defined $spec->[0]) { spurt("$dir/$base", $spec->[0], $spec->[1]) }
                else { copy($ENV{PBXDIAL_SIM_CA} // '/etc/ssl/certs/ca-certificates.crt', "$dir/$base") or die $! }
                "$dir/$base";
            }
            else { push @unknown, $1; $1 }
        }ge;
    }
    "$l\n";
} split /\n/, $conf;
spurt("$dir/pbxdial-all.conf", $uncommented);
($rc, $out) = check_config("Include $dir/pbxdial-all.conf\n", qw(socache_shmcb socache_memcache));
ok t_cmp(join(' ', @unknown) . ($rc ? " apache2 -t: $out" : ''), '',
         'every example of conf/pbxdial.conf, uncommented, passes apache2 -t');
