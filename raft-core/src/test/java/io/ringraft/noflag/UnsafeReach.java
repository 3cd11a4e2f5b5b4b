package io.ringraft.noflag;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds RingRaft classes that use a class of Agrona or JCTools which calls {@code Unsafe} (Agrona's
 * buffers, ring buffers, concurrent queues and counters reach {@code jdk.internal.misc.Unsafe} through
 * {@code org.agrona.UnsafeApi} and fail without {@code --add-exports}; JCTools' non-atomic queues call
 * {@code sun.misc.Unsafe}, which JDK 24+ warns about). What calls {@code Unsafe} is read from the very
 * jars on the class path (a class that names one of {@link #UNSAFE}, or extends such a class), so a new
 * library version that adds or drops some is followed.
 *
 * <p>A use is a class constant: constructing, calling, casting to or reading a field of the class. A
 * class that only appears in a signature (passing {@code null} for an Agrona {@code AtomicCounter},
 * say) is not a use. A call into a harmless library class that reaches {@code Unsafe} inside is left
 * to the child-JVM tests ({@link NoJvmFlagTest}). Used by the {@code NoUnsafeReachTest} of every
 * library module. Test code; not thread-safe.
 */
public final class UnsafeReach {

    /** What a library class calls that needs a JVM option (or warns). */
    static final Set<String> UNSAFE = Set.of("org/agrona/UnsafeApi", "org/jctools/util/UnsafeAccess",
            "sun/misc/Unsafe", "jdk/internal/misc/Unsafe");

    private UnsafeReach() {
    }

    /** A class file's name, superclass and the classes its constant pool names. */
    record ClassInfo(String name, String superName, Set<String> uses) {
    }

    /**
     * {@return one line per use, "RingRaftClass -> LibraryClass", of a library class that calls
     * {@code Unsafe}, by the classes compiled into {@code classes}; empty if none}
     *
     * @param classes   a module's compiled classes ({@code target/classes})
     * @param libraries a class from each jar to check (Agrona, JCTools)
     */
    public static List<String> usesIn(Path classes, Class<?>... libraries) throws IOException {
        Set<String> reaching = new TreeSet<>();
        for (Class<?> library : libraries) {
            reaching.addAll(classesCallingUnsafe(jarOf(library)));
        }
        if (reaching.isEmpty()) {
            throw new IllegalStateException("no library class calls Unsafe: the scan itself is broken");
        }
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                ClassInfo info;
                try (InputStream in = Files.newInputStream(file)) {
                    info = read(in);
                }
                for (String use : info.uses()) {
                    if (reaching.contains(use)) {
                        found.add(info.name() + " -> " + use);
                    }
                }
            }
        }
        return found;
    }

    /** Internal names of the classes in {@code jar} that call {@code Unsafe}, or extend one that does. */
    static Set<String> classesCallingUnsafe(Path jar) throws IOException {
        Map<String, ClassInfo> classes = new HashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.endsWith("module-info.class") && !name.startsWith("META-INF/")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        ClassInfo info = read(in);
                        classes.put(info.name(), info);
                    }
                }
            }
        }
        Set<String> reaching = new TreeSet<>();
        for (ClassInfo info : classes.values()) {
            for (ClassInfo c = info; c != null; c = classes.get(c.superName())) {
                if (!Collections.disjoint(c.uses(), UNSAFE)) {
                    reaching.add(info.name());
                    break;
                }
            }
        }
        return reaching;
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a class file's constant pool and header. */
    static ClassInfo read(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.skipNBytes(2); // string, method type, module, package
                case 15 -> in.skipNBytes(3); // method handle
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // int, float, refs, name-and-type, dynamic
                case 5, 6 -> { // long, double: two slots
                    in.skipNBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        Set<String> uses = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (classNameIndex[i] != 0) {
                String name = utf8[classNameIndex[i]];
                uses.add(name.startsWith("[") ? name.replaceAll("^\\[+L?", "").replace(";", "") : name);
            }
        }
        in.readUnsignedShort(); // access flags
        String name = utf8[classNameIndex[in.readUnsignedShort()]];
        int superClass = in.readUnsignedShort();
        return new ClassInfo(name, superClass == 0 ? null : utf8[classNameIndex[superClass]], uses);
    }
}
