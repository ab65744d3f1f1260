package dev.cracdev.runtime;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Says what keeps an object alive: dumps the heap (HPROF, live objects only) and searches backwards from
 * the object to a GC root, one pass over the dump per step, so memory stays small whatever the heap size
 * (the answer is the shortest path). Weak, soft and phantom references do not count (the {@code referent}
 * field is skipped). Used when the training run's class loader outlives the app: the line then names who
 * holds it, e.g. {@code java.lang.System.props -> java.util.Properties.map -> ... -> LeakyApplication (class)}.
 */
final class RetainingPath {
    private static final int MAX_STEPS = 60;
    private static final int ROOT_THREAD_OBJECT = 0x08;

    private final Map<Long, String> strings = new HashMap<>();
    private final Map<Long, Long> classNames = new HashMap<>(); // class object id -> name string id
    private final Map<Long, ClassLayout> layouts = new HashMap<>();
    private int idSize;

    private record ClassLayout(long superId, long[] fieldNames, byte[] fieldTypes) {
    }

    private record Edge(long referrer, String label) {
    }

    private RetainingPath() {
    }

    /** The path from a GC root to an instance of {@code targetClass}, or why it could not be found. */
    static String describe(String targetClass, Path dumpDir) {
        Path dump = dumpDir.resolve("retained-" + ProcessHandle.current().pid() + ".hprof");
        try {
            Files.deleteIfExists(dump);
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpHeap(dump.toString(), true);
            return new RetainingPath().find(dump, targetClass.replace('.', '/'));
        } catch (IOException | RuntimeException | LinkageError e) {
            return "no retaining path (" + e + ")";
        } finally {
            try {
                Files.deleteIfExists(dump); // process memory: never left behind
            } catch (IOException e) {
                // the image store's directory is private; the file goes with the next sweep
            }
        }
    }

    private String find(Path dump, String targetClass) throws IOException {
        Map<Long, Edge> found = new HashMap<>(); // object -> who refers to it (toward a root)
        long[] root = {0};
        String[] rootKind = {null};
        List<Long> targets = new ArrayList<>();
        scan(dump, new Visitor() {
            @Override
            public void instance(long id, long classId) {
                if (targetClass.equals(className(classId))) {
                    targets.add(id);
                }
            }
        });
        if (targets.isEmpty()) {
            return "no retaining path (no instance of " + targetClass + " in the heap dump)";
        }
        long target = targets.get(0);
        Set<Long> frontier = new HashSet<>(Set.of(target));
        for (int step = 0; step < MAX_STEPS && !frontier.isEmpty() && rootKind[0] == null; step++) {
            Set<Long> current = frontier;
            Set<Long> next = new HashSet<>();
            scan(dump, new Visitor() {
                @Override
                public void root(int kind, long id) {
                    if (rootKind[0] == null && current.contains(id)) {
                        root[0] = id;
                        rootKind[0] = kind == ROOT_THREAD_OBJECT ? "a thread" : "a GC root";
                    }
                }

                @Override
                public void reference(long from, long to, String label) {
                    if (current.contains(to) && from != to && !found.containsKey(from) && from != target) {
                        found.put(from, new Edge(to, label)); // the first referrer found wins
                        next.add(from);
                    }
                }
            });
            next.removeIf(current::contains);
            frontier = next;
        }
        if (rootKind[0] == null) {
            return "no retaining path found within " + MAX_STEPS + " steps";
        }
        return format(root[0], found, target, targetClass);
    }

    /** Root first: "Class.field -> Class.field -> ... -> target". */
    private String format(long root, Map<Long, Edge> found, long target, String targetClass) {
        List<String> parts = new ArrayList<>();
        long at = root;
        Set<Long> seen = new HashSet<>();
        while (at != target && seen.add(at)) {
            Edge e = found.get(at);
            if (e == null) {
                break;
            }
            parts.add(e.label());
            at = e.referrer();
        }
        parts.add(shortName(targetClass));
        if (parts.size() > 10) {
            List<String> shorter = new ArrayList<>(parts.subList(0, 5));
            shorter.add("...");
            shorter.addAll(parts.subList(parts.size() - 4, parts.size()));
            parts = shorter;
        }
        return String.join(" -> ", parts);
    }

    private String className(long classId) {
        Long nameId = classNames.get(classId);
        String name = nameId == null ? null : strings.get(nameId);
        return name == null ? "?" : name;
    }

    /** {@code java/util/HashMap} -> {@code java.util.HashMap}; {@code [Ljava/lang/Object;} -> {@code java.lang.Object[]}. */
    private static String shortName(String internal) {
        String name = internal.replace('/', '.');
        int dims = 0;
        while (name.startsWith("[", dims)) {
            dims++;
        }
        if (dims > 0 && name.startsWith("L", dims) && name.endsWith(";")) {
            name = name.substring(dims + 1, name.length() - 1);
        } else if (dims > 0) {
            name = name.substring(dims);
        }
        return name + "[]".repeat(dims);
    }

    private interface Visitor {
        default void root(int kind, long id) {
        }

        default void instance(long id, long classId) {
        }

        default void reference(long from, long to, String label) {
        }
    }

    /** One pass over the dump: roots, and every reference with a label saying which field or element holds it. */
    private void scan(Path dump, Visitor visitor) throws IOException {
        try (InputStream file = Files.newInputStream(dump);
             DataInputStream in = new DataInputStream(new BufferedInputStream(file, 1 << 16))) {
            while (in.readByte() != 0) {
                // format name, NUL-terminated
            }
            idSize = in.readInt();
            in.readLong(); // timestamp
            while (true) {
                int tag;
                try {
                    tag = in.readUnsignedByte();
                } catch (EOFException e) {
                    return;
                }
                in.readInt(); // time
                long length = Integer.toUnsignedLong(in.readInt());
                switch (tag) {
                    case 0x01 -> {
                        long id = readId(in);
                        byte[] utf8 = in.readNBytes((int) (length - idSize));
                        strings.putIfAbsent(id, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
                    }
                    case 0x02 -> {
                        in.readInt();
                        long classId = readId(in);
                        in.readInt();
                        classNames.put(classId, readId(in));
                    }
                    case 0x0c, 0x1c -> heapDump(in, length, visitor);
                    default -> in.skipNBytes(length);
                }
            }
        }
    }

    private void heapDump(DataInputStream in, long length, Visitor visitor) throws IOException {
        long end = length;
        long read = 0;
        while (read < end) {
            int sub = in.readUnsignedByte();
            read += 1;
            switch (sub) {
                case 0xff, 0x05, 0x07 -> { visitor.root(sub, readId(in)); read += idSize; }
                case 0x01 -> { visitor.root(sub, readId(in)); readId(in); read += 2L * idSize; }
                case 0x02, 0x03 -> { visitor.root(sub, readId(in)); in.readInt(); in.readInt(); read += idSize + 8; }
                case 0x04, 0x06 -> { visitor.root(sub, readId(in)); in.readInt(); read += idSize + 4; }
                case 0x08 -> { visitor.root(sub, readId(in)); in.readInt(); in.readInt(); read += idSize + 8; }
                case 0x20 -> read += classDump(in, visitor);
                case 0x21 -> {
                    long id = readId(in);
                    in.readInt();
                    long classId = readId(in);
                    int size = in.readInt();
                    read += 2L * idSize + 8 + size;
                    byte[] fields = in.readNBytes(size);
                    visitor.instance(id, classId);
                    references(id, classId, fields, visitor);
                }
                case 0x22 -> {
                    long id = readId(in);
                    in.readInt();
                    int count = in.readInt();
                    long arrayClass = readId(in);
                    for (int i = 0; i < count; i++) {
                        long to = readId(in);
                        if (to != 0) {
                            visitor.reference(id, to, shortName(className(arrayClass)) + "[" + i + "]");
                        }
                    }
                    read += 2L * idSize + 8 + (long) count * idSize;
                }
                case 0x23 -> {
                    readId(in);
                    in.readInt();
                    int count = in.readInt();
                    int type = in.readUnsignedByte();
                    long bytes = (long) count * size(type);
                    in.skipNBytes(bytes);
                    read += idSize + 9 + bytes;
                }
                default -> throw new IOException("unknown heap dump record " + Integer.toHexString(sub));
            }
        }
    }

    private long classDump(DataInputStream in, Visitor visitor) throws IOException {
        long read = 0;
        long classId = readId(in);
        in.readInt();
        long superId = readId(in);
        long loader = readId(in);
        for (int i = 0; i < 4; i++) {
            readId(in); // signers, protection domain, reserved
        }
        in.readInt(); // instance size
        read += 7L * idSize + 8;
        if (loader != 0) {
            visitor.reference(classId, loader, shortName(className(classId)) + " (class) -> its class loader");
        }
        int constants = in.readUnsignedShort();
        read += 2;
        for (int i = 0; i < constants; i++) {
            in.readUnsignedShort();
            int type = in.readUnsignedByte();
            in.skipNBytes(size(type));
            read += 3 + size(type);
        }
        int statics = in.readUnsignedShort();
        read += 2;
        for (int i = 0; i < statics; i++) {
            long name = readId(in);
            int type = in.readUnsignedByte();
            read += idSize + 1 + size(type);
            if (type == 2) {
                long to = readId(in);
                if (to != 0) {
                    visitor.reference(classId, to, shortName(className(classId)) + "." + strings.getOrDefault(name, "?") + " (static)");
                }
            } else {
                in.skipNBytes(size(type));
            }
        }
        int fields = in.readUnsignedShort();
        read += 2;
        long[] names = new long[fields];
        byte[] types = new byte[fields];
        for (int i = 0; i < fields; i++) {
            names[i] = readId(in);
            types[i] = in.readByte();
            read += idSize + 1;
        }
        layouts.put(classId, new ClassLayout(superId, names, types));
        return read;
    }

    /** Instance fields are laid out class first, then each superclass. */
    private void references(long id, long classId, byte[] fields, Visitor visitor) {
        int offset = 0;
        for (long c = classId; c != 0; ) {
            ClassLayout layout = layouts.get(c);
            if (layout == null) {
                return; // class dumped after its instances: not in this dump's order (HotSpot dumps classes first)
            }
            for (int i = 0; i < layout.fieldNames().length; i++) {
                int type = layout.fieldTypes()[i];
                if (type == 2) {
                    long to = id(fields, offset);
                    String name = strings.getOrDefault(layout.fieldNames()[i], "?");
                    if (to != 0 && !name.equals("referent")) { // weak, soft and phantom references do not retain
                        visitor.reference(id, to, shortName(className(classId)) + "." + name);
                    }
                }
                offset += size(type);
            }
            c = layout.superId();
        }
    }

    private long id(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < idSize; i++) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private long readId(DataInputStream in) throws IOException {
        return idSize == 4 ? Integer.toUnsignedLong(in.readInt()) : in.readLong();
    }

    private int size(int type) {
        return switch (type) {
            case 2 -> idSize;
            case 4, 8 -> 1;
            case 5, 9 -> 2;
            case 6, 10 -> 4;
            case 7, 11 -> 8;
            default -> throw new IllegalArgumentException("unknown basic type " + type);
        };
    }
}
