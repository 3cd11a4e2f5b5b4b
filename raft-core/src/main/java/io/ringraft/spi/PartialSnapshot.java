package io.ringraft.spi;

import io.ringraft.api.LogId;
import java.util.Objects;

/**
 * A snapshot a follower was receiving from a leader when it stopped: what a {@link SnapshotStore}
 * found of it after a restart ({@link SnapshotStore#partial()}). RingRaft continues the transfer from
 * {@link #durableBytes()} ({@link SnapshotStore#resume}) if the same leader, in the same term, is still
 * sending the same snapshot; otherwise it starts over and the store drops this.
 *
 * @param last         the last entry the snapshot covers (identifies it, with the leader and term)
 * @param membership   the membership as of {@code last}, as RingRaft gave it (opaque to stores)
 * @param leaderId     the leader that was sending it
 * @param leaderTerm   that leader's term
 * @param durableBytes how many bytes of its data were made durable ({@link SnapshotSink#checkpoint()})
 */
public record PartialSnapshot(LogId last, byte[] membership, long leaderId, long leaderTerm, long durableBytes) {

    /**
     * Checks the fields.
     *
     * @param last         the last entry the snapshot covers
     * @param membership   the membership as of {@code last}
     * @param leaderId     the leader that was sending it
     * @param leaderTerm   that leader's term
     * @param durableBytes how many bytes of its data are durable (not negative)
     * @throws IllegalArgumentException if {@code durableBytes} is negative
     */
    public PartialSnapshot {
        Objects.requireNonNull(last, "last");
        membership = Objects.requireNonNull(membership, "membership").clone();
        if (durableBytes < 0) {
            throw new IllegalArgumentException("durableBytes must not be negative, got " + durableBytes);
        }
    }

    /** {@return a copy of the encoded membership} */
    @Override
    public byte[] membership() {
        return membership.clone();
    }

    /**
     * {@return whether this is the transfer a chunk from {@code leaderId} in {@code leaderTerm} of
     * snapshot {@code snapshot} continues}
     *
     * @param snapshot   the snapshot the chunk belongs to
     * @param leaderId   the chunk's sender
     * @param leaderTerm the sender's term
     */
    public boolean continuedBy(LogId snapshot, long leaderId, long leaderTerm) {
        return last.equals(snapshot) && this.leaderId == leaderId && this.leaderTerm == leaderTerm;
    }
}
