package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.RaftConfig;
import io.ringraft.api.RejectedException;
import io.ringraft.api.Role;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.InMemorySnapshotStore;
import io.ringraft.local.LocalNetwork;
import io.ringraft.message.ForwardProposal;
import io.ringraft.message.RaftMessage;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.RaftTransport;
import io.ringraft.spi.RaftTransportFactory;
import io.ringraft.spi.StateMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A forwarded command the transport refuses to send (no connection to the leader, as right after a
 * partition heals) certainly never left the node: it fails at once with a definite refusal, not at its
 * deadline as "may have taken effect". Three nodes stepped by hand on a virtual clock.
 */
final class UndeliveredForwardTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(1));
    private final List<NodeRuntime> nodes = new ArrayList<>();
    /** While set, every forwarded command is refused by its sender's transport. */
    private final AtomicBoolean refuseForwards = new AtomicBoolean();

    /** Applies nothing of interest. */
    private static final class Nothing implements StateMachine {
        @Override
        public void apply(LogEntries entries, ApplyResults results) {
            // no state
        }
    }

    @BeforeEach
    void start() {
        LocalNetwork network = new LocalNetwork();
        RaftTransportFactory refusing = (groupId, selfId, inbound) -> {
            RaftTransport inner = network.connect(groupId, selfId, inbound);
            return new RaftTransport() {
                @Override
                public boolean send(RaftMessage message) {
                    if (message instanceof ForwardProposal && refuseForwards.get()) {
                        return false;
                    }
                    return inner.send(message);
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        };
        long[] voters = {1, 2, 3};
        for (long id : voters) {
            nodes.add(new NodeRuntime(1, id, voters, RaftConfig.builder().build(), new Nothing(),
                    new InMemoryLogStorage(), new InMemorySnapshotStore(), refusing, null, null,
                    NodeRuntime.Threading.MANUAL, clock::get, new SplittableRandom(id)));
        }
        nodes.forEach(NodeRuntime::start);
    }

    @AfterEach
    void close() {
        nodes.forEach(NodeRuntime::close);
    }

    private void run(long millis) {
        for (long i = 0; i < millis; i++) {
            clock.addAndGet(MS);
            for (NodeRuntime node : nodes) {
                for (int round = 0; round < 100; round++) {
                    int work = 0;
                    for (Agent agent : node.agents()) {
                        try {
                            work += agent.doWork();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                    if (work == 0) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void aForwardTheTransportRefusedFailsAtOnceAndDefinitely() throws Exception {
        run(3_000);
        NodeRuntime follower = nodes.stream().filter(n -> n.status().role() == Role.FOLLOWER).findFirst()
                .orElseThrow();
        refuseForwards.set(true);
        CompletableFuture<Object> refused = new CompletableFuture<>();
        assertThat(follower.tryForward("x".getBytes(StandardCharsets.UTF_8), refused, TimeUnit.SECONDS.toNanos(10)))
                .isTrue();
        run(50); // far less than the 10 s the caller would wait
        assertThat(refused).as("failed well before its deadline").isCompletedExceptionally();
        try {
            refused.get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RejectedException.class).hasMessageContaining("did not take effect");
        }

        refuseForwards.set(false); // the connection is back: the same command goes through
        CompletableFuture<Object> accepted = new CompletableFuture<>();
        assertThat(follower.tryForward("x".getBytes(StandardCharsets.UTF_8), accepted, TimeUnit.SECONDS.toNanos(10)))
                .isTrue();
        run(500);
        assertThat(accepted).as("forwarded, appended and applied").isCompleted();
        assertThat(accepted.isCompletedExceptionally()).isFalse();
    }
}
