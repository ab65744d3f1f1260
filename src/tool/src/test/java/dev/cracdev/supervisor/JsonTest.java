package dev.cracdev.supervisor;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {
    @Test
    void flatObjectsRoundTripWithEscapes() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("engine", "criu");
        in.put("generation", 7);
        in.put("ready", true);
        in.put("path", "C:\\new\\dir \"quoted\"\ttab");
        String json = Json.object(in);
        assertEquals("{\"engine\":\"criu\",\"generation\":7,\"ready\":true,\"path\":\"C:\\\\new\\\\dir \\\"quoted\\\"\\ttab\"}", json);
        Map<String, String> out = Json.parse(json);
        assertEquals(Map.of("engine", "criu", "generation", "7", "ready", "true", "path", "C:\\new\\dir \"quoted\"\ttab"), out);
    }
}
