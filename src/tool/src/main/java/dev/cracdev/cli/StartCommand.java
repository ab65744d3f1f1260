package dev.cracdev.cli;

import dev.cracdev.Console;
import dev.cracdev.engine.Engines;
import dev.cracdev.supervisor.StartSettings;
import dev.cracdev.supervisor.Supervisor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.Callable;

/** {@code crac-dev start}: the supervisor, in the foreground until Ctrl-C. */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run MAIN_CLASS and start a fresh generation on every change of the app roots.",
                "Type rs + Enter (or just Enter) to restart by hand; Ctrl-C stops everything."})
public final class StartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Option(names = {"-v", "--verbose"}, description = "Show details and stack traces.")
    boolean verbose;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAIN_CLASS", descriptionKey = "main",
            description = "Your app's main class.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for main.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Console console = Console.system(verbose);
        Supervisor.Reloader resolve = () -> { // at start, and again after a pom change
            StartSettings resolved = options.resolve(mainClass, args, true);
            options.detected.forEach(line -> console.info("Maven project: " + line));
            return resolved;
        };
        StartSettings settings = resolve.resolveAgain();
        Engines.Choice choice = Engines.choose(settings.engine(), settings.java());
        while (true) { // once more for each pom change that changed the class path
            Supervisor supervisor = new Supervisor(settings, choice, console, settings.buildFiles().isEmpty() ? null : resolve);
            int code = supervisor.run();
            if (supervisor.reloadedSettings() == null) {
                return code;
            }
            settings = supervisor.reloadedSettings();
        }
    }
}
