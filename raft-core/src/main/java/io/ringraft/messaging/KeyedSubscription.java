package io.ringraft.messaging;

import io.ringraft.api.EntryKind;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RaftStatus;
import io.ringraft.internal.messaging.Envelope;
import io.ringraft.spi.LogEntries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A subscriber's read of a messaging group's committed log, in log order, filtered by key, from one replica
 * in this process (issue 15). The subscriber owns the cursor ({@link #nextIndex()}): it stores it with what
 * it did with the entries, and resumes with {@link #open} from there on any replica; every matching entry
 * comes once, none is skipped, none repeated. Only entries the replica has applied are served (they are
 * committed and durable there).
 *
 * <p><b>Back-pressure.</b> Pull-based: {@link #poll} reads at most the given number of log entries from the
 * replica's log storage, and nothing is buffered between calls, so a slow subscriber only reads later (it is
 * paused, never queued for). <b>Threads.</b> One thread at a time per subscription; {@code poll} blocks on
 * the storage read. Subscribers in another process subscribe through a {@code RaftClient}
 * ({@code GroupClient.subscribe}, {@link RemoteSubscription}); the serving replica reads with this class.
 */
public final class KeyedSubscription {

    private static final int MAX_READ_BYTES = 1 << 20;

    private final RaftNode replica;
    private final KeyFilter filter;
    private long nextIndex;

    private KeyedSubscription(RaftNode replica, long nextIndex, KeyFilter filter) {
        this.replica = replica;
        this.nextIndex = nextIndex;
        this.filter = filter;
    }

    /**
     * Subscribes to {@code replica}'s committed log from {@code fromIndex}.
     *
     * @param replica   a replica of a messaging group, in this process
     * @param fromIndex the first index to read (1 for the whole log; a stored cursor to resume)
     * @param filter    which commands to deliver
     * @return the subscription
     * @throws IllegalArgumentException if {@code fromIndex < 1}
     */
    public static KeyedSubscription open(RaftNode replica, long fromIndex, KeyFilter filter) {
        if (fromIndex < 1) {
            throw new IllegalArgumentException("log indexes start at 1, got " + fromIndex);
        }
        return new KeyedSubscription(Objects.requireNonNull(replica, "replica"), fromIndex,
                Objects.requireNonNull(filter, "filter"));
    }

    /**
     * Reads up to {@code maxEntries} log entries from the cursor (as far as the replica applied) and returns
     * the user commands among them that match the filter, in log order; the cursor moves past every entry
     * read, matching or not.
     *
     * @param maxEntries most log entries to read in this call (at least 1)
     * @return the matching commands (maybe none, when nothing new was applied or nothing matched)
     * @throws HistoryPurgedException if the cursor's entry was purged from this replica's log
     * @throws UncheckedIOException   if the storage read failed otherwise
     */
    public List<CommittedEntry> poll(int maxEntries) {
        return poll(maxEntries, MAX_READ_BYTES);
    }

    /**
     * As {@link #poll(int)}, reading at most about {@code maxBytes} bytes of log entries (at least one entry)
     * in this call: a remote subscription's batch bound.
     *
     * @param maxEntries most log entries to read in this call (at least 1)
     * @param maxBytes   most bytes of entries to read, about (at least 1; one entry is read whatever its size)
     * @return the matching commands (maybe none)
     * @throws HistoryPurgedException if the cursor's entry was purged from this replica's log
     * @throws UncheckedIOException   if the storage read failed otherwise
     */
    public List<CommittedEntry> poll(int maxEntries, int maxBytes) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1");
        }
        RaftStatus status = replica.status();
        if (nextIndex <= status.purgedIndex()) {
            throw purged(status);
        }
        LogEntries entries;
        try {
            entries = replica.readApplied(nextIndex, maxEntries, maxBytes);
        } catch (IOException e) {
            RaftStatus now = replica.status();
            if (nextIndex <= now.purgedIndex()) {
                throw purged(now);
            }
            throw new UncheckedIOException("group " + replica.groupId() + ": reading entry " + nextIndex, e);
        }
        if (entries.count() > 0 && entries.firstIndex() != nextIndex) {
            throw new IllegalStateException("asked for entry " + nextIndex + ", got " + entries.firstIndex());
        }
        List<CommittedEntry> matching = new ArrayList<>();
        for (int i = 0; i < entries.count(); i++) {
            if (entries.kindAt(i) != EntryKind.COMMAND) {
                continue;
            }
            Envelope.Keyed command = Envelope.readCommand(entries.payloadAt(i).toByteArray());
            if (command != null && filter.matches(command.keys())) {
                matching.add(new CommittedEntry(entries.firstIndex() + i, command.keys(), command.command()));
            }
        }
        nextIndex += entries.count();
        return matching;
    }

    private HistoryPurgedException purged(RaftStatus status) {
        return new HistoryPurgedException(replica.groupId(), nextIndex, status.purgedIndex(), status.snapshotIndex());
    }

    /**
     * The next index this subscription reads: store it to resume later.
     *
     * @return the cursor
     */
    public long nextIndex() {
        return nextIndex;
    }

    /**
     * The replica read from.
     *
     * @return the replica
     */
    public RaftNode replica() {
        return replica;
    }
}
