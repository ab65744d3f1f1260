package dev.cracdev.control;

import dev.cracdev.PrivateDirectories;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The supervisor's control socket (see {@link Protocol}). One thread accepts; each connection gets a
 * thread, because {@code wait} and {@code reset} block until a generation is ready while {@code status}
 * must still answer. Requests that change the app (restart, reset, stop) are serialised by the
 * supervisor's event loop. A malformed or oversized request gets an {@code err} reply; nothing a
 * client sends can stop the server.
 */
public final class ControlServer implements AutoCloseable {
    /** What the supervisor does for each request. */
    public interface Handler {
        String statusJson();

        CompletableFuture<String> restart();

        CompletableFuture<String> reset();

        CompletableFuture<String> awaitReady();

        void stop();
    }

    private static final long MAX_WAIT_MS = TimeUnit.MINUTES.toMillis(10);

    private final Path socket;
    private final Handler handler;
    private final ServerSocketChannel server;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "crac-dev-control-client");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private ControlServer(Path socket, Handler handler, ServerSocketChannel server) {
        this.socket = socket;
        this.handler = handler;
        this.server = server;
    }

    /**
     * Listens on {@code socket}; refuses when another supervisor answers there, and replaces a stale
     * socket left by one that was killed.
     */
    public static ControlServer start(Path socket, Handler handler) throws IOException {
        ControlDirectories.prepareDirectories(socket);
        if (Files.exists(socket)) {
            try {
                new ControlClient(socket).send("status");
                throw new IOException("another crac-dev supervisor is already running for this project (socket "
                        + socket + "); stop it with 'crac-dev stop'");
            } catch (ControlClient.NotRunning stale) {
                Files.deleteIfExists(socket);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        if (PrivateDirectories.isPosix()) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        }
        ControlServer s = new ControlServer(socket, handler, server);
        Thread accept = new Thread(s::acceptLoop, "crac-dev-control");
        accept.setDaemon(true);
        accept.start();
        return s;
    }

    public Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                try {
                    connections.submit(() -> serve(client));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    client.close(); // shutting down
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(100); // e.g. out of file descriptors: do not spin
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            OutputStream out = Channels.newOutputStream(client);
            String request;
            try {
                request = readLine(Channels.newInputStream(client));
            } catch (IOException e) {
                reply(out, Protocol.ERR + " " + e.getMessage());
                return;
            }
            reply(out, answer(request));
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** One request → one reply line; never throws. */
    String answer(String request) {
        String[] words = request.strip().split("\\s+");
        try {
            return switch (words[0]) {
                case "status" -> Protocol.OK + " " + handler.statusJson();
                case "restart" -> Protocol.OK + " " + await(handler.restart(), MAX_WAIT_MS);
                case "reset" -> {
                    CompletableFuture<String> done = handler.reset();
                    yield words.length > 1 && words[1].equals("nowait") ? Protocol.OK + " reset requested"
                            : Protocol.OK + " " + await(done, MAX_WAIT_MS);
                }
                case "wait" -> Protocol.OK + " " + await(handler.awaitReady(), words.length > 1 ? parseMillis(words[1]) : MAX_WAIT_MS);
                case "stop" -> {
                    handler.stop();
                    yield Protocol.OK + " stopping";
                }
                default -> Protocol.ERR + " unknown request '" + truncate(words[0]) + "'; try: status, restart, reset, wait, stop";
            };
        } catch (IllegalArgumentException e) {
            return Protocol.ERR + " " + e.getMessage();
        } catch (TimeoutException e) {
            return Protocol.ERR + " no generation became ready in time; see the supervisor's output, or allow longer with --timeout";
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Protocol.ERR + " " + (cause.getMessage() == null ? cause.toString() : oneLine(cause.getMessage()));
        }
    }

    private static String await(CompletableFuture<String> f, long millis) throws Exception {
        return oneLine(f.get(millis, TimeUnit.MILLISECONDS));
    }

    private static long parseMillis(String s) {
        try {
            long ms = Long.parseLong(s);
            if (ms < 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wait takes a timeout in milliseconds, got '" + truncate(s) + "'");
        }
    }

    /** Reads one line of at most {@link Protocol#MAX_LINE} characters. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.length() >= Protocol.MAX_LINE) {
                // read the rest (bounded) so the client gets the reply instead of a connection reset
                for (long skipped = 0; skipped < (1 << 20) && (b = in.read()) >= 0 && b != '\n'; skipped++) {
                    // discard
                }
                throw new IOException("request longer than " + Protocol.MAX_LINE + " characters");
            }
            line.append((char) b);
        }
        if (line.toString().isBlank()) {
            throw new IOException("empty request; try: status, restart, reset, wait, stop");
        }
        return line.toString();
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((oneLine(line) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // a stale socket is replaced by the next supervisor
        }
    }
}
