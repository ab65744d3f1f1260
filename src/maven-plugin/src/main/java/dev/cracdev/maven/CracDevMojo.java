package dev.cracdev.maven;

import dev.cracdev.CracDevException;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What both goals share: crac-dev runs as its own JVM (as {@code spring-boot:run} forks the app), with the
 * class path Maven resolved for this project — its dependencies as the framework, its output directory as
 * the app root — so nothing is resolved twice. Maven's JVM waits for it and ends it if Maven is stopped.
 */
abstract class CracDevMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
    List<Artifact> pluginArtifacts;

    /** The app's main class; default: the pom's start-class / mainClass / exec.mainClass, else the one class with main. */
    @Parameter(property = "crac-dev.mainClass")
    String mainClass;

    /** More crac-dev options, as on its command line (e.g. {@code --engine standby --ready-url http://localhost:8080/}). */
    @Parameter(property = "crac-dev.options")
    String options;

    /** crac-dev's command line for {@code subcommand}; {@code main} is placed by the subcommand. */
    List<String> command(String subcommand) throws MojoExecutionException {
        List<String> toolPath = new ArrayList<>();
        String runtimeJar = null;
        for (Artifact a : pluginArtifacts) {
            if (a.getFile() == null) {
                continue;
            }
            toolPath.add(a.getFile().getPath());
            if (a.getArtifactId().equals("crac-dev-runtime")) {
                runtimeJar = a.getFile().getPath();
            }
        }
        if (runtimeJar == null) {
            throw new MojoExecutionException("crac-dev-runtime is missing from the plugin's dependencies");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcracdev.runtime.jar=" + runtimeJar, "-cp", String.join(File.pathSeparator, toolPath),
                "dev.cracdev.Main", subcommand));
        String output = project.getBuild().getOutputDirectory();
        if (!Files.isDirectory(Path.of(output))) {
            throw new MojoExecutionException(output + " does not exist: compile first (mvn compile crac-dev:"
                    + subcommand + ")");
        }
        List<String> framework = new ArrayList<>();
        try {
            for (String element : project.getRuntimeClasspathElements()) {
                if (!Path.of(element).equals(Path.of(output))) {
                    framework.add(element);
                }
            }
        } catch (DependencyResolutionRequiredException e) {
            throw new MojoExecutionException("Maven did not resolve the runtime class path: " + e.getMessage(), e);
        }
        if (!framework.isEmpty()) {
            cmd.addAll(List.of("-cp", String.join(File.pathSeparator, framework)));
        }
        cmd.addAll(List.of("--app", output));
        if (options != null && !options.isBlank()) {
            cmd.addAll(List.of(options.strip().split("\\s+")));
        }
        return cmd;
    }

    /**
     * Compile on save from the build's own model: its source roots (not generated ones), its unfiltered
     * resource directories, the compile-only part of its class path (provided scope) and its release.
     */
    List<String> compileOnSave() throws MojoExecutionException {
        List<String> args = new ArrayList<>();
        Path target = Path.of(project.getBuild().getDirectory());
        for (String root : project.getCompileSourceRoots()) {
            if (Files.isDirectory(Path.of(root)) && !Path.of(root).startsWith(target)) {
                args.addAll(List.of("--source", root));
            }
        }
        if (args.isEmpty()) {
            return args;
        }
        for (org.apache.maven.model.Resource r : project.getResources()) {
            if (Files.isDirectory(Path.of(r.getDirectory())) && !r.isFiltering() && r.getTargetPath() == null) {
                args.addAll(List.of("--resources", r.getDirectory()));
            }
        }
        try {
            List<String> compileOnly = new ArrayList<>(project.getCompileClasspathElements());
            compileOnly.removeAll(project.getRuntimeClasspathElements());
            if (!compileOnly.isEmpty()) {
                args.addAll(List.of("--compile-classpath", String.join(File.pathSeparator, compileOnly)));
            }
        } catch (DependencyResolutionRequiredException e) {
            throw new MojoExecutionException("Maven did not resolve the compile class path: " + e.getMessage(), e);
        }
        String release = project.getProperties().getProperty("maven.compiler.release");
        if (release != null && release.strip().matches("\\d+") && Integer.parseInt(release.strip()) <= Runtime.version().feature()) {
            args.addAll(List.of("--release", release.strip()));
        }
        return args;
    }

    String mainClass() throws MojoExecutionException {
        if (mainClass != null && !mainClass.isBlank()) {
            return mainClass;
        }
        try {
            List<String> notes = new ArrayList<>();
            String found = dev.cracdev.supervisor.MavenProject.mainClass(project.getBasedir().toPath(), project.getFile().toPath(), notes);
            notes.forEach(n -> getLog().info("crac-dev: " + n));
            return found;
        } catch (CracDevException e) {
            throw new MojoExecutionException(e.getMessage() + " (or -Dcrac-dev.mainClass=...)");
        }
    }

    /** Runs crac-dev in the project's directory with Maven's terminal; ends it if Maven's JVM is stopped. */
    int runCracDev(List<String> cmd) throws MojoExecutionException {
        getLog().debug("crac-dev: " + String.join(" ", cmd));
        Process process;
        try {
            process = new ProcessBuilder(cmd).directory(project.getBasedir()).inheritIO().start();
        } catch (java.io.IOException e) {
            throw new MojoExecutionException("cannot start crac-dev: " + e.getMessage(), e);
        }
        Thread stopper = new Thread(() -> {
            process.destroy(); // SIGTERM: it stops its generations in order
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }, "crac-dev-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("interrupted while crac-dev ran");
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // Maven is shutting down: the hook ends crac-dev
            }
        }
    }

    static MojoFailureException failure(String message) {
        return new MojoFailureException(message);
    }
}
