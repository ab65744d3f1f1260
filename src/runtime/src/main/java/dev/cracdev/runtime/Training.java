package dev.cracdev.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The training run of the framework phase (level 2 in the README): the app is started in a throwaway
 * class loader, driven with requests until the JIT has seen its hot paths, stopped, and dropped, then
 * started and stopped again ({@value #RUNS} runs in all); a {@link WeakReference} to each loader must then
 * clear, which proves that no object of the app survives into the checkpoint. Generations then
 * start the app fresh in a JIT-warm JVM whose framework caches are filled.
 *
 * <p>Supported for Spring Boot 3 apps (the stop is {@code ApplicationContext.close()}, reached through
 * {@code SpringApplication.withHook}); other apps run untrained. Spring Boot keeps a few references to
 * the app's loader after its context is closed; the ones known are cleared here (as DevTools does when
 * it restarts). Anything else that still holds the loader fails the proof: then this JVM is not
 * checkpointed (see {@link Boot}) and templates start untrained.
 *
 * <p>Only reflection and the JDK: this runs in the child.
 */
public final class Training {
    /** System property: the app's main class (set: train). */
    public static final String MAIN_PROPERTY = "cracdev.train.main";
    /** System property: the path the warm-up requests ask for (default {@code /}). */
    public static final String PATH_PROPERTY = "cracdev.train.path";
    /** System property set by the supervisor when an earlier training failed the proof (any value: do not train). */
    public static final String OFF_PROPERTY = "cracdev.train.off";
    /** System property: how many times the app is started and closed (default {@value #RUNS}). */
    public static final String RUNS_PROPERTY = "cracdev.train.runs";
    /**
     * Start-up code runs about once per app start, so one training run left much of it just below the JIT's
     * compile thresholds, and every generation crossed them again: ~1045 C1 compilations, mostly framework
     * methods, in one criu generation of the example app; ~550 after three runs. Each more run compiles more of
     * that tail before the checkpoint or the park: six runs against three, interleaved change by change,
     * took a criu app phase from a median of 726 to 651 ms, for ~0.7 s more training per run (README "Warm
     * framework phase"). Five: most of that gain for a template still within twice a cold start.
     */
    private static final int RUNS = 5;
    private static final long START_TIMEOUT_MS = 120_000;
    private static final long WARM_UP_MS = 1500;
    private static final int WARM_UP_REQUESTS = 300;
    private static final String SPRING = "org.springframework.boot.SpringApplication";

    /**
     * What happened: trained (ms, in how many runs), skipped (why; nothing of the app ran), or failed (why; do
     * not checkpoint).
     */
    record Result(long millis, int runs, String skipped, String failed) {
        static Result skipped(String why) {
            return new Result(-1, 0, why, null);
        }

        static Result failed(String why) {
            return new Result(-1, 0, null, why);
        }
    }

    private Training() {
    }

    static boolean wanted() {
        return System.getProperty(MAIN_PROPERTY) != null && System.getProperty(OFF_PROPERTY) == null;
    }

    static Result run(CracDevClassLoader system, List<Path> appRoots) {
        int runs = Math.max(1, Integer.getInteger(RUNS_PROPERTY, RUNS));
        String mainClass = System.getProperty(MAIN_PROPERTY);
        String path = System.getProperty(PATH_PROPERTY, "/");
        Class<?> spring;
        Method withHook;
        try {
            spring = Class.forName(SPRING, false, system);
            withHook = spring.getMethod("withHook", Class.forName("org.springframework.boot.SpringApplicationHook", false, system),
                    Runnable.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            return Result.skipped("training needs Spring Boot 3 (it stops the app by closing its application context)");
        }
        SpringHolders holders;
        try {
            holders = SpringHolders.snapshot(system, spring);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // nothing of the app ran yet: this JVM is still good, only untrained
            return Result.skipped("training does not know this Spring Boot version's shutdown hook (" + e + ")");
        }
        long t0 = System.nanoTime();
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try {
            List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                // the request paths are warm after the first run's requests; the next ones are for start-up code
                loaders.add(trainOnce(system, appRoots, withHook, mainClass, run == 1 ? path : null));
                holders.clear();
                // proven after the first run (a leak shows there, before more runs pile up) and after the last,
                // for every run's loader: a full collection per run in between would only cost time (~0.2 s each)
                List<Integer> leaked = run == 1 || run == runs ? stillReachable(loaders) : List.of();
                if (!leaked.isEmpty()) {
                    String readSet = System.getProperty(Boot.READ_SET_PROPERTY); // beside it: the private image store
                    return Result.failed("the training app's class loader (run " + leaked.stream().map(String::valueOf)
                            .collect(Collectors.joining(", ")) + " of " + runs + ") was still reachable after it stopped"
                            + (readSet == null ? "" : ", via " + RetainingPath.describe(AppLoader.class.getName(),
                            Path.of(readSet).toAbsolutePath().getParent())));
                }
            }
            return new Result((System.nanoTime() - t0) / 1_000_000, runs, null, null);
        } catch (TrainingFailed e) {
            return Result.failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed("interrupted");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            return Result.failed("the training run failed: " + cause);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /**
     * Collects until every loader's weak reference cleared (at most 20 times); returns the runs (counted from 1)
     * whose loader is still reachable, so the failure says which start leaked.
     */
    private static List<Integer> stillReachable(List<WeakReference<ClassLoader>> loaders) throws InterruptedException {
        for (int i = 0; i < 20 && loaders.stream().anyMatch(l -> l.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        List<Integer> runs = new ArrayList<>();
        for (int i = 0; i < loaders.size(); i++) {
            if (loaders.get(i).get() != null) {
                runs.add(i + 1);
            }
        }
        return runs;
    }

    /**
     * Starts, warms up ({@code path}, unless null) and closes the app in a throwaway loader; returns a weak
     * reference to that loader.
     */
    private static WeakReference<ClassLoader> trainOnce(CracDevClassLoader system, List<Path> appRoots, Method withHook,
                                                        String mainClass, String path)
            throws ReflectiveOperationException, InterruptedException, TrainingFailed {
        AppLoader loader = new AppLoader(appRoots, system);
        Object[] context = new Object[1];
        Throwable[] failure = new Throwable[1];
        CountDownLatch done = new CountDownLatch(1);
        Class<?> hookType = withHook.getParameterTypes()[0];
        Class<?> listenerType = Class.forName("org.springframework.boot.SpringApplicationRunListener", false, system);
        Object listener = Proxy.newProxyInstance(system, new Class<?>[]{listenerType}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return objectMethod(p, m, args);
            }
            if (m.getName().equals("ready")) {
                context[0] = args[0];
                done.countDown();
            } else if (m.getName().equals("failed")) {
                failure[0] = (Throwable) args[1];
                done.countDown();
            }
            return m.getReturnType() == boolean.class ? false : null;
        });
        Object hook = Proxy.newProxyInstance(system, new Class<?>[]{hookType}, (p, m, args) ->
                m.getDeclaringClass() == Object.class ? objectMethod(p, m, args)
                        : m.getName().equals("getRunListener") ? listener : null);
        String portBefore = System.getProperty("server.port");
        System.setProperty("server.port", "0"); // the current generation may serve the app's port meanwhile
        Thread app = new Thread(() -> {
            try {
                withHook.invoke(null, hook, (Runnable) () -> {
                    try {
                        Class.forName(mainClass, false, loader).getMethod("main", String[].class)
                                .invoke(null, (Object) new String[0]);
                    } catch (InvocationTargetException e) {
                        failure[0] = e.getCause();
                    } catch (ReflectiveOperationException e) {
                        failure[0] = e;
                    }
                });
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure[0] = e;
            } finally {
                done.countDown();
            }
        }, "crac-dev-training");
        app.setContextClassLoader(loader);
        app.setDaemon(true);
        try {
            app.start();
            if (!done.await(START_TIMEOUT_MS, TimeUnit.MILLISECONDS) || context[0] == null) {
                throw new TrainingFailed("the app did not start in the training run"
                        + (failure[0] != null ? ": " + failure[0] : " within " + START_TIMEOUT_MS / 1000 + " s"));
            }
        } finally {
            restore("server.port", portBefore);
        }
        Class<?> contextType = Class.forName("org.springframework.context.ConfigurableApplicationContext", false, system);
        Object environment = contextType.getMethod("getEnvironment").invoke(context[0]);
        String port = (String) environment.getClass().getMethod("getProperty", String.class).invoke(environment, "local.server.port");
        if (port != null && path != null) {
            warmUp(Integer.parseInt(port), path);
        }
        contextType.getMethod("close").invoke(context[0]);
        context[0] = null;
        app.join(10_000);
        try {
            loader.close();
        } catch (IOException e) {
            // its jar files: app roots are directories
        }
        return new WeakReference<>(loader);
    }

    /** hashCode, equals and toString of a proxy (Spring keeps listeners in collections). */
    private static Object objectMethod(Object proxy, Method m, Object[] args) {
        return switch (m.getName()) {
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "crac-dev training run";
        };
    }

    /** Plain HTTP/1.1 requests on fresh sockets: no client, cache or keep-alive thread outlives them. */
    private static void warmUp(int port, String path) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long end = System.nanoTime() + WARM_UP_MS * 1_000_000;
        for (int i = 0; i < WARM_UP_REQUESTS && System.nanoTime() < end; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 2000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
                InputStream in = s.getInputStream();
                while (in.read(new byte[8192]) >= 0) {
                    // drain the response until the server closes
                }
            } catch (IOException e) {
                return; // the app does not answer there: it is trained as far as its start goes
            }
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    /** A failure after the app ran: this JVM must not be checkpointed. */
    private static final class TrainingFailed extends Exception {
        TrainingFailed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The training loader: child-first for whatever the app roots hold (they are on the system class path
     * too: a parent-first loader would define app classes in the system loader, frozen into the image).
     */
    static final class AppLoader extends URLClassLoader {
        private final List<Path> roots;

        AppLoader(List<Path> roots, ClassLoader parent) {
            super("crac-dev-training", urls(roots), parent);
            this.roots = roots;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && inRoots(name.replace('.', '/') + ".class")) {
                    c = findClass(name);
                }
                if (c == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = findResource(name);
            return own != null ? own : getParent().getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
            Set<String> own = new HashSet<>();
            all.forEach(u -> own.add(u.toString()));
            for (URL u : Collections.list(getParent().getResources(name))) {
                if (!own.contains(u.toString())) { // the parent sees the app roots too
                    all.add(u);
                }
            }
            return Collections.enumeration(all);
        }

        private boolean inRoots(String resource) {
            for (Path root : roots) {
                if (Files.isRegularFile(root.resolve(resource))) {
                    return true;
                }
            }
            return false;
        }

        private static URL[] urls(List<Path> roots) {
            return roots.stream().map(CracDevClassLoader::directoryUrl).toArray(URL[]::new);
        }
    }

    /**
     * References Spring Boot (and the logging it configures) keeps to a closed app, found with heap dumps of
     * trained JVMs: its JVM shutdown hook thread (whose context loader is whoever registered it first), the
     * shutdown handlers an app run adds, Logback's context object map, and shared binding converters and
     * reflection caches, Spring Data's type caches. Snapshot before the training run, cleared after.
     */
    private static final class SpringHolders {
        /** Static caches keyed or valued by app types (Spring Data's type and property metadata). */
        private static final String[][] STATIC_CACHES = {
                {"org.springframework.data.util.ClassTypeInformation", "cache"},
                {"org.springframework.data.util.ClassTypeInformation", "resolvableTypeCache"},
                {"org.springframework.data.util.TypeDiscoverer", "CACHE"},
                {"org.springframework.data.mapping.PropertyPath", "cache"},
                {"org.springframework.data.util.ProxyUtils", "USER_TYPES"},
                {"org.springframework.data.util.NullableWrapperConverters", "supportsCache"},
                {"org.springframework.data.util.ReactiveWrappers", "IS_REACTIVE_TYPE"},
                {"org.springframework.data.mapping.model.KotlinCopyMethod", "COPY_METHOD_CACHE"},
                {"org.springframework.data.jpa.util.JpaMetamodel", "CACHE"}};
        private final ClassLoader system;
        private final GlobalMeters globalMeters;
        /** Collections the training run adds to and nothing takes out of: what it added is removed. */
        private final List<Additions> additions = new ArrayList<>();

        /** A live collection and what it held before the training run. */
        private record Additions(Collection<?> live, Set<Object> before) {
            static Additions of(Collection<?> live) {
                synchronized (live) {
                    return new Additions(live, new HashSet<>(live));
                }
            }

            void remove() {
                synchronized (live) {
                    live.retainAll(before);
                }
            }
        }

        private SpringHolders(ClassLoader system) {
            this.system = system;
            this.globalMeters = GlobalMeters.snapshot(system);
        }

        static SpringHolders snapshot(ClassLoader system, Class<?> spring) throws ReflectiveOperationException {
            SpringHolders holders = new SpringHolders(system);
            // register Spring Boot's JVM shutdown hook now, from a thread whose context loader is the system one
            Object hook = field(spring, "shutdownHook").get(null);
            Method enable = hook.getClass().getDeclaredMethod("enableShutdownHookAddition");
            enable.setAccessible(true);
            enable.invoke(hook);
            Object handlers = spring.getMethod("getShutdownHandlers").invoke(null);
            Runnable nothing = () -> { };
            Method add = handlers.getClass().getMethod("add", Runnable.class);
            add.setAccessible(true);
            add.invoke(handlers, nothing);
            Method remove = handlers.getClass().getMethod("remove", Runnable.class);
            remove.setAccessible(true);
            remove.invoke(handlers, nothing);
            holders.additions.add(Additions.of((Set<?>) field(handlers.getClass(), "actions").get(handlers)));
            holders.logback();
            return holders;
        }

        /** Logback's context: its object map, context listeners and turbo filters (Micrometer's LogbackMetrics adds both). */
        private void logback() {
            try {
                Object factory = Class.forName("org.slf4j.LoggerFactory", true, system).getMethod("getILoggerFactory").invoke(null);
                Class<?> base = Class.forName("ch.qos.logback.core.ContextBase", false, system);
                if (!base.isInstance(factory)) {
                    return;
                }
                additions.add(Additions.of(((Map<?, ?>) field(base, "objectMap").get(factory)).keySet()));
                Class<?> context = Class.forName("ch.qos.logback.classic.LoggerContext", false, system);
                additions.add(Additions.of((Collection<?>) field(context, "loggerContextListenerList").get(factory)));
                additions.add(Additions.of((Collection<?>) field(context, "turboFilterList").get(factory)));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // no Logback, or another one: the proof that the app is gone tells whether it mattered
            }
        }

        void clear() {
            additions.forEach(Additions::remove);
            setStatic("org.springframework.boot.context.properties.bind.BindConverter", "sharedInstance", null);
            invokeStatic("org.springframework.util.ReflectionUtils", "clearCache");
            invokeStatic("org.springframework.core.ResolvableType", "clearCache");
            invokeStatic("org.springframework.core.annotation.AnnotationUtils", "clearCache");
            invokeStatic("org.springframework.core.annotation.AnnotationsScanner", "clearCache");
            invokeStatic("java.beans.Introspector", "flushCaches"); // java.desktop may be absent
            if (globalMeters != null) {
                globalMeters.clear();
            }
            for (String[] cache : STATIC_CACHES) {
                clearStatic(cache[0], cache[1]);
            }
        }

        /** Empties a static cache (a Map, or anything with a clear() method such as Spring's ConcurrentLruCache). */
        private void clearStatic(String className, String name) {
            try {
                Object cache = field(Class.forName(className, false, system), name).get(null);
                if (cache != null) {
                    Method clear = cache.getClass().getMethod("clear");
                    clear.setAccessible(true);
                    clear.invoke(cache);
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // not in this version: nothing of it to clear
            }
        }

        private void setStatic(String className, String name, Object value) {
            try {
                field(Class.forName(className, false, system), name).set(null, value);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // not in this version: nothing of it to clear
            }
        }

        private void invokeStatic(String className, String method) {
            try {
                Method m = Class.forName(className, false, system).getDeclaredMethod(method);
                m.setAccessible(true);
                m.invoke(null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // not in this version: nothing of it to clear
            }
        }

        private static Field field(Class<?> type, String name) throws NoSuchFieldException {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        }
    }

    /**
     * Micrometer's static global registry: Spring Boot adds the app's registry to it (and with it every
     * meter binder, which holds Tomcat's context and so the app's loader) and does not take it out when
     * the context closes. What the training run added is removed.
     */
    private static final class GlobalMeters {
        private final Object global;
        private final Set<Object> registriesBefore;
        private final Set<Object> metersBefore;

        private GlobalMeters(Object global) throws ReflectiveOperationException {
            this.global = global;
            this.registriesBefore = new HashSet<>((Collection<?>) call("getRegistries"));
            this.metersBefore = new HashSet<>((Collection<?>) call("getMeters"));
        }

        static GlobalMeters snapshot(ClassLoader system) {
            try {
                Class<?> metrics = Class.forName("io.micrometer.core.instrument.Metrics", true, system);
                return new GlobalMeters(metrics.getField("globalRegistry").get(null));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                return null; // no Micrometer
            }
        }

        void clear() {
            try {
                Class<?> registry = Class.forName("io.micrometer.core.instrument.MeterRegistry", false, global.getClass().getClassLoader());
                Class<?> meter = Class.forName("io.micrometer.core.instrument.Meter", false, global.getClass().getClassLoader());
                for (Object r : new ArrayList<>((Collection<?>) call("getRegistries"))) {
                    if (!registriesBefore.contains(r)) {
                        global.getClass().getMethod("remove", registry).invoke(global, r);
                    }
                }
                for (Object m : new ArrayList<>((Collection<?>) call("getMeters"))) {
                    if (!metersBefore.contains(m)) {
                        global.getClass().getMethod("remove", meter).invoke(global, m);
                    }
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // another Micrometer: the proof that the app is gone tells whether it mattered
            }
        }

        private Object call(String method) throws ReflectiveOperationException {
            return global.getClass().getMethod(method).invoke(global);
        }
    }
}
