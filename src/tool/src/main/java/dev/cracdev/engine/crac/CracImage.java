package dev.cracdev.engine.crac;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * When is a CRaC image finished, so that it may be renamed into place? What the source of openjdk/crac shows:
 * <ul>
 *   <li>Both C/R engines run {@code criu dump} from a helper that double-forks out of the JVM's process
 *       tree (legacy {@code lib/criuengine} executable: criuengine.c {@code checkpoint()}; library engine:
 *       libcriuengine/criuengine.cpp {@code criuengine::execute_criu}). CRIU kills the template before it
 *       logs "Dumping finished successfully", so the template's exit says nothing about the image.</li>
 *   <li>The legacy helper writes {@code cppath} <em>after</em> criu exited, holding {@code realpath()} of
 *       the image directory (criuengine.c {@code create_cppath}); renamed before that, the file is never
 *       written. Its {@code restore()} fails without it ("open cppath"); the path inside is used only to
 *       hand the image's {@code perfdata} file back to CRIU ({@code --inherit-fd}) at the path it had when
 *       dumped, so a renamed image restores as long as cppath was written before the rename.</li>
 * </ul>
 * So: the image is complete once no process names the image directory in its arguments any more
 * (the helper, its criu, or a fork of the JVM), and the markers are there: {@code cppath} for the legacy
 * engine, CRIU's success line otherwise (or, for engines without a CRIU log such as warp, image files).
 */
final class CracImage {
    private CracImage() {
    }

    /** Whether the JDK of {@code java} ships the legacy executable engine, which writes {@code cppath}. */
    static boolean legacyEngine(Path java) {
        Path home = java.toAbsolutePath().getParent();
        Path engine = home == null || home.getParent() == null ? null : home.getParent().resolve("lib/criuengine");
        return engine != null && Files.isRegularFile(engine) && Files.isExecutable(engine);
    }

    /** Whether some other process still has {@code dir} in its command line (it may still write into it). */
    static boolean writerAlive(Path dir) {
        String path = dir.toString();
        long self = ProcessHandle.current().pid();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != self)
                    .anyMatch(p -> p.info().arguments().map(args -> Stream.of(args).anyMatch(a -> a.contains(path))).orElse(false));
        }
    }

    /** Null when the files say the image is complete, else what is missing. */
    static String missing(Path dir, boolean legacyEngine) throws IOException {
        Path cppath = dir.resolve("cppath");
        if (Files.isRegularFile(cppath) && Files.size(cppath) > 0) {
            return null;
        }
        Path log = dir.resolve("dump4.log");
        if (Files.isRegularFile(log)) {
            if (!Files.readString(log, StandardCharsets.ISO_8859_1).contains("Dumping finished successfully")) {
                return "dump4.log does not say \"Dumping finished successfully\"";
            }
            return legacyEngine ? "the JDK's criuengine did not write cppath" : null;
        }
        // engines without a CRIU log (warp): a non-empty image counts once its writers are gone
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".img")) ? null : "no image files";
        }
    }
}
