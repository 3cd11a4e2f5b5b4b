package com.example.checks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.StateMachine;
import io.ringraft.testkit.Model;
import io.ringraft.testkit.Simulation;
import io.ringraft.testkit.SimulationResult;
import io.ringraft.testkit.Workload;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An application's own state machine under RingRaft's simulator, with raft-testkit as its one
 * test-scoped dependency (from the BOM): a counter, its clients and its model, 10 seeds.
 */
class CounterSimulationTest {

    /** The application's counter: a command adds its 8-byte amount (0 reads); the answer is the new count. */
    static final class Counter implements StateMachine {
        private long count;

        @Override
        public void apply(LogEntries commands, ApplyResults results) {
            for (int i = 0; i < commands.count(); i++) {
                count += commands.payloadAt(i).getLong(0);
                results.set(i, count);
            }
        }

        @Override
        public Object query(Bytes query) {
            return count;
        }

        @Override
        public Snapshot snapshot() {
            long copy = count;
            return out -> {
                DataOutputStream data = new DataOutputStream(out);
                data.writeLong(copy);
                data.flush();
            };
        }

        @Override
        public void restore(InputStream in) throws java.io.IOException {
            count = new DataInputStream(in).readLong();
        }
    }

    /** Adds of 1..5, and reads (amount 0). */
    static final class Clients implements Workload<Long, Long> {
        @Override
        public Long next(SplittableRandom random) {
            return (long) random.nextInt(6);
        }

        @Override
        public byte[] encode(Long amount) {
            return ByteBuffer.allocate(Long.BYTES).putLong(amount).array();
        }

        @Override
        public Long decode(Long amount, Object result) {
            return (Long) result;
        }

        @Override
        public boolean isReadOnly(Long amount) {
            return amount == 0;
        }
    }

    /** The counter, sequentially: the state is the count. */
    static final class CounterModel implements Model<Long, Long, Long> {
        @Override
        public Long init() {
            return 0L;
        }

        @Override
        public Long step(Long count, Long amount, Long output) {
            return output != null && output == count + amount ? count + amount : null;
        }

        @Override
        public Long stepUnknown(Long count, Long amount) {
            return count + amount;
        }
    }

    @Test
    void theCounterIsLinearizableUnderFaults() {
        SimulationResult result = Simulation.builder()
                .stateMachine(Counter::new)
                .workload(Clients::new)
                .model(new CounterModel())
                .seeds(1, 10)
                .run()
                .assertNoViolation();
        assertTrue(result.passed(), result::toString);
    }
}
