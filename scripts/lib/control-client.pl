#!/usr/bin/env perl
# The control-socket client for the requests scripts repeat in loops (`reset`, `reset --wait`, `restart`),
# run by scripts/crac-dev instead of the JVM client: a JVM start is ~0.2 s of every scripted reset, Perl's
# ~0.03 s (both measured on the example). It finds the socket, sends the request and prints the reply exactly
# as the JVM client does (dev.cracdev.control.ControlAddress, ControlClient and cli.ControlCommands).
# Exit 100 means nothing was sent: the launcher then runs the JVM client, which handles every other case
# (and says why a supervisor cannot be reached).
use strict;
use warnings;
use Cwd ();
use IO::Socket::UNIX;

my %requests = ('reset' => 'reset nowait', 'reset --wait' => 'reset', 'restart' => 'restart');
my $request = $requests{join ' ', @ARGV};
# elsewhere the JVM's temporary directory is not /tmp; a properties file or JVM options may point elsewhere
exit 100 if !defined $request || $^O ne 'linux' || -e 'crac-dev.properties'
    || ($ENV{JAVA_TOOL_OPTIONS} // '') ne '' || ($ENV{JDK_JAVA_OPTIONS} // '') ne '';

my $socket = socket_path();
exit 100 unless -S $socket;
my $channel = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $socket) or exit 100;
print $channel "$request\n";
my $line = <$channel>;
close $channel;
fail("talking to the supervisor at $socket failed: the supervisor closed the connection without a reply "
    . "(is it stopping? see 'crac-dev status')") unless defined $line;
$line =~ s/\r?\n\z//;
my ($word, $text) = $line =~ /\A([^ ]*) ?(.*)\z/s;
fail($text) unless $word eq 'ok';
print printable($text, 1), "\n";
exit 0;

sub fail {
    print STDERR printable("[crac-dev] [ERROR] $_[0]", 0), "\n";
    exit 1;
}

# As ControlAddress: $CRACDEV_SOCKET, else <$XDG_RUNTIME_DIR or /tmp>/crac-dev-<user>/<FNV-1a of the project
# directory>/control.sock (the project directory is the working directory, as the JVM sees it: physical).
sub socket_path {
    my $explicit = $ENV{CRACDEV_SOCKET} // '';
    return absolute($explicit) if $explicit =~ /\S/;
    my $runtime = $ENV{XDG_RUNTIME_DIR} // '';
    my $base = $runtime =~ /\S/ && -d $runtime ? absolute($runtime) : '/tmp';
    (my $user = getpwuid($<) // '?') =~ s/[^A-Za-z0-9_.-]/_/g;
    return "$base/crac-dev-$user/" . fnv1a64(Cwd::getcwd()) . '/control.sock';
}

sub absolute {
    my ($path) = @_;
    $path = Cwd::getcwd() . "/$path" unless $path =~ m{\A/};
    $path =~ s{/+}{/}g;
    $path =~ s{(?<=.)/\z}{};
    return $path;
}

sub fnv1a64 {
    use integer; # 64-bit words that wrap around, as Java's long
    my $h = -3750763034362895579; # 0xcbf29ce484222325
    for my $byte (unpack 'C*', $_[0]) { # Cwd gives the path's bytes: UTF-8 on a UTF-8 system, as Java encodes it
        $h = ($h ^ $byte) * 1099511628211; # 0x100000001b3
    }
    return sprintf '%016x', $h;
}

# As the JVM prints: unchanged on a UTF-8 locale; elsewhere (C, POSIX) crac-dev's separators in ASCII on
# stdout (Console.printable) and '?' for whatever else ASCII cannot show.
sub printable {
    my ($text, $separators) = @_;
    my $locale = $ENV{LC_ALL} || $ENV{LC_CTYPE} || $ENV{LANG} || '';
    return $text if $locale =~ /utf-?8/i || $text !~ /[^\x00-\x7f]/;
    utf8::decode($text);
    if ($separators) {
        my %ascii = ("\x{b7}" => '-', "\x{2192}" => '->', "\x{2026}" => '...', "\x{2013}" => '-', "\x{2014}" => '-',
            "\x{d7}" => 'x', "\x{b5}" => 'u');
        $text =~ s/([\x{b7}\x{2192}\x{2026}\x{2013}\x{2014}\x{d7}\x{b5}])/$ascii{$1}/g;
    }
    $text =~ s/[^\x00-\x7f]/?/g;
    return $text;
}
