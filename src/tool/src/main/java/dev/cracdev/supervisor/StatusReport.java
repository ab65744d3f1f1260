package dev.cracdev.supervisor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code crac-dev status} shows: one JSON object, keys in a fixed order. */
final class StatusReport {
    /** The current generation as status shows it; {@code ready} means settled (ready image taken, if any). */
    record Gen(int number, long pid, boolean ready, long uptimeMs, String lastStatus) {
    }

    private StatusReport() {
    }

    static String json(String engine, String state, Gen gen, String readyImage, String baseImage, String next,
                       Path project, Path socket) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("engine", engine);
        s.put("state", state);
        s.put("generation", gen == null ? 0 : gen.number());
        s.put("pid", gen == null ? 0 : gen.pid());
        s.put("ready", gen != null && gen.ready());
        s.put("uptimeMs", gen == null ? 0 : gen.uptimeMs());
        s.put("lastStatus", gen == null ? "" : gen.lastStatus());
        s.put("readyImage", readyImage);
        s.put("baseImage", baseImage);
        s.put("next", next);
        s.put("project", project.toString());
        s.put("socket", socket.toString());
        return Json.object(s);
    }
}
