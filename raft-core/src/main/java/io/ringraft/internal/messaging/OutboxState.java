package io.ringraft.internal.messaging;

import io.ringraft.messaging.OutboxStatus;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A messaging group's replicated messaging state: the outbox (per target group, the messages emitted and
 * not yet acknowledged, and the next sequence to assign) and the deduplication table (per source group,
 * the last sequence applied). Changed only by the applier thread ({@link MessagingMachine}); read by the
 * delivery loop and status callers on other threads, so every method holds this object's monitor for a
 * bounded time (a copy of at most one batch, or of the whole outbox for a snapshot).
 *
 * <p><b>Bounds.</b> At most {@code capacity} messages ({@link #emit} refuses more). The per-target and
 * per-source tables have one row per group ever talked to: they grow with the number of groups, not with
 * load.
 */
final class OutboxState {

    /** One undelivered message; {@code appliedAtNanos} is this replica's clock, never replicated. */
    record Pending(long sequence, long index, byte[] key, byte[] payload, long appliedAtNanos) {
    }

    private static final int MAGIC = 0x52524d31; // "RRM1"

    /** One target's stream. */
    private static final class Stream {
        long nextSequence = 1;
        final PendingQueue queue = new PendingQueue();
    }

    private final int capacity;
    private final TreeMap<Long, Stream> targets = new TreeMap<>();
    private final TreeMap<Long, Long> lastApplied = new TreeMap<>();
    private volatile int depth;
    private long bytes;
    /**
     * The targets of the messages the command being applied emitted so far, oldest first (applier thread):
     * what {@link #takeBackCommand} removes if the command is refused. At most {@code capacity} long.
     */
    private final ArrayList<Long> emittedByCommand = new ArrayList<>();
    /** Whether a command is being applied (emissions are recorded only then; receive's are not). */
    private boolean inCommand;

    OutboxState(int capacity) {
        this.capacity = capacity;
    }

    /** Undelivered messages (any thread, no lock). */
    int depth() {
        return depth;
    }

    /** Adds a message for {@code target}; false (nothing added) at capacity. Applier thread. */
    synchronized boolean emit(long target, byte[] key, byte[] payload, long index, long nowNanos) {
        if (depth >= capacity) {
            return false;
        }
        Stream stream = targets.computeIfAbsent(target, t -> new Stream());
        stream.queue.addLast(new Pending(stream.nextSequence++, index, key, payload, nowNanos));
        depth++;
        bytes += key.length + payload.length;
        if (inCommand) {
            emittedByCommand.add(target);
        }
        return true;
    }

    /** A command starts: its emissions are counted from here for {@link #takeBackCommand}. Applier thread. */
    synchronized void beginCommand() {
        emittedByCommand.clear();
        inCommand = true;
    }

    /** The command was applied (or refused and taken back). Applier thread. */
    synchronized void endCommand() {
        emittedByCommand.clear();
        inCommand = false;
    }

    /**
     * Removes what the command being applied emitted (newest first), and the sequence numbers it took, so a
     * refused command leaves the outbox as it found it. Applier thread.
     */
    synchronized void takeBackCommand() {
        for (int i = emittedByCommand.size() - 1; i >= 0; i--) {
            Stream stream = targets.get(emittedByCommand.get(i));
            Pending undone = stream.queue.removeLast();
            stream.nextSequence--;
            depth--;
            bytes -= undone.key().length + undone.payload().length;
        }
        emittedByCommand.clear();
    }

    /** Drops {@code target}'s messages up to sequence {@code upTo} (acknowledged). Applier thread. */
    synchronized void acknowledge(long target, long upTo) {
        Stream stream = targets.get(target);
        if (stream == null) {
            return;
        }
        while (!stream.queue.isEmpty() && stream.queue.first().sequence() <= upTo) {
            Pending done = stream.queue.removeFirst();
            depth--;
            bytes -= done.key().length + done.payload().length;
        }
    }

    /** The last sequence applied from {@code source}, 0 if none. */
    synchronized long lastApplied(long source) {
        return lastApplied.getOrDefault(source, 0L);
    }

    /** Records that {@code source}'s message {@code sequence} was applied. Applier thread. */
    synchronized void applied(long source, long sequence) {
        lastApplied.put(source, sequence);
    }

    /** Targets with undelivered messages, in id order. */
    synchronized long[] targetsWithPending() {
        return targets.entrySet().stream().filter(e -> !e.getValue().queue.isEmpty())
                .mapToLong(Map.Entry::getKey).toArray();
    }

    /** The highest sequence acknowledged for {@code target} (one before its oldest undelivered message). */
    synchronized long acknowledgedUpTo(long target) {
        Stream stream = targets.get(target);
        if (stream == null) {
            return 0;
        }
        return stream.queue.isEmpty() ? stream.nextSequence - 1 : stream.queue.first().sequence() - 1;
    }

    /**
     * A copy of {@code target}'s undelivered messages from sequence {@code from} on, in order: at most
     * {@code maxMessages} of them and (but at least one) at most {@code maxBytes} as a DELIVER entry. Finds
     * {@code from} in constant time (sequences in a stream are consecutive).
     */
    synchronized List<Pending> batch(long target, long from, int maxMessages, int maxBytes) {
        Stream stream = targets.get(target);
        if (stream == null) {
            return List.of();
        }
        List<Pending> batch = new ArrayList<>();
        int size = Envelope.DELIVER_HEADER;
        for (int i = stream.queue.positionOf(from); i < stream.queue.size(); i++) {
            Pending m = stream.queue.get(i);
            size += Envelope.messageBytes(m.key().length, m.payload().length);
            if (batch.size() == maxMessages || (!batch.isEmpty() && size > maxBytes)) {
                break;
            }
            batch.add(m);
        }
        return batch;
    }

    /** The status, with ages measured against {@code nowNanos}. */
    synchronized OutboxStatus status(long nowNanos, boolean refusing) {
        Map<Long, Integer> perTarget = new TreeMap<>();
        long oldestIndex = 0;
        long oldestAt = 0;
        for (Map.Entry<Long, Stream> e : targets.entrySet()) {
            Pending first = e.getValue().queue.first();
            if (first == null) {
                continue;
            }
            perTarget.put(e.getKey(), e.getValue().queue.size());
            if (oldestIndex == 0 || first.index() < oldestIndex) {
                oldestIndex = first.index();
                oldestAt = first.appliedAtNanos();
            }
        }
        long age = oldestIndex == 0 ? 0 : Math.max(0, (nowNanos - oldestAt) / 1_000_000);
        return new OutboxStatus(depth, bytes, Collections.unmodifiableMap(perTarget), oldestIndex, age,
                Collections.unmodifiableMap(new TreeMap<>(lastApplied)), refusing);
    }

    /** The whole state as snapshot bytes (a copy: later changes do not touch it). */
    synchronized byte[] encode() {
        ByteArrayOutputStream bytesOut = new ByteArrayOutputStream(64 + (int) Math.min(Integer.MAX_VALUE / 2, bytes));
        try (DataOutputStream out = new DataOutputStream(bytesOut)) {
            out.writeInt(MAGIC);
            out.writeInt(lastApplied.size());
            for (Map.Entry<Long, Long> e : lastApplied.entrySet()) {
                out.writeLong(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(targets.size());
            for (Map.Entry<Long, Stream> e : targets.entrySet()) {
                out.writeLong(e.getKey());
                out.writeLong(e.getValue().nextSequence);
                out.writeInt(e.getValue().queue.size());
                PendingQueue queue = e.getValue().queue;
                for (int k = 0; k < queue.size(); k++) {
                    Pending m = queue.get(k);
                    out.writeLong(m.sequence());
                    out.writeLong(m.index());
                    out.writeInt(m.key().length);
                    out.write(m.key());
                    out.writeInt(m.payload().length);
                    out.write(m.payload());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytesOut.toByteArray();
    }

    /**
     * Replaces the whole state with what {@link #encode} wrote; the restored messages count as applied
     * at {@code nowNanos} for their age.
     *
     * @throws IOException if the stream fails or does not hold a messaging state
     */
    synchronized void decode(DataInputStream in, long nowNanos) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a messaging group's snapshot (no outbox header)");
        }
        TreeMap<Long, Long> applied = new TreeMap<>();
        int sources = readCount(in);
        for (int i = 0; i < sources; i++) {
            applied.put(in.readLong(), in.readLong());
        }
        TreeMap<Long, Stream> streams = new TreeMap<>();
        int newDepth = 0;
        long newBytes = 0;
        int targetCount = readCount(in);
        for (int i = 0; i < targetCount; i++) {
            long target = in.readLong();
            Stream stream = new Stream();
            stream.nextSequence = in.readLong();
            int count = readCount(in);
            for (int j = 0; j < count; j++) {
                long sequence = in.readLong();
                long index = in.readLong();
                byte[] key = new byte[readCount(in)];
                in.readFully(key);
                byte[] payload = new byte[readCount(in)];
                in.readFully(payload);
                if (stream.queue.size() > 0 && sequence != stream.queue.get(stream.queue.size() - 1).sequence() + 1) {
                    throw new IOException("corrupt messaging state: message " + sequence + " to group " + target
                            + " does not follow the one before");
                }
                stream.queue.addLast(new Pending(sequence, index, key, payload, nowNanos));
                newDepth++;
                newBytes += key.length + payload.length;
            }
            streams.put(target, stream);
        }
        lastApplied.clear();
        lastApplied.putAll(applied);
        targets.clear();
        targets.putAll(streams);
        bytes = newBytes;
        depth = newDepth;
    }

    private static int readCount(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            throw new IOException("corrupt messaging state: negative count " + count);
        }
        return count;
    }
}
