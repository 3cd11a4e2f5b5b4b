package io.ringraft.storage.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared log's fail-stop switch. The first IO failure anywhere (a write, an {@code fsync}, a
 * file creation, corruption found by a read, a failure of the maintenance thread) is recorded here,
 * and from then on every operation of every group throws an {@link IOException} naming it: after a
 * failed {@code fsync} the kernel may have dropped the dirty pages, so nothing is retried, and only
 * a restart (which recovers from what the disk holds) is safe. Also records that the log was closed.
 *
 * <p>Thread-safe; {@link #check()} is a volatile read.
 */
final class FailStop {

    private static final Logger LOG = LoggerFactory.getLogger(FailStop.class);

    private final Path directory;
    private final Runnable onFailure;
    private volatile Throwable failure;
    private volatile boolean closed;

    /** @param onFailure run once, by the thread that records the first failure (wakes waiting flushes) */
    FailStop(Path directory, Runnable onFailure) {
        this.directory = directory;
        this.onFailure = onFailure;
    }

    /** Records {@code cause} if it is the first failure. */
    void fail(Throwable cause) {
        boolean first;
        synchronized (this) {
            first = failure == null && !closed;
            if (first) {
                failure = cause;
            }
        }
        if (first) {
            LOG.error("shared log in {} failed and stops (fail-stop): {}", directory, cause.toString(), cause);
            onFailure.run();
        }
    }

    /** True once a failure was recorded. */
    boolean failed() {
        return failure != null;
    }

    void markClosed() {
        closed = true;
        onFailure.run();
    }

    boolean closed() {
        return closed;
    }

    /** Throws if the log failed or was closed. */
    void check() throws IOException {
        Throwable failed = failure;
        if (failed != null) {
            throw new IOException("shared log in " + directory + " failed earlier and stopped (fail-stop; restart"
                    + " to recover from what the disk holds): " + failed, failed instanceof UncheckedIOException u
                    ? u.getCause() : failed);
        }
        if (closed) {
            throw new IOException("shared log in " + directory + " is closed");
        }
    }
}
