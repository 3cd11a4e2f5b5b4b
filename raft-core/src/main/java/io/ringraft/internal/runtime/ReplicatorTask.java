package io.ringraft.internal.runtime;

import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.LogEntries;
import io.ringraft.message.RaftMessage;
import java.io.IOException;
import org.agrona.concurrent.Agent;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one peer's messages: takes them from the core's bounded outbox and, for an AppendEntries,
 * reads the entries the engine chose from the ring into its own scratch batch (or from storage when
 * the ring no longer holds them: a lagging follower never pins the ring), then hands the message to
 * the transport.
 *
 * <p>An AppendEntries is sent only if this node still leads the message's term after the entries
 * were read: the core marks the end of leadership before it can truncate anything, so a message
 * never pairs the old leader's previous entry with entries of another log. A refused or failed send
 * is dropped: the engine's progress tracking resends. Runs on its own thread (or a shared one); may
 * block on storage reads only when serving a lagging follower.
 */
final class ReplicatorTask implements Agent {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatorTask.class);

    private final NodeContext ctx;
    private final long peerId;
    private final int slot;
    private final SpscArrayQueue<RaftMessage> outbox;
    private final EntryBatch batch;
    private long dropped;

    ReplicatorTask(NodeContext ctx, int peerSlot) {
        this.ctx = ctx;
        this.peerId = ctx.peers[peerSlot];
        this.slot = peerSlot;
        this.outbox = ctx.outboxes[peerSlot];
        this.batch = new EntryBatch(ctx.config.maxEntriesPerAppend(),
                Math.max(ctx.config.maxBytesPerAppend(), ctx.config.maxEntryBytes()));
    }

    @Override
    public String roleName() {
        return "ringraft-replicator-" + ctx.groupId + "-" + ctx.selfId + "-to-" + peerId;
    }

    @Override
    public int doWork() {
        if (ctx.stopped()) {
            outbox.clear();
            return 0;
        }
        int work = 0;
        RaftMessage message;
        while (work < 64 && (message = outbox.poll()) != null) {
            work++;
            if (message instanceof AppendEntriesRequest request && request.entries() instanceof RingRange range) {
                message = materialize(request, range);
                if (message == null) {
                    dropped++;
                    continue;
                }
            }
            if (!send(message)) {
                dropped++;
            }
        }
        return work;
    }

    private boolean send(RaftMessage message) {
        try {
            return ctx.transport.send(message);
        } catch (RuntimeException e) {
            LOG.warn("transport refused a message to node {}: {}", peerId, e.toString());
            return false;
        }
    }

    /** Reads the range's entries; null if this node no longer leads the message's term. */
    private AppendEntriesRequest materialize(AppendEntriesRequest request, RingRange range) {
        batch.clear(range.firstIndex());
        long end = range.firstIndex() + range.count();
        while (batch.firstIndex() + batch.count() < end && batch.addFromRing(ctx.ring)) {
            // copied from the ring
        }
        long next = batch.firstIndex() + batch.count();
        if (next < end && !batch.isFull()) {
            try {
                LogEntries stored = ctx.storage.read(next, (int) (end - next), ctx.config.maxBytesPerAppend());
                for (int i = 0; i < stored.count() && batch.add(stored, i); i++) {
                    // copied from storage
                }
            } catch (IOException e) {
                LOG.debug("cannot read entries {}.. for node {} from storage: {}", next, peerId, e.toString());
            }
        }
        if (batch.count() == 0 || ctx.leaderTerm.get() != request.term()) {
            return null;
        }
        return new AppendEntriesRequest(request.from(), request.to(), request.term(), request.prevLogId(),
                batch, request.leaderCommit());
    }

    int slot() {
        return slot;
    }

    long dropped() {
        return dropped;
    }
}
