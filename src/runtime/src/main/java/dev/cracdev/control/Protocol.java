package dev.cracdev.control;

/**
 * The control socket's line protocol (CLI, scripts and the JUnit extension → supervisor). One request
 * line, one reply line, then the connection closes.
 *
 * <pre>
 * status              → ok {"engine":"criu","generation":7,...}   (a flat JSON object)
 * restart             → ok generation 8 ready in 412 ms
 * reset               → ok generation 9 ready in 93 ms (ready image ...)   restore the ready image
 * reset nowait        → ok reset requested                          answer before the app is ready
 * wait [MILLIS]       → ok generation 9 ready                        block until a generation is ready
 * stop                → ok stopping
 * anything else       → err unknown request 'x'; try: status, restart, reset, wait, stop
 * </pre>
 * A reply starts with {@code ok } or {@code err }; requests over {@value #MAX_LINE} characters are refused.
 */
public final class Protocol {
    public static final int MAX_LINE = 4096;
    public static final String OK = "ok";
    public static final String ERR = "err";

    private Protocol() {
    }
}
