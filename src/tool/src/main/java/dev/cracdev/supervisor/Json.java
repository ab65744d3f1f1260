package dev.cracdev.supervisor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Flat JSON objects (string, number and boolean values) for {@code crac-dev status --json}. */
public final class Json {
    private static final Pattern MEMBER = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]+)");

    private Json() {
    }

    public static String object(Map<String, Object> members) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, Object> e : members.entrySet()) {
            if (s.length() > 1) {
                s.append(',');
            }
            s.append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            s.append(v instanceof Number || v instanceof Boolean ? v.toString() : quote(String.valueOf(v)));
        }
        return s.append('}').toString();
    }

    /** Parses what {@link #object} writes; values come back as strings. */
    public static Map<String, String> parse(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = MEMBER.matcher(json);
        while (m.find()) {
            out.put(unquote(m.group(1)), m.group(3) != null ? unquote(m.group(3)) : m.group(2).strip());
        }
        return out;
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    private static String unquote(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, Math.min(i + 5, s.length())), 16));
                    i += 4;
                }
                default -> out.append(e); // \" and \\
            }
        }
        return out.toString();
    }
}
