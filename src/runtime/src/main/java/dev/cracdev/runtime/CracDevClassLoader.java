package dev.cracdev.runtime;

import dev.cracdev.protocol.ReadSet;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The generation's system class loader ({@code -Djava.system.class.loader}): one loader over the
 * framework entries followed by the app roots, exactly like {@code java -cp}, so the app runs as it
 * would under plain {@code java} (no second loader, no ClassCastExceptions between loaders).
 *
 * <p>Why crac-dev needs its own: during the <em>framework phase</em> it watches what framework code
 * does with the app roots.
 * <ul>
 *   <li>Every lookup that consults the app roots — a resource found there or not ({@code logback.xml},
 *       {@code META-INF/spring.factories}), a class probed and not found — goes into the {@link ReadSet},
 *       with what the app roots held at that moment. Framework initializers may read app files: the
 *       image that holds what they made of them is used only while the read set still matches, so no
 *       generation ever starts from stale state (the bug users hate most in Rails Spring and Spork).</li>
 *   <li>A class defined from an app root before the boundary would be frozen into every generation. If a
 *       framework initializer asked for it, that initializer is <em>tainted</em>: the template is rebooted
 *       with it loaded but uninitialized (it runs in each generation). Otherwise it is a boundary
 *       violation: the runtime refuses the checkpoint and names the class.</li>
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
    private final List<Path> appRoots;
    private final List<String> appRootPrefixes;
    /** The app roots alone, for lookups the framework jars cannot answer (same URLs as this loader's). */
    private final URLClassLoader appRootsOnly;
    /** The JVM's own class path, seen by the loader above this one. */
    private final List<Path> parentClassPath;
    private volatile ClassPathIndex index; // null: every lookup takes the JDK's path
    private volatile boolean frameworkPhase = true;
    private final Set<String> recorded = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Set<String> tainted = ConcurrentHashMap.newKeySet();
    private final ReadSet readSet = ReadSet.empty();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    /** Called by the JVM when it makes this the system class loader. */
    public CracDevClassLoader(ClassLoader parent) {
        this(paths(System.getProperty(FRAMEWORK_PROPERTY)), paths(System.getProperty(APP_PROPERTY)), parent,
                paths(System.getProperty("java.class.path")));
        // Tools that inspect the class path (scanners, Spring Boot) see what plain java would show.
        List<Path> all = new ArrayList<>(paths(System.getProperty(FRAMEWORK_PROPERTY)));
        all.addAll(paths(System.getProperty(APP_PROPERTY)));
        System.setProperty("java.class.path",
                all.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    }

    CracDevClassLoader(List<Path> framework, List<Path> appRoots, ClassLoader parent, List<Path> parentClassPath) {
        super("crac-dev", urls(framework, appRoots), parent);
        this.framework = List.copyOf(framework);
        this.appRoots = List.copyOf(appRoots);
        this.appRootsOnly = new URLClassLoader(urls(List.of(), appRoots), null);
        this.parentClassPath = List.copyOf(parentClassPath);
        this.appRootPrefixes = appRoots.stream().map(p -> directoryUrl(p).toString()).collect(Collectors.toList());
    }

    /**
     * Lets agents attached at run time (profilers, IDE debuggers, ByteBuddy) append to the system class path,
     * as they can with the JDK's own system class loader.
     */
    void appendToClassPathForInstrumentation(String path) {
        index = null; // the index knows only the jars it read
        addURL(toUrl(Path.of(path)));
    }

    /**
     * Reads the names the framework jars hold ({@link ClassPathIndex}), so that from now on a lookup they
     * cannot answer skips them. Returns null, or why there is no index.
     */
    public String indexFramework() {
        List<String> jvmArguments;
        try { // what the JVM was given, from every source (command line, @files, JAVA_TOOL_OPTIONS, ...)
            jvmArguments = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError e) {
            return "the JVM's arguments cannot be read (no java.management module)";
        }
        return indexFramework(jvmArguments);
    }

    String indexFramework(List<String> jvmArguments) {
        StringBuilder why = new StringBuilder();
        index = ClassPathIndex.build(framework, parentClassPath, jvmArguments, why);
        return index == null ? why.toString() : null;
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

    /**
     * The class list to save: framework classes defined so far, in load order, those not initialized
     * (yet, or because their initializer failed — an optional dependency missing) marked with a leading
     * {@code -}: the next framework phase loads them without initializing them, as this JVM did, instead
     * of failing their initializers and rebooting. Where the JVM cannot tell ({@link InitializationState}),
     * every class is listed plainly.
     */
    public List<String> classListToSave() {
        List<String> list = new ArrayList<>();
        for (String name : recordedClasses()) {
            Class<?> c = findLoadedClass(name);
            list.add(c != null && InitializationState.known() && !InitializationState.initialized(c) ? "-" + name : name);
        }
        return list;
    }

    /** Framework classes whose initializer asked for an app class during the framework phase. */
    public Set<String> taintedClasses() {
        return Set.copyOf(tainted);
    }

    /** The app roots, in class-path order. */
    public List<Path> appRoots() {
        return appRoots;
    }

    /** What the framework phase looked up in the app roots. */
    public ReadSet readSet() {
        return readSet;
    }

    /** App classes defined during the framework phase, with who asked for them. */
    public List<String> boundaryViolations() {
        synchronized (violations) {
            return new ArrayList<>(violations);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        ClassPathIndex i = index;
        if (i == null || i.parentMayHold(name.replace('.', '/') + ".class")) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) { // as ClassLoader.loadClass, without asking the JDK's loaders first
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> c;
        String file = name.replace('.', '/') + ".class";
        try {
            ClassPathIndex i = index;
            if (i != null && i.firstJar(file) < 0 && appRootsOnly.findResource(file) == null) {
                throw new ClassNotFoundException(name); // what the walk over every jar would have found
            }
            c = super.findClass(name);
        } catch (ClassNotFoundException e) {
            if (frameworkPhase) {
                readSet.record(file, appRoots); // absent now: the app may add it
            }
            throw e;
        }
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
    public URL getResource(String name) {
        ClassPathIndex i = index;
        return i != null && !i.parentMayHold(name) ? findResource(name) : super.getResource(name);
    }

    @Override
    public URL findResource(String name) {
        URL url = lookUp(name);
        if (frameworkPhase && (url == null || isAppRoot(url))) {
            // what the app roots hold matters: found there, or found nowhere (a file the app adds later would be).
            // A name a framework jar holds never reaches the app roots, which come after the jars.
            readSet.record(name, appRoots);
        }
        return url;
    }

    private URL lookUp(String name) {
        ClassPathIndex i = index;
        if (i == null) {
            return super.findResource(name);
        }
        int jar = i.firstJar(name); // hashed once: this runs for every resource Spring reads
        if (jar < 0) {
            return appRootsOnly.findResource(name);
        }
        URL url = i.findIn(jar, name);
        return url != null ? url : super.findResource(name);
    }

    @Override
    public Enumeration<URL> findResources(String name) throws IOException {
        if (frameworkPhase) {
            readSet.record(name, appRoots); // an enumeration always consults every app root
        }
        return super.findResources(name);
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
     * initialization; returns false when there is none to blame (then it is a boundary violation).
     * When the innermost initializer is the JDK's own, no framework class is to blame.
     */
    private boolean blameInitializers(String appClass) {
        List<Class<?>> initializing = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames
                        .filter(f -> f.getMethodName().equals("<clinit>"))
                        .map(StackWalker.StackFrame::getDeclaringClass)
                        .collect(Collectors.toList()));
        if (initializing.isEmpty() || initializing.get(0).getClassLoader() != this) {
            return false;
        }
        List<String> ours = initializing.stream().filter(c -> c.getClassLoader() == this).map(Class::getName).toList();
        tainted.addAll(ours);
        // Fail the initializers: every class whose initialization needs them then fails too and is
        // reported, so one template round finds all dependents instead of one per round. This JVM is
        // discarded anyway (a tainted template is rebooted).
        throw new AppClassLoadedDuringFrameworkPhase(appClass, ours.get(0));
    }

    /** Thrown into a framework initializer that asked for an app class before the boundary. */
    static final class AppClassLoadedDuringFrameworkPhase extends Error {
        AppClassLoadedDuringFrameworkPhase(String appClass, String initializer) {
            super(initializer + " loaded app class " + appClass + " before the boundary; it will be initialized in "
                    + "each generation instead", null, false, false);
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
    static URL directoryUrl(Path p) {
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
