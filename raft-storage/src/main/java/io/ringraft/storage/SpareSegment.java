package io.ringraft.storage;

import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next segment file of a {@link SegmentedLogStorage}, zero-filled ahead of time off the log
 * writer's thread, so that a rollover costs a header write, one {@code fsync} and a rename instead of
 * writing a whole segment of zeros in the middle of an append (the suspected cause of the cluster
 * benchmark's p99.9 stalls, issue 19).
 *
 * <p>The spare is {@code spare-segment.tmp} in the log directory: a temporary file, so recovery deletes
 * a leftover one, and it has no segment's name until {@link SegmentFiles#createFromSpare} wrote its
 * header, forced it and renamed it. Preparing it writes {@code bytes} of zeros and forces them. At most
 * one spare exists per storage; it is prepared right after a rollover (a storage that filled a segment
 * is writing), or once the first segment is a quarter full, so an idle group holds no spare.
 *
 * <p><b>Threads.</b> {@link #prepare} and {@link #take} from the storage's writing thread; the zeros are
 * written by the executor (by default {@link #SHARED}: one daemon thread for every storage of the JVM;
 * each storage has at most one preparation queued or running, and with {@code unsafeNoFsync} at most one
 * {@link WriteBehind} force, so its queue holds at most two tasks per open storage). {@link #close} may wait for a preparation in progress (one segment's zeros).
 * A failed preparation is logged and forgotten: the next rollover creates its segment the slow way.
 */
final class SpareSegment {

    private static final Logger LOG = LoggerFactory.getLogger(SpareSegment.class);

    /** The spare's file name (a temporary file: recovery deletes a leftover one). */
    static final String FILE_NAME = "spare-segment" + AtomicFile.TEMP_SUFFIX;

    /** One daemon thread that zero-fills the spares of every storage in the JVM. */
    static final Executor SHARED = new Executor() {
        private volatile ExecutorService thread;

        @Override
        public void execute(Runnable task) {
            ExecutorService started = thread;
            if (started == null) {
                synchronized (this) {
                    if (thread == null) {
                        thread = Executors.newSingleThreadExecutor(runnable -> {
                            Thread t = new Thread(runnable, "ringraft-segment-preparer");
                            t.setDaemon(true);
                            return t;
                        });
                    }
                    started = thread;
                }
            }
            started.execute(task);
        }
    };

    private static final int ZERO_CHUNK_BYTES = 1 << 20;
    /** Zeros, shared read-only (each write takes its own duplicate). */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK_BYTES).asReadOnlyBuffer();

    /** IDLE: none; QUEUED: handed to the executor; FILLING: being written; READY: to take; CLOSED: never again. */
    private enum State { IDLE, QUEUED, FILLING, READY, CLOSED }

    private final FileIo io;
    private final Path path;
    private final long bytes;
    private final Executor executor;
    /** Guarded by this. */
    private State state = State.IDLE;

    /**
     * @param bytes    the size of a segment (the spare's size)
     * @param executor where the zeros are written
     */
    SpareSegment(FileIo io, Path directory, long bytes, Executor executor) {
        this.io = io;
        this.path = directory.resolve(FILE_NAME);
        this.bytes = bytes;
        this.executor = executor;
    }

    /** Starts preparing a spare unless one is ready or being prepared. */
    void prepare() {
        synchronized (this) {
            if (state != State.IDLE) {
                return;
            }
            state = State.QUEUED;
        }
        executor.execute(this::zeroFill);
    }

    /** {@return the ready spare's path, now the caller's to rename, or null if none is ready} */
    synchronized Path take() {
        if (state != State.READY) {
            return null;
        }
        state = State.IDLE;
        return path;
    }

    /**
     * Waits for a spare being written (one segment's zeros); a preparation still queued will do nothing.
     * No spare is handed out after. The file stays (the next open's recovery deletes it, as any temporary
     * file: closing writes nothing, so a close after a crash changes nothing on disk). Idempotent.
     */
    synchronized void close() throws IOException {
        while (state == State.FILLING) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while a spare segment was being prepared", e);
            }
        }
        state = State.CLOSED;
    }

    private void zeroFill() {
        synchronized (this) {
            if (state != State.QUEUED) {
                return; // closed meanwhile: the storage may be gone, write nothing
            }
            state = State.FILLING;
        }
        boolean ready = false;
        try (FileHandle file = io.open(path, true)) {
            file.truncate(0);
            for (long at = 0; at < bytes; at += ZERO_CHUNK_BYTES) {
                file.write(ZEROS.duplicate().limit((int) Math.min(ZERO_CHUNK_BYTES, bytes - at)), at);
                // Each chunk reaches the disk on its own: one force of the whole segment keeps the device busy
                // for tens of ms, and every log's fsync issued meanwhile waits behind it (the tail of issue 19).
                file.force(false);
            }
            file.force(true);
            ready = true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not prepare the next log segment in {} ahead of time; the next one is created when "
                    + "needed: {}", path.getParent(), e.toString());
        }
        synchronized (this) {
            if (state == State.FILLING) {
                state = ready ? State.READY : State.IDLE;
            }
            notifyAll();
        }
    }
}
