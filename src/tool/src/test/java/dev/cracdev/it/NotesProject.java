package dev.cracdev.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An HTTP app with an in-memory store filled from a fixture file at start, made for a test:
 * {@code GET /notes} answers {@code <version> notes=[...]}, {@code POST /notes} appends the body.
 */
final class NotesProject {
    final Path dir;
    final Path appRoot;
    final Path fixture;
    final int port;

    private NotesProject(Path dir, int port) {
        this.dir = dir;
        this.appRoot = dir.resolve("target/classes");
        this.fixture = dir.resolve("fixture.txt");
        this.port = port;
    }

    static NotesProject create(Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NotesProject p = new NotesProject(dir, port);
        Files.createDirectories(p.appRoot);
        Files.write(p.fixture, List.of("fixture-a", "fixture-b"));
        p.writeApp("v1");
        return p;
    }

    void writeApp(String version) throws IOException {
        Path src = dir.resolve("src");
        TestProject.write(src.resolve("app/NotesApp.java"), """
                package app;
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.*;
                import java.util.*;
                import java.util.concurrent.CopyOnWriteArrayList;
                public class NotesApp {
                    static final List<String> notes = new CopyOnWriteArrayList<>();
                    public static void main(String[] args) throws Exception {
                        notes.addAll(Files.readAllLines(Path.of(args[1])));
                        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
                        s.createContext("/notes", ex -> {
                            if (ex.getRequestMethod().equals("POST")) {
                                notes.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                            }
                            byte[] b = ("%s notes=" + notes).getBytes(StandardCharsets.UTF_8);
                            ex.sendResponseHeaders(200, b.length);
                            ex.getResponseBody().write(b);
                            ex.close();
                        });
                        s.start();
                    }
                }
                """.formatted(version));
        TestProject.compile(src, appRoot, List.of());
    }

    /** Adds {@code app.ExtraFixture}, a fixture hook (Runnable) that adds one note. */
    void addFixtureHook() throws IOException {
        Path src = dir.resolve("src");
        TestProject.write(src.resolve("app/ExtraFixture.java"),
                "package app; public class ExtraFixture implements Runnable { public void run() { NotesApp.notes.add(\"from-hook\"); } }");
        TestProject.compile(src, appRoot, List.of());
    }

    String url() {
        return "http://127.0.0.1:" + port + "/notes";
    }

    /** The start options for this app (before the engine's). */
    List<String> startArgs(Path images) {
        return List.of("--app", appRoot.toString(), "--fixture", fixture.toString(), "--ready-url", url(),
                "--images", images.toString());
    }

    List<String> mainAndArgs() {
        return List.of("app.NotesApp", Integer.toString(port), fixture.toString());
    }

    String get() throws IOException {
        return request("GET", null);
    }

    String post(String note) throws IOException {
        return request("POST", note);
    }

    /** One request on its own connection: a pooled one would not survive a reset (old connections come back closed). */
    private String request(String method, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url()).toURL().openConnection();
        c.setRequestMethod(method);
        c.setRequestProperty("Connection", "close");
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        if (body != null) {
            c.setDoOutput(true);
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
