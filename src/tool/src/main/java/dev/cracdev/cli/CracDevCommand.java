package dev.cracdev.cli;

import dev.cracdev.CracDevException;
import dev.cracdev.ExitCode;
import dev.cracdev.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.File;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The root command: {@code crac-dev COMMAND}. Not runnable by itself. */
@Command(name = "crac-dev",
        mixinStandardHelpOptions = true,
        versionProvider = CracDevCommand.VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Save a file, see the change running: a fresh JVM per change, restored from a "
                + "checkpoint taken after the framework booted.",
        subcommands = {StartCommand.class, RunCommand.class, ControlCommands.Status.class, ControlCommands.Restart.class,
                ControlCommands.Reset.class, ControlCommands.Wait.class, ControlCommands.Stop.class, DoctorCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {})
public final class CracDevCommand {

    /** Runs the command line and returns the exit code. */
    public static int execute(String[] args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CracDevCommand());
        cl.setExitCodeExceptionMapper(e -> e instanceof CracDevException c ? c.exitCode().code : ExitCode.INTERNAL.code);
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
        File properties = new File("crac-dev.properties");
        if (properties.isFile()) {
            cl.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(properties));
        }
        return cl;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.originalArgs().contains("--verbose") || parsed.originalArgs().contains("-v");
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
        return cl.getExitCodeExceptionMapper().getExitCode(e);
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("[crac-dev] [ERROR] " + e.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
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
