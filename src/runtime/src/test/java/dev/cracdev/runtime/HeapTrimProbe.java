package dev.cracdev.runtime;

import java.lang.management.ManagementFactory;

/** Run by {@link HeapTrimTest} in a JVM of its own: fills the heap with garbage, trims, prints the numbers. */
public final class HeapTrimProbe {
    static volatile Object sink;

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 300 * 16; i++) {
            sink = new byte[64 << 10]; // 300 MB in 64 KB arrays (young objects, not humongous): the heap grows with garbage
        }
        System.out.println("before " + committedMb() + " " + residentMb());
        HeapTrim.trim();
        System.out.println("after " + committedMb() + " " + residentMb() + " "
                + ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Dcracdev.trim=off"));
        System.out.println("flags " + ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("MaxHeapFreeRatio").getValue());
    }

    private static long committedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
    }

    private static long residentMb() throws Exception {
        return ProbeJvm.residentKb() / 1024;
    }
}
