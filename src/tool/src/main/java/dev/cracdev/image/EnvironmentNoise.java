package dev.cracdev.image;

import java.util.List;
import java.util.Set;

/**
 * Environment variables left out of the fingerprint: shell and terminal-session bookkeeping that differs
 * between two shells of the same user (or from one command to the next) without meaning anything to an
 * app. Were they covered, opening a new terminal would rebuild the image.
 */
final class EnvironmentNoise {
    private static final Set<String> NAMES = Set.of(
            "_", "SHLVL", "OLDPWD",
            "PWD", // the working directory is an input of its own
            "TERM_SESSION_ID", "ITERM_SESSION_ID", "WINDOWID", "WINDOW", "STY", "XDG_SESSION_ID", "XDG_VTNR",
            "COLUMNS", "LINES",
            "CRACDEV_SOCKET"); // crac-dev's own, per run
    private static final List<String> PREFIXES = List.of("SSH_", "TMUX");

    private EnvironmentNoise() {
    }

    static boolean ignored(String name) {
        return NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
    }
}
