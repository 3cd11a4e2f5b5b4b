package io.ringraft.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Role;
import io.ringraft.spi.LogEntries;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Keeps the engine-driving example in docs/engine.md true: the same code, run and checked. */
class EngineDrivingExampleTest {

    /** A log buffer with room for anything; a single node never sends entries. */
    static final class UnlimitedRoom implements LogRoom {
        @Override
        public int sendable(long fromIndex, int maxCount) {
            throw new AssertionError("a single node replicates nothing");
        }

        @Override
        public int acceptable(LogEntries entries, int fromOffset) {
            return entries.count() - fromOffset;
        }
    }

    @Test
    void singleNodeElectsItselfAndCommitsAProposal() {
        // --- docs/engine.md example starts
        RaftEngine engine = new RaftEngine(EngineConfig.withDefaults(1, 1), RecoveredState.fresh(),
                new SplittableRandom(42), new UnlimitedRoom());
        long lastSeq = 0;     // the newest storage change handed out; "storage" makes it durable at once
        long committed = 0;
        long placed = -1;
        for (int step = 0; step < 100 && committed < 2; step++) {
            if (engine.role() == Role.LEADER && placed < 0) {
                placed = engine.nextProposalIndex(); // where the command goes (its payload is the caller's)
                engine.propose(1);
            } else {
                engine.tick();                   // time passes: the election timeout fires
            }
            for (Effect effect : engine.effects().list()) {  // carry out what the engine asked for
                if (effect instanceof Effect.SaveVote v) {
                    lastSeq = v.seq();
                } else if (effect instanceof Effect.AppendNoop a) {
                    lastSeq = a.seq();
                } else if (effect instanceof Effect.AppendProposals a) {
                    lastSeq = a.seq();
                } else if (effect instanceof Effect.Limits limits) {
                    committed = limits.commitIndex();
                }
            }
            engine.effects().clear();
            engine.onFlushed(lastSeq);           // everything handed out is durable now
            for (Effect effect : engine.effects().list()) {
                if (effect instanceof Effect.Limits limits) {
                    committed = limits.commitIndex();
                }
            }
            engine.effects().clear();
        }
        // --- docs/engine.md example ends

        assertThat(engine.term()).isEqualTo(1);
        assertThat(placed).isEqualTo(2);
        assertThat(committed).isEqualTo(2);
        assertThat(engine.commitIndex()).isEqualTo(2);
    }
}
