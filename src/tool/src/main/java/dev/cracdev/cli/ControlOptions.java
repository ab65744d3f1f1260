package dev.cracdev.cli;

import dev.cracdev.control.ControlAddress;
import dev.cracdev.control.ControlClient;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a control command finds the supervisor: --socket, else $CRACDEV_SOCKET, else the project directory's. */
public final class ControlOptions {
    @Option(names = "--socket", paramLabel = "PATH", description = "The supervisor's control socket (default: $CRACDEV_SOCKET, "
            + "else the one of the project in --project).")
    Path socket;

    @Option(names = "--project", paramLabel = "DIR", description = "The project directory the supervisor was started in "
            + "(default: the current directory).")
    Path project;

    ControlClient client() {
        if (socket != null) {
            return new ControlClient(socket.toAbsolutePath());
        }
        return new ControlClient(ControlAddress.forProject(project != null ? project : Path.of("").toAbsolutePath()));
    }
}
