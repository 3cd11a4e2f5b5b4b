package io.ringraft.net.netty.internal.codec;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Listens to Netty's {@code ByteBuf} leak detector: every leak it reports (a buffer collected by
 * the garbage collector before its last release) is recorded, so a test can fail on it instead of
 * leaving a LEAK line in the log. Turns detection up to {@code PARANOID} (every buffer tracked), as
 * the module's surefire configuration does for the whole test run.
 */
public final class NettyLeaks {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            // The detector of every ByteBuf allocator; package-private in Netty, reached on the class path.
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> REPORTS.add(type + " leaked:" + records));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NettyLeaks() {
    }

    /** Starts listening, if not yet; call before the code under test allocates. */
    public static void listen() {
        // the static initializer did it
    }

    /**
     * Collects garbage and lets the detector look at what was collected (it does on every tracked
     * allocation), then returns every leak reported since listening started.
     */
    public static List<String> reported() {
        for (int round = 0; round < 4; round++) {
            System.gc();
            LockSupport.parkNanos(20_000_000);
            for (int i = 0; i < 32; i++) {
                ByteBufAllocator.DEFAULT.directBuffer(8).release();
                ByteBufAllocator.DEFAULT.heapBuffer(8).release();
            }
        }
        return List.copyOf(REPORTS);
    }
}
