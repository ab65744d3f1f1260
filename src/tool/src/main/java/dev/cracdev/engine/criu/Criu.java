package dev.cracdev.engine.criu;

import dev.cracdev.engine.Host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a CRIU that can checkpoint a stock JVM here, and says why not when there is none. Needs Linux,
 * root, CRIU 4.2 or newer (3.17 fails {@code criu check} on current kernels' vDSO; 4.1 cannot dump TCP
 * sockets on Linux 6.16+) whose {@code criu check} passes, and util-linux's {@code unshare}/{@code setsid}.
 */
public final class Criu {
    /** Where scripts/install-criu puts it. */
    public static final Path INSTALLED = Path.of("/usr/local/lib/crac-dev/criu");
    private static final Pattern VERSION = Pattern.compile("Version:\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** The result of looking: a usable binary, or the reason and the fix. */
    public record Probe(Path binary, String version, boolean usable, String reason, String fix) {
    }

    private static volatile Probe cached;

    private Criu() {
    }

    /** Probes once per process ({@code criu check} takes a moment). */
    public static Probe probe() {
        Probe p = cached;
        if (p == null) {
            p = probeNow();
            cached = p;
        }
        return p;
    }

    static Probe probeNow() {
        String fix = "run scripts/install-criu as root";
        if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
            return new Probe(null, null, false, "CRIU exists only on Linux", "use --engine standby");
        }
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("CRACDEV_CRIU");
        if (env != null && !env.isBlank()) {
            // an explicit choice is the only candidate: say what is wrong with it rather than use another
            Path chosen = Path.of(env);
            return Files.isExecutable(chosen) ? check(chosen, fix)
                    : new Probe(null, null, false, "CRACDEV_CRIU=" + env + " is not an executable file", fix + " or fix CRACDEV_CRIU");
        }
        candidates.add(INSTALLED);
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            candidates.add(Path.of(dir, "criu"));
        }
        candidates.add(Path.of("/usr/sbin/criu"));
        Probe firstProblem = null;
        for (Path c : candidates) {
            if (!Files.isExecutable(c)) {
                continue;
            }
            Probe p = check(c, fix);
            if (p.usable()) {
                return p;
            }
            if (firstProblem == null) {
                firstProblem = p;
            }
        }
        if (firstProblem != null) {
            return firstProblem;
        }
        return new Probe(null, null, false, "no criu binary found (looked at $CRACDEV_CRIU, " + INSTALLED + " and PATH)", fix);
    }

    private static Probe check(Path binary, String fix) {
        String out = Host.output(List.of(binary.toString(), "--version"), 20);
        Matcher m = VERSION.matcher(out == null ? "" : out);
        if (!m.find()) {
            return new Probe(binary, null, false, binary + " does not report a version", fix);
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        String version = m.group(1) + "." + m.group(2) + (m.group(3) != null ? "." + m.group(3) : "");
        if (!Host.isRoot()) {
            return new Probe(binary, version, false, "criu " + version + " needs root to checkpoint a JVM here "
                    + "(unprivileged restore hangs)", "run crac-dev as root, or use --engine standby");
        }
        KernelDataCache.prepare(binary); // before the first criu process that would profit from it
        String check = Host.output(List.of(binary.toString(), "check"), 20);
        if (check == null || !check.contains("Looks good")) {
            String firstError = check == null ? "no answer" : check.lines().filter(l -> !l.isBlank()).findFirst().orElse("failed");
            return new Probe(binary, version, false, "criu " + version + " at " + binary + " fails `criu check` on this kernel ("
                    + firstError.strip() + ")", fix);
        }
        if (major < 4 || (major == 4 && minor < 2)) {
            return new Probe(binary, version, false, "criu " + version + " at " + binary
                    + " is too old: 4.2 or newer is needed (4.1 cannot dump TCP sockets on Linux 6.16+)", fix);
        }
        for (String tool : List.of("unshare", "setsid")) {
            if (which(tool) == null) {
                return new Probe(binary, version, false, tool + " (util-linux) is missing", "install util-linux");
            }
        }
        return new Probe(binary, version, true, "criu " + version + " at " + binary + " passes `criu check` and we run as root", "");
    }

    private static final Map<Path, Boolean> LAZY_PAGES = new ConcurrentHashMap<>();

    /**
     * Whether restores fill memory lazily ({@code criu restore --lazy-pages} served by {@code criu lazy-pages}
     * through userfaultfd): 2–4× faster than the eager restore where the first touch of a page is costly,
     * since the pages arrive in large copies instead of one fault each. On where the kernel supports it,
     * unless {@value #LAZY_ENV}=off. A lazy restore that does not answer within {@link #lazyRestoreTimeout()}
     * is ended and an eager one runs (an earlier version hung about once in fifty; 60 of 60 resets and 40 of
     * 40 plain restores went through on 2026-12-02).
     */
    public static boolean lazyPages(Path binary) {
        if ("off".equalsIgnoreCase(System.getenv(LAZY_ENV))) {
            return false;
        }
        return LAZY_PAGES.computeIfAbsent(binary, b -> {
            String out = Host.output(List.of(b.toString(), "check", "--feature", "uffd-noncoop"), 20);
            return out != null && out.contains("uffd-noncoop is supported");
        });
    }

    /** Whether criu starts from its cache of kernel facts, for {@code crac-dev doctor}. */
    public static String kernelData(Path binary) {
        return KernelDataCache.describe(binary);
    }

    /** Environment variable that turns lazy restores off ({@code off}). */
    public static final String LAZY_ENV = "CRACDEV_CRIU_LAZY";
    /** Environment variable: how long a lazy restore may take before the eager one runs, in ms (default 10 s). */
    public static final String LAZY_TIMEOUT_ENV = "CRACDEV_CRIU_LAZY_TIMEOUT_MS";

    /** How long a lazy restore gets (at most the restore timeout): ~0.3 s is usual, ten times that under load. */
    public static Duration lazyRestoreTimeout() {
        try {
            return Duration.ofMillis(Long.parseLong(System.getenv().getOrDefault(LAZY_TIMEOUT_ENV, "10000")));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(10);
        }
    }

    static Path which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
