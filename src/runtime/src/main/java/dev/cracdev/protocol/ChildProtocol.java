package dev.cracdev.protocol;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The line protocol between the supervisor and the runtime inside a generation.
 *
 * <p>It runs over the child's standard streams, because those are the only channels that survive a
 * checkpoint on every engine: CRIU re-attaches fds 0–2 to fresh pipes on restore, CRaC restores onto
 * the restoring launcher's fds, and a standby JVM simply keeps them. Nothing else is held open across
 * the boundary.
 *
 * <ul>
 *   <li>child → supervisor: a line on stdout that starts with {@link #MARKER} and the process's secret
 *       token, then an event word and {@code key=value} fields (values URL-encoded). The app shares
 *       stdout, so anything else — a marker without the token, a malformed event — is the app's own
 *       output: an app cannot forge an event (say a fake {@code exiting}), nor break the channel.</li>
 *   <li>supervisor → child: one command per line on stdin, same encoding. End of stdin means the
 *       supervisor is gone, and the child exits.</li>
 * </ul>
 *
 * <p>The token: the supervisor gives each JVM it starts a random one ({@link #TOKEN_PROPERTY}, cleared by
 * the runtime first thing) and each generation a fresh one in its {@code go} line, which the runtime uses
 * from then on. A restored JVM shares its template's memory (and so its token) until it reads its go
 * line; after it, only the generation's token counts, which exists nowhere but in the runtime's memory.
 */
public final class ChildProtocol {
    /** Prefix of every runtime event line on the child's stdout. */
    public static final String MARKER = "@crac-dev@ ";
    /** System property with the token of a freshly started JVM (read and cleared by the runtime). */
    public static final String TOKEN_PROPERTY = "cracdev.token";

    // child -> supervisor events
    /** Framework phase done, boundary verified, parked waiting for {@link #GO}. Fields: ms, preloaded, failed, reads. */
    public static final String BOUNDARY = "boundary";
    /** Framework initializers loaded app classes; the template must be rebooted. Field: classes (comma list). */
    public static final String TAINTED = "tainted";
    /** The training run failed or could not prove the app gone: this JVM is not checkpointed. Field: message. */
    public static final String UNTRAINED = "untrained";
    /** Boundary violated (an app class was loaded in the framework phase). Field: message. */
    public static final String REFUSED = "refused";
    /** Generation released, app phase begins. Fields: gen. */
    public static final String STARTED = "started";
    /** {@code main} returned. Fields: gen, ms. */
    public static final String MAIN_RETURNED = "main-returned";
    /** {@code main} threw; as under plain java the JVM lives on while its other threads run. Field: exception. */
    public static final String MAIN_THREW = "main-threw";
    /** The runtime is ending the JVM itself (e.g. main threw). Field: status. Needed because
     *  {@code criu restore} exits 0 whatever the restored JVM did. */
    public static final String EXITING = "exiting";
    /** The recorded framework class list was written. Fields: path, count. */
    public static final String CLASSLIST_SAVED = "classlist-saved";

    /** Answer to {@link #PING}: this JVM runs (how the supervisor knows a ready-image restore worked). */
    public static final String PONG = "pong";
    /** The fixture hook ran (and the heap was trimmed). Field: ms. */
    public static final String FIXTURE_DONE = "fixture-done";
    /** The heap was collected and shrunk for a ready image ({@link #TRIM}). Field: ms. */
    public static final String TRIMMED = "trimmed";
    /** Answer to {@link #PREFAULT}. Fields: pages (read), ms, outcome (done, stopped, off, or why not). */
    public static final String PREFAULTED = "prefaulted";
    /** The fixture hook failed. Field: message. */
    public static final String FIXTURE_FAILED = "fixture-failed";
    /** Answer to {@link #QUIESCE}. Fields: resources (how many were told), failed (why, when one threw). */
    public static final String QUIESCED = "quiesced";
    /** Answer to {@link #RESUME}: the resources were told of the restore (Spring has reopened its port). */
    public static final String RESUMED = "resumed";

    // supervisor -> child commands
    /** Are you there? Answered with {@link #PONG}. Field (optional): exitflag, made first (see {@link #GO}). */
    public static final String PING = "ping";
    /** Collect and shrink the heap before a ready image is taken; answered with {@link #TRIMMED}. */
    public static final String TRIM = "trim";
    /** Run the fixture hook, then trim the heap as {@link #TRIM} does. Field: class (a Runnable, or a class with static main). */
    public static final String FIXTURE = "fixture";
    /** A restored JVM, parked: read its memory once while it waits (see the runtime's Prefault); answered with {@link #PREFAULTED}. */
    public static final String PREFAULT = "prefault";
    /** Release into the app phase. Fields: gen, main, restored, token (the generation's), arg (repeated). */
    public static final String GO = "go";
    /**
     * A ready image is taken next: tell the org.crac resources a checkpoint comes (Spring stops its web server
     * and pools, so the image holds no listening socket); answered with {@link #QUIESCED}.
     */
    public static final String QUIESCE = "quiesce";
    /**
     * After {@link #QUIESCE}, in the generation that was dumped and in every restore of its image: tell the
     * resources of the restore; answered with {@link #RESUMED}. Field (optional): exitflag, made first (see {@link #GO}).
     */
    public static final String RESUME = "resume";
    /** Write the recorded framework class list. Field: path. */
    public static final String SAVE_CLASSLIST = "save-classlist";

    /** Exit status of a template whose framework phase was tainted (it is rebuilt, not reported as a crash). */
    public static final int EXIT_TAINTED = 75;
    /** Exit status of a template whose training run failed (it is rebooted untrained). */
    public static final int EXIT_UNTRAINED = 74;
    /** Exit status of a template that refused the boundary. */
    public static final int EXIT_REFUSED = 76;

    private ChildProtocol() {
    }

    /** One decoded line: a word and ordered fields (a key may repeat). */
    public record Message(String word, List<Map.Entry<String, String>> fields) {
        public String get(String key) {
            for (Map.Entry<String, String> f : fields) {
                if (f.getKey().equals(key)) {
                    return f.getValue();
                }
            }
            return null;
        }

        public List<String> all(String key) {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, String> f : fields) {
                if (f.getKey().equals(key)) {
                    values.add(f.getValue());
                }
            }
            return values;
        }

        public int getInt(String key, int fallback) {
            String v = get(key);
            try {
                return v == null ? fallback : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }

    /** Encodes a word and alternating key, value pairs into one line (no newline). */
    public static String encode(String word, String... keyValues) {
        StringBuilder line = new StringBuilder(word);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=')
                    .append(URLEncoder.encode(keyValues[i + 1], StandardCharsets.UTF_8));
        }
        return line.toString();
    }

    /** Decodes a line made by {@link #encode}; fields without '=' are ignored; null if the line is empty or malformed (no word first, a bad %-escape). */
    public static Message decode(String line) {
        String[] parts = line.trim().split(" ");
        if (!isWord(parts[0])) {
            return null;
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                try {
                    fields.add(Map.entry(parts[i].substring(0, eq),
                            URLDecoder.decode(parts[i].substring(eq + 1), StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException badEscape) {
                    return null;
                }
            }
        }
        return new Message(parts[0], fields);
    }

    /** Event and command words are plain words: letters, then letters, digits and dashes. */
    private static boolean isWord(String s) {
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            return false;
        }
        return s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-');
    }

    /** A fresh secret token (128 random bits, hex). */
    public static String newToken() {
        byte[] bytes = new byte[16];
        TokenSource.RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The stdout line of an event of the process holding {@code token}. */
    public static String eventLine(String token, String word, String... keyValues) {
        return MARKER + token + " " + encode(word, keyValues);
    }

    /** Only the supervisor makes tokens: a SecureRandom in the child could hold /dev/urandom open across a checkpoint. */
    private static final class TokenSource {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /**
     * A stdout line as the supervisor sees it: the event it carries for {@code token} (null: none) and the
     * app's part of it (null: none). A line with an event can start with the app's partial line (a prompt).
     */
    public record Received(String appOutput, Message event) {
    }

    /** Splits a stdout line of the process whose current token is {@code token} (null: accept no event). */
    public static Received receive(String line, String token) {
        if (token == null) {
            return new Received(line, null);
        }
        String prefix = MARKER + token + " ";
        int at = line.indexOf(prefix);
        Message event = at < 0 ? null : decode(line.substring(at + prefix.length()));
        if (event == null) {
            return new Received(line, null);
        }
        return new Received(at == 0 ? null : line.substring(0, at), event);
    }
}
