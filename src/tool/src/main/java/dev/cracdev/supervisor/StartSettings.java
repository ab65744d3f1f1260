package dev.cracdev.supervisor;

import dev.cracdev.compile.CompileOnSave;
import dev.cracdev.engine.EngineKind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolved, validated inputs of {@code crac-dev start} and {@code crac-dev run}. {@code compile} is
 * null when nothing compiles on save, {@code triggerFile} when every burst of changes restarts;
 * {@code buildFiles} are the poms the class path was detected from (empty when it was given).
 */
public record StartSettings(
        Path java,
        String javaVersion,
        List<String> jvmOptions,
        List<Path> framework,
        List<Path> appRoots,
        String mainClass,
        List<String> args,
        List<Path> watch,
        List<String> ignores,
        Duration quietPeriod,
        ReadinessProbe probe,
        EngineKind engine,
        Path images,
        Path runtimeJar,
        Path workDir,
        Duration restoreTimeout,
        List<Path> fixtures,
        String fixtureHook,
        ReadyImages readyImages,
        Path controlSocket,
        boolean terminalCommands,
        Duration stopGrace,
        CompileOnSave.Settings compile,
        Path triggerFile,
        List<Path> buildFiles) {
}
