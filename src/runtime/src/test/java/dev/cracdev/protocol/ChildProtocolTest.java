package dev.cracdev.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    @Test
    void aMalformedLineDecodesToNullInsteadOfThrowing() {
        assertNull(ChildProtocol.decode("started x=%zz"), "bad %-escape");
        assertNull(ChildProtocol.decode("started gen=%"), "truncated %-escape");
        assertNull(ChildProtocol.decode("started gen=%e"), "truncated %-escape");
        assertNull(ChildProtocol.decode(""), "empty");
        assertNull(ChildProtocol.decode("   "), "blank");
    }

    @Test
    void onlyALineWithTheProcesssTokenIsAnEvent() {
        String token = ChildProtocol.newToken();
        assertEquals(32, token.length());
        assertNotEquals(token, ChildProtocol.newToken());

        ChildProtocol.Received real = ChildProtocol.receive(ChildProtocol.eventLine(token, "exiting", "status", "3"), token);
        assertNull(real.appOutput());
        assertEquals("3", real.event().get("status"));

        for (String forged : List.of("@crac-dev@ exiting status=3", "@crac-dev@ " + ChildProtocol.newToken() + " exiting status=3",
                "@crac-dev@ " + token + "exiting status=3", "@crac-dev@ " + token.substring(1) + " exiting status=3")) {
            ChildProtocol.Received r = ChildProtocol.receive(forged, token);
            assertNull(r.event(), forged);
            assertEquals(forged, r.appOutput(), "forwarded as the app's text");
        }
        assertNull(ChildProtocol.receive(ChildProtocol.eventLine(token, "pong"), null).event(), "no token expected: no events");
    }

    @Test
    void aMalformedEventWithTheRightTokenIsAppOutputAndAPromptBeforeAnEventIsKept() {
        String token = ChildProtocol.newToken();
        for (String bad : List.of("@crac-dev@ " + token + " x=%zz", "@crac-dev@ " + token + " ", "@crac-dev@ " + token + " gen=%")) {
            ChildProtocol.Received r = ChildProtocol.receive(bad, token);
            assertNull(r.event(), bad);
            assertEquals(bad, r.appOutput());
        }
        ChildProtocol.Received prompt = ChildProtocol.receive("password> " + ChildProtocol.eventLine(token, "started", "gen", "2"), token);
        assertEquals("password> ", prompt.appOutput());
        assertEquals("2", prompt.event().get("gen"));
    }
}
