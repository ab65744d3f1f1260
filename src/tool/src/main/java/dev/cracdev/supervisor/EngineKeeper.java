package dev.cracdev.supervisor;

import dev.cracdev.Console;
import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Version;
import dev.cracdev.engine.Engine;
import dev.cracdev.engine.Engines;
import dev.cracdev.engine.LaunchConfig;
import dev.cracdev.image.Fingerprint;
import dev.cracdev.image.ImageStore;

import java.io.IOException;
import java.util.Optional;

/**
 * Keeps the engine that matches the framework side: the fingerprint (JDK, JVM options, framework jars,
 * crac-dev itself, ...) is recomputed before each generation, and when it changed the engine is replaced
 * by one with its own image directory, saying which input changed.
 */
final class EngineKeeper implements AutoCloseable {
    private final StartSettings settings;
    private final Engines.Choice choice;
    private final Console console;
    private final ImageStore store;
    private Fingerprint fingerprint;
    private volatile Engine engine;
    private volatile LaunchConfig launchConfig;

    EngineKeeper(StartSettings settings, Engines.Choice choice, Console console) {
        this.settings = settings;
        this.choice = choice;
        this.console = console;
        this.store = new ImageStore(settings.images(), settings.workDir());
    }

    /** The engine for the framework side as it is now; replaces (and prepares) it when that changed. */
    Engine current() throws CracDevException {
        Fingerprint fp;
        try {
            fp = Fingerprint.of(settings.java(), settings.javaVersion(), settings.jvmOptions(), settings.framework(),
                    settings.appRoots(), Version.get(), settings.runtimeJar(), choice.kind().name());
        } catch (IOException e) {
            throw new CracDevException(ExitCode.USAGE, "cannot read a framework class-path entry (" + e.getMessage()
                    + "); check --classpath");
        }
        if (fingerprint != null && fingerprint.id().equals(fp.id())) {
            return engine;
        }
        try {
            // what changed: against this run's previous fingerprint, else the last run's (read before open() marks fp newest)
            String changed = fingerprint != null
                    ? Optional.ofNullable(fp.whatChangedSince(fingerprint.inputs())).orElse("the framework side changed")
                    : store.previousInputs(fp).map(fp::whatChangedSince).map(what -> what + " since the last run").orElse(null);
            var stateDir = store.open(fp);
            store.prune(fp);
            close();
            launchConfig = new LaunchConfig(settings.java(), settings.jvmOptions(), settings.framework(),
                    settings.appRoots(), settings.runtimeJar(), settings.workDir(), stateDir);
            fingerprint = fp;
            engine = Engines.create(choice.kind(), launchConfig, settings.restoreTimeout(), console);
            if (changed != null) {
                console.info(changed + (engine.hasBaseImage()
                        ? ": using the " + choice.kind() + " image kept from an earlier run with these settings"
                        : ": preparing a new " + choice.kind() + " template"));
            }
        } catch (IOException e) {
            throw new CracDevException(ExitCode.FAILURE, "cannot use the image store " + store.root() + ": "
                    + e.getMessage() + "; check --images");
        }
        engine.prepare();
        return engine;
    }

    /** The engine in use, or null before the first {@link #current()}. */
    Engine engine() {
        return engine;
    }

    LaunchConfig launchConfig() {
        return launchConfig;
    }

    /** Where the base image is, for {@code crac-dev status} (it changes when the engine rebuilds it). */
    String baseImage() {
        Engine e = engine;
        return e == null ? "none" : e.imageDescription();
    }

    /** Ends every process the engine keeps. */
    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
