package dev.cracdev.maven;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.ResolutionScope;

import java.util.List;

/**
 * {@code mvn crac-dev:start}: runs the app under crac-dev until Ctrl-C; every change to the classes (a saved
 * source compiled by crac-dev, your IDE's build, {@code mvn compile} in another terminal) starts a fresh
 * generation.
 */
@Mojo(name = "start", requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME, threadSafe = true)
public class StartMojo extends CracDevMojo {
    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<String> cmd = command("start");
        cmd.addAll(compileOnSave());
        cmd.add(mainClass());
        int status = runCracDev(cmd);
        // 130/143: stopped by Ctrl-C or SIGTERM, as a dev server is
        if (status != 0 && status != 130 && status != 143) {
            throw failure("crac-dev exited with status " + status + " (see its messages above)");
        }
    }
}
