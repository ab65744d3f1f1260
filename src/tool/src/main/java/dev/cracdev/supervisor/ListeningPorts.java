package dev.cracdev.supervisor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP ports a process listens on, from Linux's {@code /proc}: its socket descriptors
 * ({@code /proc/PID/fd -> socket:[INODE]}) matched with the listening sockets of its network namespace
 * ({@code /proc/PID/net/tcp}, {@code tcp6}: state {@code 0A}). Empty elsewhere and for a process that is gone.
 */
final class ListeningPorts {
    private static final String LISTEN = "0A";
    private static final String SYN_SENT = "02";

    private ListeningPorts() {
    }

    static OptionalInt first(long pid) {
        return listeners(List.of(pid)).stream().mapToInt(Listener::port).findFirst();
    }

    /**
     * The listening sockets {@code pids} hold now. Looking them up costs milliseconds (every descriptor of a JVM,
     * the socket tables); {@link Listener#listens()} on the result then costs microseconds.
     */
    static List<Listener> listeners(List<Long> pids) {
        List<Listener> all = new ArrayList<>();
        for (long pid : pids) {
            Path proc = Path.of("/proc", Long.toString(pid));
            Map<String, Integer> sockets = socketDescriptors(proc.resolve("fd"));
            if (!sockets.isEmpty()) {
                listeningRows(proc).filter(f -> sockets.containsKey(f[9]))
                        .forEach(f -> all.add(new Listener(pid, sockets.get(f[9]), f[9], port(f[1]))));
            }
        }
        return all;
    }

    /** A listening socket a process holds: its descriptor number, the socket's inode and its port. */
    record Listener(long pid, int fd, String inode, int port) {
        /**
         * Whether it still listens. While the process holds it as that descriptor, yes (one readlink). Once not, the
         * socket table has the last word: a JVM that closes a socket another thread blocks in accept() on first
         * swaps the descriptor for another socket, and the listening one lives until that accept() returns.
         */
        boolean listens() {
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                if (Files.readSymbolicLink(proc.resolve("fd").resolve(Integer.toString(fd))).toString()
                        .equals("socket:[" + inode + "]")) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // closed, or the process is gone: ask the table
            }
            return listeningRows(proc).anyMatch(f -> f[9].equals(inode));
        }
    }

    private static Stream<String[]> listeningRows(Path proc) {
        return rows(proc.resolve("net")).stream().filter(f -> f.length > 9 && f[3].equals(LISTEN));
    }

    /**
     * The TCP connections of this network namespace (not listening sockets), as "local remote" address pairs
     * in {@code /proc/net/tcp} form; those closed recently are in (TIME_WAIT). Empty where there is no /proc.
     */
    static Set<String> connections() {
        Set<String> all = new HashSet<>();
        for (String[] f : connectionRows()) {
            all.add(f[1] + " " + f[2]);
        }
        return all;
    }

    private static List<String[]> connectionRows() {
        return rows(Path.of("/proc/self/net")).stream().filter(f -> f.length > 3 && !f[3].equals(LISTEN)).toList();
    }

    /**
     * The socket rows of {@code tcp} then {@code tcp6} in a {@code /proc/.../net} directory, split into fields:
     * sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode. Missing tables (IPv6 off, not
     * Linux, a process that is gone) give no rows.
     */
    private static List<String[]> rows(Path net) {
        List<String[]> rows = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(net.resolve(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 2 && f[1].contains(":") && !f[0].equals("sl")) {
                        rows.add(f);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table
            }
        }
        return rows;
    }

    /**
     * Whether anyone but {@code probeSource} (an IPv4 address) connected to one of {@code ports} since
     * {@code before} was taken with {@link #connections()}: the app's side of such a connection, or, once the
     * app's side is gone (the client closed first), a local client's (its TIME_WAIT). A remote client that
     * closed first leaves no trace here. While the ports are {@code held}, a local client's attempt that is
     * being refused (its socket in SYN_SENT for a moment) is no visit; otherwise it is one about to get in.
     */
    static boolean connectedSince(Set<String> before, Set<Integer> ports, String probeSource, boolean held) {
        String[] ip = probeSource.split("\\.");
        // /proc prints an IPv4 address as one little-endian word, IPv4-mapped in tcp6 after 0000..FFFF0000
        String probe = "%02X%02X%02X%02X".formatted(Integer.parseInt(ip[3]), Integer.parseInt(ip[2]),
                Integer.parseInt(ip[1]), Integer.parseInt(ip[0]));
        for (String[] f : connectionRows()) {
            String local = f[1];
            String remote = f[2];
            boolean appSide = ports.contains(port(local)) && !isAddress(remote, probe);
            boolean clientSide = ports.contains(port(remote)) && !isAddress(local, probe)
                    && !(held && f[3].equals(SYN_SENT));
            if ((appSide || clientSide) && !before.contains(local + " " + remote)) {
                return true;
            }
        }
        return false;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    private static boolean isAddress(String address, String ipv4Hex) {
        String ip = address.substring(0, address.indexOf(':'));
        return ip.equals(ipv4Hex) || ip.equals("0000000000000000FFFF0000" + ipv4Hex);
    }

    /** The socket descriptors in a /proc/PID/fd directory, by the socket's inode. */
    private static Map<String, Integer> socketDescriptors(Path fdDir) {
        Map<String, Integer> sockets = new HashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.put(target.substring(8, target.length() - 1), Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return sockets;
    }
}
