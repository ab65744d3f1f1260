package dev.cracdev.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Which names the framework jars — and the JDK's own loaders above the system class loader — may hold, so a
 * lookup they cannot answer skips them.
 *
 * <p>Why: a Spring Boot app asks its class loader thousands of times per start for classes and resources,
 * many of them absent ({@code @ConditionalOnClass} probes) or in the app roots. Without this each lookup
 * first walks the JDK's module images (three loaders) and then every framework jar in turn (72 in the
 * example): ~15 % of a generation's app phase, measured with a profiler. The framework jars do not change
 * while a JVM lives (a changed jar makes a new image), so the names they hold are read once, in the
 * framework phase, and kept in the image.
 *
 * <p>Each name is kept as a 64-bit hash with the first jar (in class-path order) that holds it: a lookup goes to
 * that jar alone, and skips the jars when none does. "None" is certain; a hash collision can only point to a
 * jar that turns out not to hold the name, and then the JDK's walk over the whole class path decides. Where the set of names cannot be known — a framework entry that is a directory, a jar
 * whose manifest adds more jars ({@code Class-Path}), a jar index naming other jars, a Java agent that may
 * add to the JDK's loaders — there is no index and every lookup takes the JDK's path.
 */
final class ClassPathIndex {
    /** System property: "off" never builds the index (every lookup takes the JDK's path). */
    static final String PROPERTY = "cracdev.classpath.index";

    private final NameTable framework;
    /** One loader per framework jar, in class-path order: it makes the very URL the whole class path would. */
    private final URLClassLoader[] jarLoaders;
    private final NameTable parentClassPath;
    private final Set<String> jdkPackages;

    private ClassPathIndex(NameTable framework, URLClassLoader[] jarLoaders, NameTable parentClassPath, Set<String> jdkPackages) {
        this.framework = framework;
        this.jarLoaders = jarLoaders;
        this.parentClassPath = parentClassPath;
        this.jdkPackages = jdkPackages;
    }

    /**
     * The index of {@code frameworkJars}, with the class path of the loader above ours ({@code parentClassPath},
     * the JVM's own {@code -cp}); null, with the reason in {@code why}, where it cannot be complete.
     */
    static ClassPathIndex build(List<Path> frameworkJars, List<Path> parentClassPath, List<String> jvmArguments,
            StringBuilder why) {
        if ("off".equals(System.getProperty(PROPERTY))) {
            why.append("-D" + PROPERTY + "=off");
            return null;
        }
        for (String arg : jvmArguments) {
            if (arg.startsWith("-javaagent") || arg.startsWith("-agentpath") || arg.startsWith("-Xbootclasspath")
                    || (arg.startsWith("-agentlib") && !arg.startsWith("-agentlib:jdwp"))) {
                why.append("the JVM runs with ").append(arg); // an agent may add classes to the JDK's loaders
                return null;
            }
        }
        try {
            NameTable framework = names(frameworkJars, why);
            NameTable parent = framework == null ? null : names(parentClassPath, why);
            if (parent == null) {
                return null;
            }
            Set<String> jdkPackages = new HashSet<>();
            ModuleLayer.boot().modules().forEach(m -> jdkPackages.addAll(m.getPackages()));
            URLClassLoader[] jarLoaders = new URLClassLoader[frameworkJars.size()];
            for (int i = 0; i < jarLoaders.length; i++) {
                jarLoaders[i] = new URLClassLoader(new URL[] {frameworkJars.get(i).toUri().toURL()}, null);
            }
            return new ClassPathIndex(framework, jarLoaders, parent, jdkPackages);
        } catch (IOException e) {
            why.append("reading the framework jars failed: ").append(e.getMessage());
            return null;
        }
    }

    /** The first framework jar (its class-path position) that may hold {@code name}; -1: none does, for sure. */
    int firstJar(String name) {
        return framework.firstJar(name);
    }

    /**
     * {@code name} in framework jar {@code jar}, the very URL the walk over the whole class path makes; null
     * where the hash misled (then the caller's walk decides).
     */
    URL findIn(int jar, String name) {
        return jarLoaders[jar].findResource(name);
    }

    /**
     * False: the loaders above ours (the JDK's modules, the JVM's own {@code -cp}) do not hold {@code name}.
     * A JDK module holds resources only in its own packages, or outside any package (a top-level name,
     * {@code META-INF/...}): those stay "maybe".
     */
    boolean parentMayHold(String name) {
        int slash = name.lastIndexOf('/');
        if (slash <= 0 || parentClassPath.firstJar(name) >= 0) {
            return true;
        }
        String pkg = name.substring(0, slash).replace('/', '.');
        return !isPackageName(pkg) || jdkPackages.contains(pkg);
    }

    private static boolean isPackageName(String pkg) {
        for (String part : pkg.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) {
                return false;
            }
            for (int i = 1; i < part.length(); i++) {
                if (!Character.isJavaIdentifierPart(part.charAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Every name a lookup could find in these jars; null (with why) where that cannot be known. */
    private static NameTable names(List<Path> jars, StringBuilder why) throws IOException {
        NameTable names = new NameTable();
        int feature = Runtime.version().feature();
        if (jars.size() > Short.MAX_VALUE) {
            why.append(jars.size()).append(" jars on the class path");
            return null;
        }
        for (int index = 0; index < jars.size(); index++) {
            Path path = jars.get(index);
            if (!Files.isRegularFile(path)) {
                why.append(path).append(Files.isDirectory(path) ? " is a directory" : " is missing");
                return null;
            }
            try (JarFile jar = new JarFile(path.toFile(), false)) {
                Manifest manifest = jar.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                if (classPath != null && !classPath.isBlank()) {
                    why.append(path.getFileName()).append(" adds jars through its manifest's Class-Path");
                    return null;
                }
                if (indexesOtherJars(jar, path)) {
                    why.append(path.getFileName()).append(" has a jar index naming other jars");
                    return null;
                }
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    names.add(name, index);
                    if (name.endsWith("/")) {
                        names.add(name.substring(0, name.length() - 1), index); // a jar finds "a/b/" when asked for "a/b"
                    }
                    String versioned = versionedName(name, feature);
                    if (versioned != null) {
                        names.add(versioned, index); // a multi-release jar answers "a/B.class" from META-INF/versions/N/
                    }
                }
            }
        }
        return names;
    }

    /** {@code a/B.class} for {@code META-INF/versions/N/a/B.class} with N up to this JDK's; else null. */
    private static String versionedName(String name, int feature) {
        String prefix = "META-INF/versions/";
        if (!name.startsWith(prefix)) {
            return null;
        }
        int slash = name.indexOf('/', prefix.length());
        if (slash < 0) {
            return null;
        }
        try {
            return Integer.parseInt(name.substring(prefix.length(), slash)) <= feature ? name.substring(slash + 1) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A jar index (META-INF/INDEX.LIST, still honoured by JDK 17) sends lookups on to the jars it names. */
    private static boolean indexesOtherJars(JarFile jar, Path path) throws IOException {
        JarEntry index = jar.getJarEntry("META-INF/INDEX.LIST");
        if (index == null) {
            return false;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(jar.getInputStream(index), StandardCharsets.UTF_8))) {
            boolean sectionStart = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    sectionStart = true; // each section: a jar's name, then its packages
                } else if (sectionStart) {
                    sectionStart = false;
                    if (!line.trim().equals(path.getFileName().toString())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Open addressing over 64-bit hashes of the names, each with the first jar (in class-path order) that holds
     * a name of that hash: ~1.3 MB for the ~36k names of a Spring Boot app.
     */
    static final class NameTable {
        private long[] hashes = new long[1 << 12];
        private short[] jars = new short[1 << 12];
        private int size;

        /** Records that {@code jar} holds {@code name}; a jar earlier on the class path keeps the name. */
        void add(String name, int jar) {
            if (2 * (size + 1) > hashes.length) {
                grow();
            }
            if (insert(hashes, jars, hash(name), (short) jar)) {
                size++;
            }
        }

        /** The first jar that may hold {@code name}, or -1: none does. */
        int firstJar(String name) {
            long h = hash(name);
            int mask = hashes.length - 1;
            for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (hashes[i] == h) {
                    return jars[i];
                }
                if (hashes[i] == 0) {
                    return -1;
                }
            }
        }

        private void grow() {
            long[] moreHashes = new long[hashes.length * 2];
            short[] moreJars = new short[hashes.length * 2];
            for (int i = 0; i < hashes.length; i++) {
                if (hashes[i] != 0) {
                    insert(moreHashes, moreJars, hashes[i], jars[i]);
                }
            }
            hashes = moreHashes;
            jars = moreJars;
        }

        private static boolean insert(long[] hashes, short[] jars, long h, short jar) {
            int mask = hashes.length - 1;
            for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (hashes[i] == h) {
                    return false;
                }
                if (hashes[i] == 0) {
                    hashes[i] = h;
                    jars[i] = jar;
                    return true;
                }
            }
        }

        /** FNV-1a over the UTF-16 chars, never 0 (0 marks an empty slot). */
        private static long hash(String s) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            return h == 0 ? 1 : h;
        }
    }
}
