package dev.cracdev;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsoleTest {
    private static final String STATUS = "gen 2 ready in 5 ms · 1 change (A.class) · stop 3 ms";

    private static String printed(java.nio.charset.Charset charset) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, charset);
        new Console(err, err, false, charset).info(STATUS);
        return bytes.toString(charset).strip();
    }

    @Test
    void aConsoleThatCannotPrintTheSeparatorGetsAsciiNotQuestionMarks() {
        assertEquals("[crac-dev] gen 2 ready in 5 ms - 1 change (A.class) - stop 3 ms", printed(StandardCharsets.US_ASCII));
    }

    @Test
    void aUtf8ConsoleGetsTheLineAsItIs() {
        assertEquals("[crac-dev] " + STATUS, printed(StandardCharsets.UTF_8));
    }
}
