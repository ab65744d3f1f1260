package dev.cracdev.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ChildProtocolTest {
    @Test
    void valuesWithSpacesEqualsAndUnicodeSurviveTheRoundTrip() {
        String line = ChildProtocol.encode("go", "gen", "7", "main", "com.example.App", "arg", "a b=c", "arg", "Grüße\n");
        ChildProtocol.Message m = ChildProtocol.decode(line);
        assertEquals("go", m.word());
        assertEquals("7", m.get("gen"));
        assertEquals(7, m.getInt("gen", 0));
        assertEquals(List.of("a b=c", "Grüße\n"), m.all("arg"));
        assertEquals(1, line.lines().count(), "one line on the wire");
    }

    @Test
    void missingAndMalformedFieldsAreHandled() {
        ChildProtocol.Message m = ChildProtocol.decode("started junk gen=x");
        assertEquals("started", m.word());
        assertNull(m.get("missing"));
        assertEquals(-1, m.getInt("gen", -1));
    }
}
