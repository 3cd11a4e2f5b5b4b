package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.Role;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every progress pointer has exactly one writing task: on real threads (one per task), after a
 * workload that moves all of them (commits, applies, snapshots and purges), each pointer was published
 * by one thread only, and by the task the design names as its writer. And in the types: a task holds
 * a pointer itself ({@link ProgressPointer}, which can publish) only if it is that pointer's writer;
 * the tasks that watch it hold a {@link ProgressView}.
 */
class PointerOwnershipTest {

    /** Counts commands; snapshots are the count. */
    static final class Counter implements StateMachine {
        private long count;

        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            for (int i = 0; i < entries.count(); i++) {
                results.set(i, ++count);
            }
        }

        @Override
        public Snapshot snapshot() {
            long at = count;
            return out -> out.write(Long.toString(at).getBytes());
        }

        @Override
        public void restore(InputStream data) throws java.io.IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            data.transferTo(bytes);
            count = Long.parseLong(bytes.toString());
        }
    }

    /** Which task must be each pointer's writer: the start of its thread's name. */
    private static final Map<String, String> WRITER = Map.of(
            "purgeLimit", "ringraft-core-", "committed", "ringraft-core-", "applyLimit", "ringraft-core-",
            "durable", "ringraft-core-", "leaderTerm", "ringraft-core-",
            "flushed", "ringraft-log-writer-", "submitted", "ringraft-log-writer-", "purged", "ringraft-log-writer-",
            "applied", "ringraft-applier-");

    private final List<NodeRuntime> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(NodeRuntime::close);
    }

    @Test
    void eachPointerIsPublishedByItsOwnTaskOnly() throws Exception {
        LocalNetwork network = new LocalNetwork();
        RaftConfig config = RaftConfig.builder().tickMillis(5).heartbeatIntervalMillis(20).electionTimeoutMillis(300)
                .ringCapacityEntries(256).ringCapacityBytes(1 << 16).maxEntryBytes(1024)
                .snapshotIntervalEntries(100).snapshotLogTailEntries(10).build();
        long[] voters = {1, 2, 3};
        for (long id : voters) {
            nodes.add(new NodeRuntime(1, id, voters, config, new Counter(), new InMemoryLogStorage(),
                    new InMemorySnapshotStore(), network, null, null, NodeRuntime.Threading.DEDICATED, System::nanoTime,
                    new SplittableRandom(id)));
        }
        nodes.forEach(NodeRuntime::start);
        NodeRuntime leader = awaitLeader();

        byte[] command = {1, 2, 3};
        CompletableFuture<Object> last = null;
        for (int i = 0; i < 600; i++) {
            CompletableFuture<Object> future = new CompletableFuture<>();
            long id = leader.registerFuture(future);
            while (id == 0 || !leader.tryPropose(ProposalOutcomes.FUTURE, id, command, 0,
                    command.length).accepted()) {
                if (id != 0) {
                    leader.takeFuture(id);
                }
                if (last != null) {
                    last.get(10, TimeUnit.SECONDS); // back-pressure: wait for the last one, then go on
                } else {
                    Thread.sleep(1);
                }
                future = new CompletableFuture<>();
                id = leader.registerFuture(future);
            }
            last = future;
        }
        assertThat(last.get(20, TimeUnit.SECONDS)).isEqualTo(600L);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (nodes.stream().anyMatch(n -> n.status().purgedIndex() == 0) && System.nanoTime() < deadline) {
            Thread.sleep(5); // snapshots are written on their own thread; purging follows them
        }

        for (NodeRuntime node : nodes) {
            for (ProgressPointer pointer : node.pointers()) {
                String owner = WRITER.get(pointer.name());
                assertThat(owner).as("the design names a writer for %s", pointer.name()).isNotNull();
                assertThat(pointer.writerThreads()).as("writers of %s on node %d: %s", pointer.name(),
                        node.selfId(), pointer.writerNames()).isLessThanOrEqualTo(1);
                if (pointer.writerThreads() == 1) {
                    assertThat(pointer.writerNames()).as("writer of %s", pointer.name()).startsWith(owner);
                }
            }
            for (String moved : List.of("committed", "applyLimit", "flushed", "submitted", "applied", "purgeLimit",
                    "purged")) {
                assertThat(node.pointers()).as("%s moved on node %d", moved, node.selfId())
                        .anyMatch(p -> p.name().equals(moved) && p.writerThreads() == 1);
            }
        }
    }

    @Test
    void onlyItsWriterTaskIsGivenAPointerItCanPublish() throws Exception {
        RaftConfig config = RaftConfig.builder().snapshotIntervalEntries(100).build();
        NodeRuntime node = new NodeRuntime(1, 1, new long[] {1, 2, 3}, config, new Counter(), new InMemoryLogStorage(),
                new InMemorySnapshotStore(), new LocalNetwork(), null, null, NodeRuntime.Threading.MANUAL,
                System::nanoTime, new SplittableRandom(1));
        nodes.add(node);
        List<String> held = new ArrayList<>();
        for (Agent task : node.agents()) { // core, log writer, applier, snapshot task, the peers' senders
            for (Class<?> type = task.getClass(); type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (field.getType() == ProgressPointer.class && !Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        String pointer = ((ProgressPointer) field.get(task)).name();
                        held.add(pointer);
                        assertThat(task.roleName()).as("%s.%s holds %s", type.getSimpleName(), field.getName(),
                                pointer).startsWith(WRITER.get(pointer));
                    }
                }
            }
        }
        assertThat(held).as("every pointer is held by its writer task").containsExactlyInAnyOrderElementsOf(
                node.pointers().stream().map(ProgressPointer::name).toList());
    }

    private NodeRuntime awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (NodeRuntime node : nodes) {
                if (node.status().role() == Role.LEADER) {
                    return node;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no leader within 20 s");
    }
}
