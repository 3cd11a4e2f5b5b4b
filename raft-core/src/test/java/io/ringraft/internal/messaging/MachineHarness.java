package io.ringraft.internal.messaging;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.messaging.BankMachine;
import io.ringraft.messaging.OutboxSettings;
import io.ringraft.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One messaging group's state machine driven by hand: entries applied one at a time, results recorded. */
final class MachineHarness {

    /** A result or a rejection code. */
    record Outcome(Object result, Integer rejectCode) {
    }

    final long groupId;
    final OutboxSettings settings;
    final long[] clock = {1_000_000_000L};
    BankMachine bank;
    MessagingMachine machine;
    long nextIndex = 1;
    /** The last snapshot taken with {@link #takeSnapshot}, the index after it, and the entries applied since. */
    byte[] savedSnapshot;
    long savedNextIndex = 1;
    final List<byte[]> logSinceSnapshot = new ArrayList<>();

    MachineHarness(long groupId, OutboxSettings settings, int accounts, long initial) {
        this.groupId = groupId;
        this.settings = settings;
        this.bank = new BankMachine(groupId, accounts, initial);
        this.machine = new MessagingMachine(groupId, bank, settings, () -> clock[0]);
    }

    Outcome applyEntry(byte[] entry) {
        return applyEntries(List.of(entry)).get(0);
    }

    List<Outcome> applyEntries(List<byte[]> entries) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(nextIndex);
        for (byte[] e : entries) {
            builder.add(1, EntryKind.COMMAND, e);
        }
        Object[] results = new Object[entries.size()];
        Integer[] codes = new Integer[entries.size()];
        machine.apply(builder.build(), new StateMachine.ApplyResults() {
            @Override
            public void set(int offset, Object result) {
                results[offset] = result;
                codes[offset] = null;
            }

            @Override
            public void reject(int offset, int code, String message) {
                codes[offset] = code;
                results[offset] = null;
            }
        });
        nextIndex += entries.size();
        logSinceSnapshot.addAll(entries);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            outcomes.add(new Outcome(results[i], codes[i]));
        }
        return outcomes;
    }

    Outcome transfer(long from, long toGroup, long toAccount, long amount) {
        byte[] command = BankMachine.transfer(from, toGroup, toAccount, amount);
        return applyEntry(Envelope.user(command, 0, command.length));
    }

    /** The DELIVER entry the leader would send to {@code target} now: up to {@code max} messages from {@code from}. */
    byte[] deliveryTo(long target, long from, int max) {
        List<OutboxState.Pending> batch = machine.state().batch(target, from, max, settings.maxBatchBytes());
        return batch.isEmpty() ? null : Envelope.deliver(groupId, batch);
    }

    byte[] snapshot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.snapshot().writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A fresh replica restored from {@code snapshot} (a restart), continuing at the same next index. */
    void restartFrom(byte[] snapshot) {
        bank = new BankMachine(groupId, 0, 0);
        machine = new MessagingMachine(groupId, bank, settings, () -> clock[0]);
        try {
            machine.restore(new ByteArrayInputStream(snapshot));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes a snapshot and remembers it as the one a restart restores. */
    void takeSnapshot() {
        savedSnapshot = snapshot();
        savedNextIndex = nextIndex;
        logSinceSnapshot.clear();
    }

    /**
     * A crash and restart: the replica restores the saved snapshot (or starts empty with the initial
     * accounts) and applies the log after it again; it must reach the very same state.
     */
    void crashAndReplay(int accounts, long initial) {
        byte[] before = snapshot();
        List<byte[]> log = new ArrayList<>(logSinceSnapshot);
        if (savedSnapshot != null) {
            restartFrom(savedSnapshot);
        } else {
            bank = new BankMachine(groupId, accounts, initial);
            machine = new MessagingMachine(groupId, bank, settings, () -> clock[0]);
        }
        nextIndex = savedNextIndex;
        logSinceSnapshot.clear();
        for (byte[] entry : log) {
            applyEntry(entry);
        }
        if (!Arrays.equals(snapshot(), before)) {
            throw new AssertionError("group " + groupId + " replayed to a different state");
        }
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
