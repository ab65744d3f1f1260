package dev.cracdev.engine.crac;

import dev.cracdev.engine.Host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is this JDK a CRaC JDK, which C/R engine does it use, and can it checkpoint and restore here?
 * A JDK is a CRaC JDK when {@code -XX:+PrintFlagsFinal} lists {@code CRaCCheckpointTo}. Real
 * checkpoint/restore exists only on Linux: on macOS and Windows CRaC JDKs default to {@code simengine},
 * which only simulates, so {@code auto} never picks {@code crac} there (shared/notes/crac.md §2.3, §5).
 */
public final class CracJdk {
    private static final Pattern FLAG = Pattern.compile("^\\s*(\\S+)\\s+(\\S+)\\s+:?=\\s*(.*?)\\s*\\{.*$");
    private static final Map<Path, Probe> CACHE = new ConcurrentHashMap<>();

    /** The result: whether {@code crac} is usable with this JDK, why (not), and the fix. */
    public record Probe(boolean cracJdk, String engine, boolean usable, String reason, String fix) {
    }

    /** The flags of a {@code -XX:+PrintFlagsFinal} listing, name → value. */
    public static Map<String, String> parseFlags(String printFlagsFinal) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String line : printFlagsFinal.split("\\R")) {
            Matcher m = FLAG.matcher(line);
            if (m.matches()) {
                flags.put(m.group(2), m.group(3));
            }
        }
        return flags;
    }

    private CracJdk() {
    }

    public static Probe probe(Path java) {
        return CACHE.computeIfAbsent(java.toAbsolutePath(), j -> probeNow(j, printFlagsFinal(j), osName(), Host.isRoot()));
    }

    /** Pure decision from the inputs, so each branch is unit-tested with captured flag listings. */
    static Probe probeNow(Path java, String printFlagsFinal, String os, boolean root) {
        String install = "install a CRaC JDK (Azul Zulu with CRaC, e.g. the zulu17 '-crac' build) and point --java or JAVA_HOME at it";
        if (printFlagsFinal == null) {
            return new Probe(false, null, false, "could not run " + java + " -XX:+PrintFlagsFinal", install);
        }
        Map<String, String> flags = parseFlags(printFlagsFinal);
        if (!flags.containsKey("CRaCCheckpointTo")) {
            return new Probe(false, null, false, java + " (" + versionLine(printFlagsFinal)
                    + ") is not a CRaC JDK: it does not know -XX:CRaCCheckpointTo", install);
        }
        String engine = flags.getOrDefault("CRaCEngine", flags.getOrDefault("CREngine", ""));
        engine = engine.isBlank() ? "criu" : engine.replaceFirst("engine$", "");
        if (!os.toLowerCase().contains("linux")) {
            return new Probe(true, engine, false, "CRaC JDKs only simulate checkpoint/restore on " + os
                    + " (simengine): no image to restore", "use --engine standby");
        }
        if (engine.equals("sim") || engine.equals("simengine") || engine.equals("pause") || engine.equals("pauseengine")) {
            return new Probe(true, engine, false, "the JDK's C/R engine is " + engine + ", which does not make images",
                    "use the JDK's default engine (criu) or warp");
        }
        if (engine.equals("criu")) {
            Path bundled = java.toAbsolutePath().getParent().getParent().resolve("lib/criu");
            if (!root && Files.exists(bundled) && !setuidRoot(bundled)) {
                return new Probe(true, engine, false, bundled + " is neither setuid root nor are we root: checkpoints fail "
                        + "with 'Operation not permitted'", "sudo chown root:root " + bundled + " && sudo chmod u+s " + bundled
                        + ", or run with -XX:CRaCEngine=warp via --jvm-opt");
            }
        }
        return new Probe(true, engine, true, "CRaC JDK " + versionLine(printFlagsFinal) + " with C/R engine " + engine, "");
    }

    private static String versionLine(String printFlagsFinal) {
        return printFlagsFinal.lines().filter(l -> l.contains("Runtime Environment")).findFirst()
                .map(l -> l.replace("OpenJDK Runtime Environment", "").strip().replaceFirst("^\\(build (.*)\\)$", "$1"))
                .orElse("unknown version");
    }

    private static boolean setuidRoot(Path file) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            int uid = (Integer) Files.getAttribute(file, "unix:uid");
            return uid == 0 && (mode & 04000) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String osName() {
        return System.getProperty("os.name");
    }

    private static String printFlagsFinal(Path java) {
        return Host.output(List.of(java.toString(), "-XX:+PrintFlagsFinal", "-version"), 30);
    }
}
