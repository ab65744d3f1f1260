package dev.cracdev.maven;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

import java.util.List;

/**
 * {@code mvn crac-dev:run -Dcrac-dev.command="..."}: for an acceptance stage. Starts the app, waits until it
 * is ready, runs the command (through the shell; it gets {@code CRACDEV_SOCKET} for resets), stops
 * everything; the build fails with the command's exit status.
 */
@Mojo(name = "run", requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class RunMojo extends CracDevMojo {
    /** The command to run against the ready app (a shell command line). */
    @Parameter(property = "crac-dev.command", required = true)
    String command;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<String> cmd = command("run");
        cmd.addAll(List.of("--main", mainClass(), "--"));
        if (System.getProperty("os.name").startsWith("Windows")) {
            cmd.addAll(List.of("cmd", "/c", command));
        } else {
            cmd.addAll(List.of("sh", "-c", command));
        }
        int status = runCracDev(cmd);
        if (status != 0) {
            throw failure("crac-dev:run: '" + command + "' exited with status " + status);
        }
    }
}
