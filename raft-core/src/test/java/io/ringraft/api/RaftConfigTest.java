package io.ringraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.local.LocalNetwork;
import org.junit.jupiter.api.Test;

class RaftConfigTest {

    @Test
    void defaultsAreValidAndConvertToTicks() {
        RaftConfig config = RaftConfig.defaults();
        assertThat(config.electionTimeoutTicks()).isEqualTo(30);
        assertThat(config.heartbeatIntervalTicks()).isEqualTo(5);
        assertThat(config.proposalQueueBytes() / 8).isGreaterThanOrEqualTo(config.maxEntryBytes() + 16);
    }

    @Test
    void quiescenceIsOffByDefaultAndConvertsToTicksRoundingUp() {
        RaftConfig defaults = RaftConfig.defaults();
        assertThat(defaults.quiesceAfterMillis()).isZero();
        assertThat(defaults.quiesceAfterTicks()).isZero();
        RaftConfig on = RaftConfig.builder().quiesceAfterMillis(1005).build();
        assertThat(on.quiesceAfterMillis()).isEqualTo(1005);
        assertThat(on.quiesceAfterTicks()).isEqualTo(101); // 10 ms ticks, rounded up
        assertThat(RaftConfig.builder().quiesceAfterMillis(300).build().quiesceAfterTicks())
                .isEqualTo(RaftConfig.defaults().electionTimeoutTicks());
        assertThat(on.toString()).contains("quiesceAfter=1005ms");
        assertThat(defaults.toString()).contains("quiesceAfter=off");
    }

    @Test
    void quiescenceNeedsAtLeastAnElectionTimeoutAndCheckQuorum() {
        assertThatThrownBy(() -> RaftConfig.builder().quiesceAfterMillis(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quiesceAfterMillis must be 0 (off)");
        assertThatThrownBy(() -> RaftConfig.builder().quiesceAfterMillis(299).build())
                .hasMessageContaining("at least electionTimeoutMillis (300), got 299");
        assertThatThrownBy(() -> RaftConfig.builder().quiesceAfterMillis(500).checkQuorum(false).build())
                .hasMessageContaining("quiesceAfterMillis needs checkQuorum");
        assertThat(RaftConfig.builder().quiesceAfterMillis(0).checkQuorum(false).build().quiesceAfterTicks()).isZero();
    }

    @Test
    void rejectsSettingsWithMessagesThatNameThem() {
        assertThatThrownBy(() -> RaftConfig.builder().ringCapacityEntries(1000).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ringCapacityEntries");
        assertThatThrownBy(() -> RaftConfig.builder().tickMillis(0).build())
                .hasMessageContaining("tickMillis must be positive");
        assertThatThrownBy(() -> RaftConfig.builder().heartbeatIntervalMillis(100).electionTimeoutMillis(150).build())
                .hasMessageContaining("electionTimeoutMillis (150) must be at least twice heartbeatIntervalMillis");
        assertThatThrownBy(() -> RaftConfig.builder().maxEntryBytes(1 << 20).build())
                .hasMessageContaining("proposalQueueBytes");
        assertThatThrownBy(() -> RaftConfig.builder().ringCapacityBytes(1024).maxEntryBytes(1024).build())
                .hasMessageContaining("ringCapacityBytes (1024) must hold at least two entries");
        assertThatThrownBy(() -> RaftConfig.builder().proposalWaitMillis(-1).build())
                .hasMessageContaining("proposalWaitMillis");
    }

    @Test
    void nodeBuilderRejectsMissingParts() {
        assertThatThrownBy(() -> RaftNode.builder().nodeId(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("voters must name at least one node");
        assertThatThrownBy(() -> RaftNode.builder().nodeId(0).voters(1).build())
                .hasMessageContaining("nodeId must be positive");
        assertThatThrownBy(() -> RaftNode.builder().nodeId(1).voters(1).logStorage(new InMemoryLogStorage())
                .transport(new LocalNetwork()).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("stateMachine is required");
    }

    @Test
    void errorsSayWhetherTheCommandMayHaveTakenEffect() {
        assertThat(new NotLeaderException(1, 2).mayHaveTakenEffect()).isFalse();
        assertThat(new NotLeaderException(1, 2).getMessage()).contains("try node 2");
        assertThat(new RejectedException("full").mayHaveTakenEffect()).isFalse();
        assertThat(new NodeStoppedException("closed").mayHaveTakenEffect()).isFalse();
        assertThat(new IndeterminateException("lost").mayHaveTakenEffect()).isTrue();
        assertThat(new StorageFailedException("eio", null).mayHaveTakenEffect()).isTrue();
    }
}
