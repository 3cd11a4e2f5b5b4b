package io.ringraft.internal.messaging;

import java.util.ArrayList;
import java.util.List;

/** Test access to a messaging group's replicated outbox and deduplication table (for simulation checkers). */
public final class OutboxProbe {

    /** An undelivered message of the outbox. */
    public record Message(long target, long sequence, byte[] payload) {
    }

    private OutboxProbe() {
    }

    /** Every undelivered message of {@code machine}'s outbox, by target then sequence. */
    public static List<Message> pending(MessagingMachine machine) {
        List<Message> all = new ArrayList<>();
        OutboxState state = machine.state();
        for (long target : state.targetsWithPending()) {
            for (OutboxState.Pending p : state.batch(target, 1, Integer.MAX_VALUE, Integer.MAX_VALUE)) {
                all.add(new Message(target, p.sequence(), p.payload()));
            }
        }
        return all;
    }

    /** The last sequence {@code machine}'s group applied from {@code source}. */
    public static long lastApplied(MessagingMachine machine, long source) {
        return machine.state().lastApplied(source);
    }
}
