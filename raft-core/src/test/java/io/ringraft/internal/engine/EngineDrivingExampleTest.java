package io.ringraft.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.message.RaftMessage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keeps the engine-driving example in docs/engine.md true: the same code, run and checked. */
class EngineDrivingExampleTest {

    /** Storage that "writes" instantly and remembers the last change handed to it. */
    static final class InstantStorage implements EngineOutput {
        long lastSeq;
        long committed;

        @Override public void saveVote(long seq, Vote vote) { lastSeq = seq; }
        @Override public void truncateFrom(long seq, long index) { lastSeq = seq; }
        @Override public void appendNoop(long seq, LogId entry) { lastSeq = seq; }
        @Override public void appendProposals(long seq, long first, long term, int count) { lastSeq = seq; }
        @Override public void appendReplicated(long seq, LogEntries entries, int from) { lastSeq = seq; }
        @Override public void send(RaftMessage message) { }
        @Override public void committed(long index) { committed = index; }
        @Override public void stateChanged(Role role, long term, long leaderId) { }
    }

    @Test
    void singleNodeElectsItselfAndCommitsAProposal() {
        // --- docs/engine.md example starts
        InstantStorage storage = new InstantStorage();
        RaftEngine engine = new RaftEngine(EngineConfig.withDefaults(1, 1), RecoveredState.fresh(),
                new SplittableRandom(42), storage, (from, count) -> {
                    throw new AssertionError("a single node replicates nothing");
                });
        while (engine.role() != Role.LEADER) {
            engine.tick();                        // time passes: the election timeout fires
            engine.onFlushed(storage.lastSeq);    // the vote is durable: the candidate counts it
        }
        engine.onFlushed(storage.lastSeq);        // the leader's no-op is durable: committed
        long index = engine.propose(1);           // a command (payload written by the caller)
        engine.onFlushed(storage.lastSeq);        // durable on a quorum (of one): committed
        // --- docs/engine.md example ends

        assertThat(engine.term()).isEqualTo(1);
        assertThat(index).isEqualTo(2);
        assertThat(storage.committed).isEqualTo(2);
        assertThat(engine.commitIndex()).isEqualTo(2);
    }
}
