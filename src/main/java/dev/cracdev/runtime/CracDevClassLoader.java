package dev.cracdev.runtime;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * The generation's system class loader ({@code -Djava.system.class.loader}): one loader over the
 * framework entries followed by the app roots, exactly like {@code java -cp}, so the app runs as it
 * would under plain {@code java} (no second loader, no ClassCastExceptions between loaders).
 *
 * <p>Why crac-dev needs its own: during the <em>framework phase</em> it watches what framework code
 * does with the app roots.
 * <ul>
 *   <li>A class defined from an app root before the boundary is a boundary violation: it would be
 *       frozen into every generation. The runtime refuses the checkpoint and names the class.</li>
 *   <li>A resource lookup that reaches (or, when nothing is found, would reach) an app root, made while
 *       a framework class's static initializer runs, would bake the app's current file — or its
 *       absence — into every generation (the stale-state bug of Rails Spring and Spork). The
 *       initializing classes are reported as <em>tainted</em>; the template is rebuilt with them loaded
 *       but left uninitialized, so their initializers run fresh in each generation.</li>
 * </ul>
 * It also records, in load order, every class it defines from a framework entry: the class list the
 * next template preloads.
 */
public final class CracDevClassLoader extends URLClassLoader {
    /** System property with the framework class path (path-separator list). */
    public static final String FRAMEWORK_PROPERTY = "cracdev.framework";
    /** System property with the app roots (path-separator list of directories). */
    public static final String APP_PROPERTY = "cracdev.app";

    static {
        registerAsParallelCapable();
    }

    private final List<Path> framework;
    private final List<String> appRootPrefixes;
    private volatile Set<String> frameworkPackages;
    private volatile boolean frameworkPhase = true;
    private final Set<String> recorded = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Set<String> tainted = ConcurrentHashMap.newKeySet();
    private final Set<String> taintingResources = ConcurrentHashMap.newKeySet();
    private final List<String> untrackedLookups = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    /** Called by the JVM when it makes this the system class loader. */
    public CracDevClassLoader(ClassLoader parent) {
        this(paths(System.getProperty(FRAMEWORK_PROPERTY)), paths(System.getProperty(APP_PROPERTY)), parent);
        // Tools that inspect the class path (scanners, Spring Boot) see what plain java would show.
        List<Path> all = new ArrayList<>(paths(System.getProperty(FRAMEWORK_PROPERTY)));
        all.addAll(paths(System.getProperty(APP_PROPERTY)));
        System.setProperty("java.class.path",
                all.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    }

    CracDevClassLoader(List<Path> framework, List<Path> appRoots, ClassLoader parent) {
        super("crac-dev", urls(framework, appRoots), parent);
        this.framework = List.copyOf(framework);
        this.appRootPrefixes = appRoots.stream().map(p -> directoryUrl(p).toString()).collect(Collectors.toList());
    }

    /**
     * Lets agents attached at run time (profilers, IDE debuggers, ByteBuddy) append to the system class path,
     * as they can with the JDK's own system class loader.
     */
    void appendToClassPathForInstrumentation(String path) {
        addURL(toUrl(Path.of(path)));
    }

    /** Leaves the framework phase: from now on app classes and resources load normally. */
    public void enterAppPhase() {
        frameworkPhase = false;
    }

    /** Framework classes defined so far, in load order. */
    public List<String> recordedClasses() {
        synchronized (recorded) {
            return new ArrayList<>(recorded);
        }
    }

    /** Framework classes whose initializer looked at app-root resources during the framework phase. */
    public Set<String> taintedClasses() {
        return Set.copyOf(tainted);
    }

    /** The resources (and the innermost initializer) that tainted classes, for --verbose. */
    public Set<String> taintingResources() {
        return Set.copyOf(taintingResources);
    }

    /** App-root lookups in the framework phase that no framework initializer could be blamed for. */
    public List<String> untrackedLookups() {
        synchronized (untrackedLookups) {
            return new ArrayList<>(untrackedLookups);
        }
    }

    /** App classes defined during the framework phase, with who asked for them. */
    public List<String> boundaryViolations() {
        synchronized (violations) {
            return new ArrayList<>(violations);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> c = super.findClass(name);
        CodeSource source = c.getProtectionDomain().getCodeSource();
        boolean fromApp = source != null && source.getLocation() != null && isAppRoot(source.getLocation());
        if (!fromApp) {
            recorded.add(name);
        } else if (frameworkPhase && !blameInitializers(name)) {
            violations.add(name + " (from " + source.getLocation().getPath() + "), loaded by " + caller());
        }
        return c;
    }

    @Override
    public URL findResource(String name) {
        URL url = super.findResource(name);
        if (frameworkPhase && (url == null ? appMayProvide(name) : isAppRoot(url))) {
            blameInitializers(name);
        }
        return url;
    }

    @Override
    public Enumeration<URL> findResources(String name) throws IOException {
        if (frameworkPhase && appMayProvide(name)) {
            blameInitializers(name); // an enumeration always consults the app roots
        }
        return super.findResources(name);
    }

    /**
     * Whether the app could add this resource and so change what a framework initializer sees. Top-level
     * names ({@code logback.xml}, {@code application.properties}) and {@code META-INF/...} are the app's
     * to provide; a name inside a package the framework itself ships (a missing
     * {@code jakarta/servlet/LocalStrings_en.properties} probed by a ResourceBundle) is not.
     */
    private boolean appMayProvide(String name) {
        int slash = name.lastIndexOf('/');
        if (slash < 0 || name.startsWith("META-INF/")) {
            return true;
        }
        return !frameworkPackages().contains(name.substring(0, slash));
    }

    private Set<String> frameworkPackages() {
        Set<String> packages = frameworkPackages;
        if (packages == null) {
            packages = new HashSet<>();
            for (Path entry : framework) {
                collectPackages(entry, packages);
            }
            frameworkPackages = packages;
        }
        return packages;
    }

    private static void collectPackages(Path entry, Set<String> packages) {
        try {
            if (Files.isDirectory(entry)) {
                try (Stream<Path> files = Files.walk(entry)) {
                    files.filter(Files::isDirectory).forEach(d -> packages.add(entry.relativize(d).toString().replace('\\', '/')));
                }
            } else if (Files.isRegularFile(entry)) {
                try (ZipFile zip = new ZipFile(entry.toFile())) {
                    zip.stream().forEach(e -> {
                        int slash = e.getName().lastIndexOf('/');
                        if (slash > 0) {
                            packages.add(e.getName().substring(0, slash));
                        }
                    });
                }
            }
        } catch (IOException e) {
            // unreadable entry: its packages count as the app's (more taint, never stale state)
        }
    }

    private boolean isAppRoot(URL url) {
        String s = url.toString();
        if (s.startsWith("jar:")) {
            return false;
        }
        for (String prefix : appRootPrefixes) {
            if (s.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Marks every framework class whose static initializer is on the stack as tainted and fails their
     * initialization; returns false (and records the lookup as untracked) when there is none to blame.
     * When the innermost initializer is the JDK's own (ResourceBundle or LoggerFinder looking for
     * providers, whoever touched them first), no framework class is to blame: marking one would only
     * move the JDK's initialization to another, and failing it would break the JDK class.
     */
    private boolean blameInitializers(String resource) {
        List<Class<?>> initializing = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames
                        .filter(f -> f.getMethodName().equals("<clinit>"))
                        .map(StackWalker.StackFrame::getDeclaringClass)
                        .collect(Collectors.toList()));
        if (initializing.isEmpty() || initializing.get(0).getClassLoader() != this) {
            untrackedLookups.add(resource + " by " + caller());
            return false;
        }
        List<String> ours = initializing.stream().filter(c -> c.getClassLoader() == this).map(Class::getName).toList();
        tainted.addAll(ours);
        taintingResources.add(resource + " (" + ours.get(0) + ")");
        // Fail the initializers: every class whose initialization needs them then fails too and is
        // reported, so one template round finds all dependents instead of one per round. This JVM is
        // discarded anyway (a tainted template is rebuilt).
        throw new AppFileReadDuringFrameworkPhase(resource, ours.get(0));
    }

    /** Thrown into a framework initializer that looked at app files before the boundary. */
    static final class AppFileReadDuringFrameworkPhase extends Error {
        AppFileReadDuringFrameworkPhase(String resource, String initializer) {
            super(initializer + " looked up " + resource + " before the boundary; it will be initialized in each "
                    + "generation instead", null, false, false);
        }
    }

    /** The first frame outside this loader and the JDK: who caused the load or lookup. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk.")
                        && !f.getClassName().startsWith("sun.")
                        && !f.getClassName().equals(CracDevClassLoader.class.getName()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("the JDK"));
    }

    static List<Path> paths(String pathList) {
        List<Path> paths = new ArrayList<>();
        if (pathList != null) {
            for (String p : pathList.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    paths.add(Path.of(p));
                }
            }
        }
        return paths;
    }

    private static URL[] urls(List<Path> framework, List<Path> appRoots) {
        List<URL> urls = new ArrayList<>();
        framework.forEach(p -> urls.add(toUrl(p)));
        appRoots.forEach(p -> urls.add(directoryUrl(p)));
        return urls.toArray(new URL[0]);
    }

    /** App roots are directories even while they are missing (mvn clean): the URL must end in '/'. */
    private static URL directoryUrl(Path p) {
        try {
            String s = p.toAbsolutePath().toUri().toString();
            return new URL(s.endsWith("/") ? s : s + "/");
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL toUrl(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }
}
