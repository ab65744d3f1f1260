#!/usr/bin/env perl
# The control-socket client for what scripts repeat in loops (`reset`, `reset --wait`, `restart`), which
# scripts/crac-dev runs instead of the JVM client: a JVM start is ~0.2 s of every scripted reset, this ~0.03 s
# (both measured on the example). It finds the same socket, sends the same request and prints the reply, error
# line and exit code exactly as the JVM client does (dev.cracdev.control.ControlAddress and ControlClient,
# cli.ControlCommands). Where it could differ it sends nothing and hands the command to the JVM client.
use strict;
# No module but strict on this path: each one is milliseconds of every call (warnings.pm ~3 ms, Socket ~8 ms here), so
# warnings are switched on the old way, and the socket calls are Perl's builtins with Linux's constants
BEGIN { $^W = 1 }
sub AF_UNIX () { 1 }     # Linux's; constant.pm would be a module
sub SOCK_STREAM () { 1 } # (MIPS has 2: the connect fails, and the JVM client answers)

my %requests = ("reset" => 'reset nowait', "reset\0--wait" => 'reset', "restart" => 'restart');
my $request = $requests{join "\0", @ARGV} // jvm_client();
jvm_client() if -e 'crac-dev.properties'             # it may name another socket
    || grep({ exists $ENV{$_} } qw(JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS)) # the JVM would say so on stderr
    || length(pack 'j', 0) != 8;                     # the hash needs 64-bit integers

my $socket = socket_path();
jvm_client() if $socket =~ /[^\x20-\x7e]/ || length $socket > 107 || !-S $socket;
socket(my $channel, AF_UNIX, SOCK_STREAM, 0) or jvm_client();
connect($channel, pack('S Z108', AF_UNIX, $socket)) or jvm_client(); # struct sockaddr_un
binmode $_, ':raw' for $channel, \*STDOUT, \*STDERR;
$SIG{PIPE} = 'IGNORE'; # a write to a closed socket is an error to report; to a closed stdout, nothing (as in Java)
defined syswrite($channel, "$request\n") or fail("talking to the supervisor at $socket failed: $!");
$! = 0; # at the end of the stream readline leaves it alone: a value now is a failed read
my $line = readline $channel;
fail("talking to the supervisor at $socket failed: " . ($! || "the supervisor closed the connection without a reply "
    . "(is it stopping? see 'crac-dev status')")) unless defined $line;
close $channel;
$line =~ s/\r?\n\z//;
my ($word, $text) = $line =~ /\A([^ ]*) ?(.*)\z/s;
fail($text) unless $word eq 'ok';
print printable($text, 'separators too'), "\n";
exit 0;

# The launcher again, told to use the JVM client: same process, so a signal to it still reaches the client.
sub jvm_client {
    (my $launcher = $0) =~ s{/lib/[^/]+\z}{/crac-dev};
    $ENV{CRACDEV_JVM_CLIENT} = 1;
    exec $launcher, @ARGV or die "[crac-dev] [ERROR] cannot run $launcher: $!\n";
}

sub fail {
    print STDERR printable("[crac-dev] [ERROR] $_[0]"), "\n";
    exit 1;
}

# As ControlAddress: $CRACDEV_SOCKET, else <$XDG_RUNTIME_DIR or /tmp>/crac-dev-<user>/<FNV-1a of the working
# directory, as the JVM sees it: physical>/control.sock. Names that are not plain ASCII go to the JVM client,
# which reads them through the locale's encoding.
sub socket_path {
    my $explicit = $ENV{CRACDEV_SOCKET} // '';
    return absolute($explicit) if $explicit =~ /\S/;
    my $runtime = $ENV{XDG_RUNTIME_DIR} // '';
    my $base = $runtime =~ /\S/ && -d $runtime ? absolute($runtime) : '/tmp';
    my $user = getpwuid($<) // '?';
    my $project = cwd();
    jvm_client() if "$user$project" =~ /[^\x20-\x7e]/;
    $user =~ s/[^A-Za-z0-9_.-]/_/g;
    return ($base eq '/' ? '' : $base) . "/crac-dev-$user/" . fnv1a64($project) . '/control.sock';
}

# The physical working directory, as the JVM's user.dir (Linux: the kernel's own answer, no module to load)
sub cwd {
    my $dir = readlink '/proc/self/cwd';
    jvm_client() if !defined $dir || $dir !~ m{\A/} || $dir =~ / \(deleted\)\z/;
    return $dir;
}

sub absolute {
    my ($path) = @_;
    $path = cwd() . "/$path" unless $path =~ m{\A/};
    $path =~ s{/+}{/}g;
    $path =~ s{(?<=.)/\z}{};
    return $path;
}

sub fnv1a64 {
    use integer; # 64-bit words that wrap around, as Java's long
    my $h = -3750763034362895579; # 0xcbf29ce484222325
    $h = ($h ^ $_) * 1099511628211 for unpack 'C*', $_[0]; # 0x100000001b3
    return sprintf '%016x', $h;
}

# As the JVM prints a line: the reply's UTF-8 in the locale's encoding, '?' for what it cannot show; on stdout
# crac-dev's separators become ASCII first if the line cannot be shown whole (Console.printable).
sub printable {
    my ($bytes, $separators) = @_;
    return $bytes if $bytes !~ /[^\x00-\x7f]/;
    require POSIX;
    require I18N::Langinfo;
    require Encode;
    # the JVM takes the encoding from setlocale(LC_ALL, ""), and stays in C (ASCII) when that fails
    my $codeset = POSIX::setlocale(POSIX::LC_ALL(), '') ? I18N::Langinfo::langinfo(I18N::Langinfo::CODESET()) : 'ascii';
    my $encoding = Encode::find_encoding($codeset) // Encode::find_encoding('ascii');
    my $text = Encode::decode('UTF-8', $bytes);
    if ($separators && !eval { $encoding->encode($text, Encode::FB_CROAK() | Encode::LEAVE_SRC()); 1 }) {
        my %ascii = ("\x{b7}" => '-', "\x{2192}" => '->', "\x{2026}" => '...', "\x{2013}" => '-', "\x{2014}" => '-',
            "\x{d7}" => 'x', "\x{b5}" => 'u');
        $text =~ s/([\x{b7}\x{2192}\x{2026}\x{2013}\x{2014}\x{d7}\x{b5}])/$ascii{$1}/g;
    }
    return $encoding->encode($text, sub { '?' });
}
