package io.ringraft.net.netty;

import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every applied command as a string; the result of a command is its index. */
final class RecordingStateMachine implements StateMachine {

    final List<String> applied = new CopyOnWriteArrayList<>();

    @Override
    public void apply(LogEntries entries, ApplyResults results) {
        for (int i = 0; i < entries.count(); i++) {
            byte[] bytes = entries.payloadAt(i).toByteArray();
            applied.add(new String(bytes, StandardCharsets.UTF_8));
            results.set(i, entries.firstIndex() + i);
        }
    }
}
