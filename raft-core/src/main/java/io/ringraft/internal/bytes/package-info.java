/**
 * The implementations of {@link io.ringraft.api.Bytes} that RingRaft hands out: {@code ArrayBytes}, a
 * re-pointable view of a region of a {@code byte[]} (the ring's arena, batches, heap entries), and
 * {@code BufferBytes}, a view of a {@link java.nio.ByteBuffer}. Multi-byte reads go through
 * {@link java.lang.invoke.VarHandle}s or the buffer's own absolute accessors: nothing here needs
 * {@code sun.misc.Unsafe} or {@code jdk.internal.misc}. Internal: not exported by the module.
 */
package io.ringraft.internal.bytes;
