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

    /** The app registers an org.crac resource that closes its server at a checkpoint and opens it after a restore. */
    final boolean stopsAtCheckpoint;

    private NotesProject(Path dir, int port, boolean stopsAtCheckpoint) {
        this.dir = dir;
        this.appRoot = dir.resolve("target/classes");
        this.fixture = dir.resolve("fixture.txt");
        this.port = port;
        this.stopsAtCheckpoint = stopsAtCheckpoint;
    }

    static NotesProject create(Path dir) throws IOException {
        return create(dir, false);
    }

    /** With {@code stopsAtCheckpoint}, the app is CRaC-aware as a Spring Boot app with org.crac is. */
    static NotesProject create(Path dir, boolean stopsAtCheckpoint) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NotesProject p = new NotesProject(dir, port, stopsAtCheckpoint);
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
                    static HttpServer server;
                    static int port;
                    public static void main(String[] args) throws Exception {
                        notes.addAll(Files.readAllLines(Path.of(args[1])));
                        port = Integer.parseInt(args[0]);
                        serve();
                        %s
                    }
                    static void serve() throws java.io.IOException {
                        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
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
                        server = s;
                    }
                    %s
                }
                """.formatted(stopsAtCheckpoint ? "org.crac.Core.getGlobalContext().register(STOP_AT_CHECKPOINT);" : "",
                version, stopsAtCheckpoint ? """
                    static final org.crac.Resource STOP_AT_CHECKPOINT = new org.crac.Resource() {
                        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> c) {
                            server.stop(0);
                        }
                        public void afterRestore(org.crac.Context<? extends org.crac.Resource> c) throws Exception {
                            serve();
                        }
                    };""" : ""));
        compile(src);
    }

    private void compile(Path src) throws IOException {
        TestProject.compile(src, appRoot, stopsAtCheckpoint ? List.of(cracJar()) : List.of());
    }

    /** org.crac's jar, the app's one framework dependency when it is CRaC-aware. */
    static Path cracJar() {
        try {
            return Path.of(org.crac.Core.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds {@code app.ExtraFixture}, a fixture hook (Runnable) that adds one note. */
    void addFixtureHook() throws IOException {
        Path src = dir.resolve("src");
        TestProject.write(src.resolve("app/ExtraFixture.java"),
                "package app; public class ExtraFixture implements Runnable { public void run() { NotesApp.notes.add(\"from-hook\"); } }");
        compile(src);
    }

    String url() {
        return "http://127.0.0.1:" + port + "/notes";
    }

    /** The start options for this app (before the engine's). */
    List<String> startArgs(Path images) {
        List<String> args = new java.util.ArrayList<>(List.of("--app", appRoot.toString(), "--fixture", fixture.toString(),
                "--ready-url", url(), "--images", images.toString()));
        if (stopsAtCheckpoint) {
            args.addAll(List.of("-cp", cracJar().toString()));
        }
        return args;
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
