package dev.cracdev.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The read set as the supervisor uses it: written by a template, read back, checked against the app roots. */
class ReadSetTest {
    @TempDir
    Path tmp;

    @Test
    void aReadSetReadBackFromItsFileSeesChangesInEveryAppRoot() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("target/classes"));
        Path sibling = Files.createDirectories(tmp.resolve("lib/target/classes"));
        List<Path> roots = List.of(classes, sibling);
        Files.writeString(sibling.resolve("app.conf"), "a=1");
        ReadSet written = ReadSet.empty();
        written.record("app.conf", roots);        // in the second root only
        written.record("logback.xml", roots);     // nowhere
        written.record("../outside.txt", roots);  // no class path lookup leaves its root
        written.record("app.conf", roots);        // recorded once, as first seen
        Path file = tmp.resolve("readset");
        written.write(file);

        ReadSet read = ReadSet.read(file);
        assertEquals(3, read.size());
        assertEquals(List.of(), read.changed(roots));
        Files.writeString(tmp.resolve("outside.txt"), "x");
        assertEquals(List.of(), read.changed(roots), "a file outside the roots is not the class path's business");
        Files.writeString(classes.resolve("app.conf"), "a=1"); // now shadows the sibling's copy
        Files.writeString(classes.resolve("logback.xml"), "<configuration/>");
        assertEquals(List.of("app.conf", "logback.xml"), read.changed(roots));
        assertEquals("app.conf and 1 more changed", ReadSet.describe(read.changed(roots)));
    }

    @Test
    void namesInPackageDirectoriesChangeWhenTheirDirectoryOrFileComesOrGoes() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<Path> roots = List.of(classes);
        Files.createDirectories(classes.resolve("demo/web"));
        Files.writeString(classes.resolve("demo/web/messages.properties"), "hi=Hi");
        ReadSet read = ReadSet.empty();
        for (String name : List.of("org/example/Missing.class", "org/example/deeper/Other.class", "META-INF/spring.factories",
                "demo/web/messages.properties", "demo/web/", "demo/absent.txt")) {
            read.record(name, roots);
        }
        assertEquals(List.of(), read.changed(roots));
        Files.createDirectories(classes.resolve("org/example")); // a directory alone changes nothing looked up
        assertEquals(List.of(), read.changed(roots));
        Files.writeString(classes.resolve("org/example/Missing.class"), "x");
        Files.createDirectories(classes.resolve("META-INF"));
        Files.writeString(classes.resolve("META-INF/spring.factories"), "a=b");
        assertEquals(List.of("org/example/Missing.class", "META-INF/spring.factories"), read.changed(roots));
        Files.delete(classes.resolve("org/example/Missing.class"));
        Files.delete(classes.resolve("META-INF/spring.factories"));
        Files.delete(classes.resolve("demo/web/messages.properties"));
        Files.delete(classes.resolve("demo/web"));
        assertEquals(List.of("demo/web/messages.properties", "demo/web/"), read.changed(roots));
    }

    /** Names no class loader would make plain are looked up as a resolved Path, as before: same state either way. */
    @Test
    void oddNamesHaveTheStateAPathResolvedInTheRootGives() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Files.createDirectories(classes.resolve("demo"));
        Files.writeString(classes.resolve("demo/a.txt"), "a");
        Files.writeString(tmp.resolve("outside.txt"), "o");
        Files.createSymbolicLink(classes.resolve("link"), classes.resolve("demo"));
        List<Path> roots = List.of(classes);
        ReadSet read = ReadSet.empty();
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        for (String name : List.of("", "demo", "demo/", "demo//a.txt", "./demo/a.txt", "demo/./a.txt", "demo/../demo/a.txt",
                "../outside.txt", "/demo/a.txt", "link/a.txt", "link/", "demo/a.txt/", "demo/a.txt/x", "none/x")) {
            read.record(name, roots);
            Path file = classes.resolve(name).normalize();
            expected.put(name, !file.startsWith(classes) || !Files.exists(file) ? "-" : Files.isDirectory(file) ? "dir" : "hash");
        }
        for (var e : expected.entrySet()) {
            String state = ReadSet.state(e.getKey(), roots);
            assertEquals(e.getValue(), state.length() == 32 ? "hash" : state, "the state of '" + e.getKey() + "'");
        }
        assertEquals(List.of(), read.changed(roots), "the check sees every name as it was recorded");
        org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.InvalidPathException.class,
                () -> ReadSet.state("a\u0000b", roots), "no path holds a NUL: as before, the lookup fails");
    }

    /**
     * A non-ASCII name takes the Path way too: where file names are not UTF-8 ({@code LC_ALL=C}) a {@link Path}
     * refuses it while a {@code java.io.File} would just say "absent". Each locale in a JVM of its own, since the
     * JVM reads it once at start.
     */
    @Test
    void aNonAsciiNameHasTheStateAPathGivesInEveryLocale() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<String> utf8 = probe(classes, "C.UTF-8", "create");
        assumeTrue(utf8.get(0).equals("jnu UTF-8"), "this machine has no C.UTF-8 locale: " + utf8);
        assertEquals(List.of("path hash", "state hash"), utf8.subList(1, 3));
        List<String> ascii = probe(classes, "C");
        assumeTrue(!ascii.get(0).equals("jnu UTF-8"), "this JDK reads file names as UTF-8 in every locale: " + ascii);
        assertEquals(ascii.get(1).replace("path ", "state "), ascii.get(2), "the Path way's answer, under LC_ALL=C: " + ascii);
    }

    /** The probe's own lines (a JVM may print others first, e.g. "Picked up JAVA_TOOL_OPTIONS"). */
    private static List<String> ours(String out) {
        return out.lines().filter(l -> l.startsWith("jnu ") || l.startsWith("path ") || l.startsWith("state ")).toList();
    }

    private static List<String> probe(Path root, String locale, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(java.io.File.pathSeparator, location(ReadSetLocaleProbe.class), location(ReadSet.class)),
                ReadSetLocaleProbe.class.getName(), root.toString()));
        cmd.addAll(List.of(more));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", locale);
        pb.environment().put("LANG", locale);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return ours(out);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void aMissingFileIsAnEmptyReadSet() throws Exception {
        assertEquals(0, ReadSet.read(tmp.resolve("none")).size());
    }
}
