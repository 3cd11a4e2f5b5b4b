package io.ringraft.internal.runtime;

import io.ringraft.api.StateMachineFailedException;
import io.ringraft.spi.StateMachine;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Calls into the state machine whose failures must be told apart from the storage's: an exception the
 * state machine throws becomes a {@link StateMachineFailedException} (fail-stop with the right type, see
 * {@code docs/operations.md}), while an {@link IOException} of the snapshot store's own stream stays an
 * {@code IOException} (a storage failure). The stream is watched: whatever the state machine throws after
 * the stream failed counts as the stream's failure.
 *
 * <p>Static helpers, called on the thread that calls the state machine (applier, snapshot task, or the
 * thread that builds the node); they block as long as the state machine and the stream do.
 */
public final class StateMachineCalls {

    private StateMachineCalls() {
    }

    /** The failure of the state machine of node {@code selfId} {@code during} a call (e.g. "applying entry 7"). */
    public static StateMachineFailedException failed(long selfId, String during, Throwable cause) {
        return new StateMachineFailedException("node " + selfId + ": the state machine failed " + during + ": "
                + cause, cause);
    }

    /**
     * Restores {@code machine} from {@code data} and reads the data to its end (where stores verify it).
     *
     * @throws IOException                 if reading {@code data} failed (a storage failure)
     * @throws StateMachineFailedException if the state machine threw anything else
     */
    public static void restore(StateMachine machine, InputStream data, long selfId, String what) throws IOException {
        WatchedInput in = new WatchedInput(data);
        try {
            machine.restore(in);
        } catch (IOException | RuntimeException | Error e) {
            if (in.failure != null) {
                throw in.failure; // the stream failed first: a storage failure, whatever the state machine made of it
            }
            throw failed(selfId, "restoring " + what, e);
        }
        in.transferTo(OutputStream.nullOutputStream());
    }

    /**
     * Has the state machine's {@code view} write itself to {@code out}.
     *
     * @throws IOException                 if writing to {@code out} failed (a storage failure)
     * @throws StateMachineFailedException if the state machine threw anything else
     */
    public static void writeSnapshot(StateMachine.Snapshot view, OutputStream out, long selfId, String what)
            throws IOException {
        WatchedOutput watched = new WatchedOutput(out);
        try {
            view.writeTo(watched);
        } catch (IOException | RuntimeException | Error e) {
            if (watched.failure != null) {
                throw watched.failure;
            }
            throw failed(selfId, "writing " + what, e);
        }
    }

    /** Remembers the first {@link IOException} of the stream it wraps. */
    private static final class WatchedInput extends FilterInputStream {
        IOException failure;

        WatchedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void close() {
            // the caller closes the store's stream
        }

        private IOException noted(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }

    /** Remembers the first {@link IOException} of the stream it wraps. */
    private static final class WatchedOutput extends FilterOutputStream {
        IOException failure;

        WatchedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw noted(e);
            }
        }

        @Override
        public void close() {
            // the sink's stream is not the state machine's to close
        }

        private IOException noted(IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
    }
}
