package dev.cracdev.cli;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.File;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The root command: {@code crac-dev COMMAND}. Not runnable by itself. */
@Command(name = "crac-dev",
        mixinStandardHelpOptions = true,
        versionProvider = CracDevCommand.VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Save a file, see the change running: a fresh JVM per change, restored from a "
                + "checkpoint taken after the framework booted.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {})
public final class CracDevCommand {
    /** Defaults for any option, in the directory crac-dev runs in (picocli's properties format). */
    static final String PROPERTIES = "crac-dev.properties";

    /**
     * The commands, in the order help lists them. Picocli builds a command's model by reflection (~40-100 ms
     * each on a slow machine), and {@code crac-dev reset} in a script should not pay for all of them. A holder
     * class, so that a command run without picocli ({@link ControlCommands#direct}) does not build the map.
     */
    private static final class Commands {
        static final Map<String, Supplier<Object>> ALL = new LinkedHashMap<>();

        static {
            ALL.put("start", StartCommand::new);
            ALL.put("run", RunCommand::new);
            ALL.put("status", ControlCommands.Status::new);
            ALL.put("restart", ControlCommands.Restart::new);
            ALL.put("reset", ControlCommands.Reset::new);
            ALL.put("wait", ControlCommands.Wait::new);
            ALL.put("stop", ControlCommands.Stop::new);
            ALL.put("doctor", DoctorCommand::new);
            ALL.put("help", CommandLine.HelpCommand::new);
        }
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String[] args) {
        ControlCommands direct = ControlCommands.direct(args);
        return direct != null ? direct.runDirectly() : commandLine(args).execute(args);
    }

    /** The whole command line, every command in it. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: with only the command they name, when they name one at once (its
     * options, help and errors are the same); otherwise ({@code --help}, {@code help}, a typo) with all.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new CracDevCommand());
        String named = args.length > 0 && !args[0].equals("help") ? args[0] : null;
        for (Map.Entry<String, Supplier<Object>> c : Commands.ALL.entrySet()) {
            if (named == null || !Commands.ALL.containsKey(named) || c.getKey().equals(named)) {
                cl.addSubcommand(c.getKey(), c.getValue().get());
            }
        }
        cl.setExitCodeExceptionMapper(CracDevCommand::exitCode);
        cl.setExecutionExceptionHandler(CracDevCommand::handleExecutionException);
        cl.setParameterExceptionHandler(CracDevCommand::handleParameterException);
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format("%3d", c.code), c.meaning);
        }
        cl.getCommandSpec().usageMessage().exitCodeList(codes);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        }
        File properties = new File(PROPERTIES);
        if (properties.isFile()) {
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(properties));
        }
        return cl;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.originalArgs().contains("--verbose") || parsed.originalArgs().contains("-v");
        return reportFailure(e, cl.getErr(), verbose);
    }

    /** Prints a failed command's one sentence (its stack trace too when verbose) and returns its exit code. */
    static int reportFailure(Exception e, PrintWriter err, boolean verbose) {
        if (e instanceof CracDevException c) {
            err.println("[crac-dev] [ERROR] " + c.getMessage());
            if (verbose && c.getCause() != null) {
                c.getCause().printStackTrace(err);
            }
        } else {
            err.println("[crac-dev] [ERROR] internal error: " + e + (verbose ? "" : " (run with --verbose for details)"));
            if (verbose) {
                e.printStackTrace(err);
            }
        }
        err.flush();
        return exitCode(e);
    }

    private static int exitCode(Throwable e) {
        return e instanceof CracDevException c ? c.exitCode().code : ExitCode.INTERNAL.code;
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        List<String> suggestions = e instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
        err.println("[crac-dev] [ERROR] " + e.getMessage() + (suggestions.isEmpty() ? "" : "; did you mean "
                + String.join(" or ", suggestions.stream().limit(3).map(x -> "'" + x + "'").toList()) + "?")
                + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCode.USAGE.code;
    }

    /** Version from the build. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"crac-dev " + Version.get(),
                    "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")};
        }
    }
}
