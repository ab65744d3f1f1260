package dev.cracdev.runtime;

/**
 * Run by {@link PrefaultTest} in a JVM of its own: holds ~64 MB, reads its memory, prints the numbers; or,
 * with {@code control}, runs the runtime's control line on its stdin, as a parked generation does.
 */
public final class PrefaultProbe {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("control")) {
            Boot.takeToken();
            ControlLine.start(new ControlLine.CommandHandler() {
                @Override
                public void saveClassList(String path) {
                }

                @Override
                public void runFixture(String className) {
                }

                @Override
                public void trimHeap() {
                }

                @Override
                public void quiesce() {
                }

                @Override
                public void resume() {
                }
            }).awaitGo();
            Thread.sleep(Long.MAX_VALUE); // until the test closes stdin: the control line then ends the JVM
        }
        byte[][] held = new byte[64][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1 << 20];
            java.util.Arrays.fill(held[i], (byte) 1); // resident
        }
        sink = held;
        long before = ProbeJvm.residentKb();
        Prefault.Result r = Prefault.run();
        long after = ProbeJvm.residentKb();
        System.out.println("result " + r.touched() + " " + r.outcome().replace(' ', '_') + " " + before + " " + after);
    }
}
