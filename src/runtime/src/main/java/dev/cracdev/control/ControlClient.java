package dev.cracdev.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Sends one request to a supervisor's control socket and returns its reply. JDK only (the JUnit extension uses it). */
public final class ControlClient {
    /** A reply: ok or not, and the text after the status word. */
    public record Reply(boolean ok, String text) {
    }

    /** The supervisor is not there (no socket, nobody listening, or no permission). */
    public static final class NotRunning extends IOException {
        public NotRunning(String message) {
            super(message);
        }
    }

    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public Reply send(String request) throws IOException {
        if (!Files.exists(socket)) {
            throw new NotRunning("no crac-dev supervisor is running for this project (no socket at " + socket
                    + "); start one with 'crac-dev start' in the project directory, or set " + ControlAddress.ENV);
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new NotRunning("cannot reach the crac-dev supervisor at " + socket + " (" + e.getMessage()
                    + "); is it running, and started by you?");
        }
        try (channel) {
            var out = Channels.newOutputStream(channel);
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the supervisor closed the connection without a reply (is it stopping? see 'crac-dev status')");
            }
            int space = line.indexOf(' ');
            String word = space < 0 ? line : line.substring(0, space);
            return new Reply(word.equals(Protocol.OK), space < 0 ? "" : line.substring(space + 1));
        }
    }
}
