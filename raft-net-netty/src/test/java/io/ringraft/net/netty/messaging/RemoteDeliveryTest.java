package io.ringraft.net.netty.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.client.ClientException;
import io.ringraft.api.client.RaftClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox delivering to a group with no replica in the source's process, through the client protocol
 * ({@code MessageRoute.through(host, client)}, DELIVER requests) over real TCP: exactly once and in order
 * (the target's {@link Ledger} fails its replica on a message out of order or repeated), acknowledged so
 * the source's outbox drains, across a kill of the target's leader.
 */
class RemoteDeliveryTest {

    private RemoteGroups groups;

    @AfterEach
    void close() {
        if (groups != null) {
            groups.close();
        }
    }

    @Test
    void messagesToAGroupWithNoLocalReplicaApplyOnceInOrderAcrossAKillOfItsLeader() throws Exception {
        groups = new RemoteGroups(RemoteGroups.config().build());
        groups.startSource();
        assertThat(groups.sourceHost.group(RemoteGroups.TARGET)).isEmpty(); // reachable only over the network
        int firstLeader = groups.targetLeader();
        RemoteGroups.await("the source leads", () -> groups.source.node().isLeader());

        List<CompletableFuture<Object>> transfers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            transfers.add(groups.source.propose(Ledger.send(RemoteGroups.TARGET, i + 1)));
        }
        RemoteGroups.await("the first messages applied at the target", () ->
                groups.targets[firstLeader].status().lastAppliedPerSource().getOrDefault(RemoteGroups.SOURCE, 0L) >= 10);
        groups.kill(firstLeader); // while messages are in flight and more are in the outbox
        for (int i = 40; i < 80; i++) {
            transfers.add(groups.source.propose(Ledger.send(RemoteGroups.TARGET, i + 1)));
        }
        for (CompletableFuture<Object> transfer : transfers) {
            assertThat(transfer.get(20, TimeUnit.SECONDS)).isEqualTo(1L);
        }
        RemoteGroups.await("the source's outbox drained", () -> groups.source.status().depth() == 0);

        assertThat(groups.sourceLedger.sent()).isEqualTo(80);
        for (int id = 1; id <= 3; id++) {
            if (id == firstLeader) {
                continue;
            }
            int replica = id;
            RemoteGroups.await("replica " + id + " applied every message", () -> groups.targets[replica].status()
                    .lastAppliedPerSource().getOrDefault(RemoteGroups.SOURCE, 0L) == 80);
            Ledger ledger = groups.ledgers[id];
            assertThat(ledger.received()).isEqualTo(80); // each once, in order (the ledger checks as it applies)
            assertThat(ledger.receivedAmount()).isEqualTo(80 * 81 / 2);
        }
        assertThat(groups.source.status().lastAppliedPerSource()).isEmpty();
    }

    @Test
    void anEntryThatIsNoDeliveryIsRefusedAndChangesNothing() throws Exception {
        groups = new RemoteGroups(RemoteGroups.config().build());
        int leader = groups.targetLeader();
        try (RaftClient client = groups.client()) {
            CompletableFuture<Object> answer = client.group(RemoteGroups.TARGET).deliver(Ledger.send(1, 1));
            assertThatThrownBy(() -> answer.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(ClientException.class)
                    .cause().satisfies(e -> {
                        assertThat(((ClientException) e).reason()).isEqualTo(ClientException.Reason.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("not a messaging delivery entry");
                    });
            // a group this cluster does not serve for messaging: every node answers UNKNOWN_GROUP until the deadline
            CompletableFuture<Object> nowhere = client.group(99).deliver(new byte[] {1});
            assertThatThrownBy(() -> nowhere.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(ClientException.class);
        }
        assertThat(groups.ledgers[leader].received()).isZero();
        assertThat(groups.targets[leader].status().lastAppliedPerSource()).isEmpty();
    }
}
