package dev.cracdev.junit;

import dev.cracdev.control.ControlAddress;
import dev.cracdev.control.ControlClient;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/** Resets the app under test before each test (see {@link FreshCracDevApp}). Needs only JUnit and the JDK. */
public final class CracDevExtension implements BeforeEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        ControlClient client = new ControlClient(socket());
        ControlClient.Reply reply = client.send("reset");
        if (!reply.ok()) {
            throw new IllegalStateException("crac-dev could not reset the app before " + context.getDisplayName()
                    + ": " + reply.text());
        }
    }

    static Path socket() {
        String property = System.getProperty(ControlAddress.PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        return ControlAddress.forProject(Path.of("").toAbsolutePath());
    }
}
