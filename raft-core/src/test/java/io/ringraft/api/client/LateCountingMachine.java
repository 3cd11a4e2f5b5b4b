package io.ringraft.api.client;

import io.ringraft.api.Bytes;
import io.ringraft.spi.ApplyProgress;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.spi.StreamingStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * {@link CountingStateMachine} as a stream that applies late: {@code accept} only keeps the views, and
 * {@link #applySome} applies the oldest commands handed over, reading each from its view only then, and
 * reports them (results, rejections, then progress). Single-threaded test double.
 */
final class LateCountingMachine implements StreamingStateMachine {

    /** A command handed over and not applied yet: its view and place in it. */
    private record Handed(LogEntries view, int offset) {
    }

    final CountingStateMachine state = new CountingStateMachine();
    final ArrayDeque<Handed> handed = new ArrayDeque<>();
    private final java.util.function.IntSupplier eagerly;
    private ApplyProgress progress;

    /** @param eagerly how many commands to apply inside each {@code accept} (reporting from inside it) */
    LateCountingMachine(java.util.function.IntSupplier eagerly) {
        this.eagerly = eagerly;
    }

    @Override
    public void accept(LogEntries commands, ApplyProgress progress) {
        this.progress = progress;
        for (int i = 0; i < commands.count(); i++) {
            handed.add(new Handed(commands, i));
        }
        applySome(eagerly.getAsInt());
    }

    /** Applies and reports up to {@code count} of the oldest commands handed over. */
    void applySome(int count) {
        long last = -1;
        for (int k = 0; k < count && !handed.isEmpty(); k++) {
            Handed next = handed.poll();
            Bytes payload = next.view().payloadAt(next.offset());
            long index = next.view().firstIndex() + next.offset();
            long id = payload.getLong(0);
            if (id % 7 == 0) {
                progress.reject(index, 7, "id " + id + " is refused");
            } else {
                state.applied.merge(id, 1, Integer::sum);
                state.total++;
                progress.result(index, ByteBuffer.allocate(8).putLong(state.total).array());
            }
            last = index;
        }
        if (last >= 0) {
            progress.applied(last);
        }
    }

    @Override
    public Object query(Bytes query) {
        return state.query(query);
    }

    @Override
    public StateMachine.Snapshot snapshot() {
        if (!handed.isEmpty()) {
            throw new AssertionError("snapshot with " + handed.size() + " commands not reported");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            state.snapshot().writeTo(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] copy = bytes.toByteArray();
        return out -> out.write(copy);
    }

    @Override
    public void restore(InputStream data) throws IOException {
        state.restore(data);
    }

    static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }
}
