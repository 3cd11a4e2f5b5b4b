package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftNode;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.message.AppendEntriesRequest;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import io.ringraft.message.Releasable;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The node hands transport memory back exactly once ({@link Releasable}): after its core handled an
 * inbound message, at once when it is stopped, and for messages still queued when it closes.
 */
class InboundReleaseTest {

    /** Entries that count their releases and refuse reads after the first. */
    static final class CountingEntries implements LogEntries, Releasable {
        final AtomicInteger releases = new AtomicInteger();
        private final HeapLogEntries entries;

        CountingEntries(long firstIndex) {
            this.entries = HeapLogEntries.builder(firstIndex).add(1, EntryKind.COMMAND, new byte[] {7}).build();
        }

        private void check() {
            if (releases.get() > 0) {
                throw new IllegalStateException("read after release");
            }
        }

        @Override
        public long firstIndex() {
            check();
            return entries.firstIndex();
        }

        @Override
        public int count() {
            check();
            return entries.count();
        }

        @Override
        public long termAt(int offset) {
            check();
            return entries.termAt(offset);
        }

        @Override
        public EntryKind kindAt(int offset) {
            check();
            return entries.kindAt(offset);
        }

        @Override
        public Bytes payloadAt(int offset) {
            check();
            return entries.payloadAt(offset);
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }
    }

    /** A transport that only captures the node's inbound handler. */
    static final class CapturingTransport implements RaftTransportFactory {
        volatile InboundHandler inbound;

        @Override
        public RaftTransport connect(long groupId, long selfId, InboundHandler handler) {
            inbound = handler;
            return new RaftTransport() {
                @Override
                public boolean send(RaftMessage message) {
                    return true;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private static RaftNode follower(CapturingTransport transport, boolean externalScheduling) {
        RaftConfig config = RaftConfig.builder().electionTimeoutMillis(60_000).heartbeatIntervalMillis(1000).build();
        RaftNode.Builder builder = RaftNode.builder().nodeId(2).voters(1, 2, 3).config(config)
                .stateMachine((entries, results) -> { }).logStorage(new InMemoryLogStorage()).transport(transport);
        if (externalScheduling) {
            builder.externalScheduling();
        }
        RaftNode node = builder.build();
        node.start();
        return node;
    }

    private static AppendEntriesRequest append(CountingEntries entries) {
        return new AppendEntriesRequest(1, 2, 1, LogId.ZERO, entries, 0);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.yield();
        }
    }

    @Test
    void aHandledMessageIsReleasedOnceAfterItsEntriesWereCopied() {
        CapturingTransport transport = new CapturingTransport();
        try (RaftNode node = follower(transport, false)) {
            CountingEntries entries = new CountingEntries(1);
            assertThat(transport.inbound.offer(append(entries))).isTrue();
            await("the entry is in the log", () -> node.status().lastLogId().index() == 1);
            await("released", () -> entries.releases.get() == 1);
            assertThat(entries.releases.get()).isEqualTo(1);
        }
    }

    @Test
    void queuedMessagesAreReleasedWhenTheNodeClosesAndAStoppedNodeReleasesAtOnce() {
        CapturingTransport transport = new CapturingTransport();
        RaftNode node = follower(transport, true); // nobody runs its agents: messages stay queued
        CountingEntries queued = new CountingEntries(1);
        assertThat(transport.inbound.offer(append(queued))).isTrue();
        assertThat(queued.releases.get()).isZero();
        node.close();
        assertThat(queued.releases.get()).as("released by close").isEqualTo(1);

        CountingEntries late = new CountingEntries(1);
        assertThat(transport.inbound.offer(append(late))).as("a stopped node accepts and drops").isTrue();
        assertThat(late.releases.get()).isEqualTo(1);
    }
}
