package dev.cracdev.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The socket's directories: created private when missing, never a chmod of a directory crac-dev did not create. */
class ControlAddressTest {
    @TempDir
    Path tmp;

    private static String mode(Path dir) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
    }

    private static Path dir(Path dir, String mode) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        return dir;
    }

    @Test
    void anExplicitSocketLeavesEveryExistingDirectoryAsItWas() throws IOException {
        dir(tmp, "rwxr-xr-x");
        Path shared = dir(tmp.resolve("shared"), "rwxrwxr-x");
        ControlDirectories.prepareDirectories(shared.resolve("ctl.sock"));
        assertEquals("rwxrwxr-x", mode(shared), "the socket's own existing directory");
        assertEquals("rwxr-xr-x", mode(tmp), "its parent (CRACDEV_SOCKET=/tmp/x/ctl.sock made /tmp 0700)");
    }

    @Test
    void onlyTheMissingDirectoriesAreCreatedAndThoseArePrivate() throws IOException {
        dir(tmp, "rwxr-xr-x");
        Path shared = dir(tmp.resolve("shared"), "rwxr-xr-x");
        ControlDirectories.prepareDirectories(shared.resolve("a/b/ctl.sock"));
        assertEquals("rwx------", mode(shared.resolve("a")));
        assertEquals("rwx------", mode(shared.resolve("a/b")));
        assertEquals("rwxr-xr-x", mode(shared));
        assertEquals("rwxr-xr-x", mode(tmp));
    }

    @Test
    void aRelativeSocketIsResolvedAgainstTheWorkingDirectory() throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        String before = mode(cwd);
        ControlDirectories.prepareDirectories(Path.of("ctl.sock")); // threw a NullPointerException
        assertEquals(before, mode(cwd));
        assertEquals(cwd.resolve("ctl.sock"), ControlAddress.explicit("ctl.sock"));
    }

    @Test
    void thePerUserDirectoryIsCreatedPrivateAndItsProjectDirectoryToo() throws IOException {
        dir(tmp, "rwxr-xr-x");
        Path user = tmp.resolve("crac-dev-me");
        ControlDirectories.prepareDirectories(user.resolve("0123/control.sock"), user);
        assertEquals("rwx------", mode(user));
        assertEquals("rwx------", mode(user.resolve("0123")));
        assertEquals("rwxr-xr-x", mode(tmp));
    }

    @Test
    void aPerUserDirectoryOfOursThatIsTooOpenIsTightened() throws IOException {
        Path user = dir(tmp.resolve("crac-dev-me"), "rwxr-xr-x");
        ControlDirectories.prepareDirectories(user.resolve("0123/control.sock"), user);
        assertEquals("rwx------", mode(user));
    }

    @Test
    void aSymlinkedPerUserDirectoryIsRefused() throws IOException {
        Path elsewhere = dir(tmp.resolve("elsewhere"), "rwxr-xr-x");
        Path user = Files.createSymbolicLink(tmp.resolve("crac-dev-me"), elsewhere);
        IOException e = assertThrows(IOException.class,
                () -> ControlDirectories.prepareDirectories(user.resolve("0123/control.sock"), user));
        assertTrue(e.getMessage().contains(user.toString()) && e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("rwxr-xr-x", mode(elsewhere), "the link's target is not touched");
        assertTrue(Files.notExists(elsewhere.resolve("0123")));
    }

    @Test
    void aPerUserDirectoryOfAnotherUserIsRefused() throws IOException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root to chown");
        Path user = dir(tmp.resolve("crac-dev-me"), "rwxrwxrwx");
        Files.setAttribute(user, "unix:uid", 65534);
        IOException e = assertThrows(IOException.class,
                () -> ControlDirectories.prepareDirectories(user.resolve("0123/control.sock"), user));
        assertTrue(e.getMessage().contains(user.toString()) && e.getMessage().contains("another user"), e.getMessage());
        assertEquals("rwxrwxrwx", mode(user), "not ours: not touched");
        assertTrue(Files.notExists(user.resolve("0123")));
    }
}
