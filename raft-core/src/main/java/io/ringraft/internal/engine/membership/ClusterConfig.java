package io.ringraft.internal.engine.membership;

import io.ringraft.internal.engine.quorum.JointQuorum;
import io.ringraft.internal.engine.quorum.MajorityQuorum;
import io.ringraft.internal.engine.quorum.Quorum;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * One cluster configuration as it is stored in a {@code CONFIG} log entry: the voters, the learners
 * (members that receive the log but neither vote nor count toward a quorum) and, while a change of
 * voters is in progress (joint consensus), the outgoing voters.
 *
 * <p>Immutable; arrays are sorted, unique, positive and copied. Encoded as
 * {@code version:u8 | voters:u16 then i64 each | learners:u16 then i64 each | outgoing:u16 then i64 each}
 * (big-endian).
 */
public final class ClusterConfig {

    private static final byte VERSION = 1;

    private final long[] voters;
    private final long[] learners;
    private final long[] outgoing;
    private final long[] members;

    private ClusterConfig(long[] voters, long[] learners, long[] outgoing) {
        this.voters = normalized(voters, "voter");
        this.learners = normalized(learners, "learner");
        this.outgoing = normalized(outgoing, "outgoing voter");
        if (this.voters.length == 0) {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        for (long learner : this.learners) {
            if (contains(this.voters, learner) || contains(this.outgoing, learner)) {
                throw new IllegalArgumentException("node " + learner + " cannot be both a voter and a learner");
            }
        }
        this.members = LongStream.concat(LongStream.concat(Arrays.stream(this.voters), Arrays.stream(this.learners)),
                Arrays.stream(this.outgoing)).distinct().sorted().toArray();
    }

    /** A configuration of voters and learners (no change in progress). */
    public static ClusterConfig of(long[] voters, long[] learners) {
        return new ClusterConfig(voters, learners, new long[0]);
    }

    /** The joint configuration that moves from {@code from}'s voters to {@code voters}. */
    public static ClusterConfig joint(ClusterConfig from, long[] voters, long[] learners) {
        return new ClusterConfig(voters, learners, from.voters);
    }

    private static long[] normalized(long[] ids, String what) {
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] <= 0) {
                throw new IllegalArgumentException(what + " ids must be positive, got " + sorted[i]);
            }
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException(what + " " + sorted[i] + " is listed twice");
            }
        }
        return sorted;
    }

    private static boolean contains(long[] sorted, long id) {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    public long[] voters() {
        return voters.clone();
    }

    public long[] learners() {
        return learners.clone();
    }

    /** The outgoing voters while joint, otherwise empty. */
    public long[] outgoing() {
        return outgoing.clone();
    }

    /** True while a change of voters is in progress. */
    public boolean isJoint() {
        return outgoing.length > 0;
    }

    /** True if {@code id} votes (in the new or, while joint, the old voter set). */
    public boolean isVoter(long id) {
        return contains(voters, id) || contains(outgoing, id);
    }

    /** True if {@code id} is any member: voter, outgoing voter or learner. */
    public boolean isMember(long id) {
        return contains(members, id);
    }

    /** All members in ascending id order. */
    public long[] membersView() {
        return members;
    }

    /** The quorum arithmetic of this configuration. */
    public Quorum quorum() {
        return isJoint() ? new JointQuorum(voters, outgoing) : new MajorityQuorum(voters);
    }

    /** The configuration once the change in progress completes (itself if not joint). */
    public ClusterConfig leaveJoint() {
        return isJoint() ? new ClusterConfig(voters, learners, new long[0]) : this;
    }

    /** True if both have the same voters (ignoring learners and joint state). */
    public boolean sameVoters(long[] otherVoters) {
        long[] sorted = otherVoters.clone();
        Arrays.sort(sorted);
        return Arrays.equals(voters, sorted);
    }

    /** True if the voters and learners are exactly these (in any order). */
    public boolean sameVotersAndLearners(long[] otherVoters, long[] otherLearners) {
        long[] v = otherVoters.clone();
        long[] l = otherLearners.clone();
        Arrays.sort(v);
        Arrays.sort(l);
        return Arrays.equals(voters, v) && Arrays.equals(learners, l);
    }

    /** The encoded form stored in a {@code CONFIG} entry. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(1 + 2 * 3 + 8 * (voters.length + learners.length + outgoing.length));
        out.put(VERSION);
        put(out, voters);
        put(out, learners);
        put(out, outgoing);
        return out.array();
    }

    private static void put(ByteBuffer out, long[] ids) {
        out.putShort((short) ids.length);
        for (long id : ids) {
            out.putLong(id);
        }
    }

    /**
     * Decodes what {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException for a malformed or invalid payload
     */
    public static ClusterConfig decode(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("configuration entry of unknown version " + version);
            }
            long[] voters = get(in);
            long[] learners = get(in);
            long[] outgoing = get(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("configuration entry has " + in.remaining() + " trailing bytes");
            }
            return new ClusterConfig(voters, learners, outgoing);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("configuration entry is truncated", e);
        }
    }

    private static long[] get(ByteBuffer in) {
        int count = in.getShort() & 0xFFFF;
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = in.getLong();
        }
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterConfig c && Arrays.equals(voters, c.voters) && Arrays.equals(learners, c.learners)
                && Arrays.equals(outgoing, c.outgoing);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(voters) * 31 + Arrays.hashCode(learners) * 7 + Arrays.hashCode(outgoing);
    }

    @Override
    public String toString() {
        return "voters" + Arrays.toString(voters) + (learners.length > 0 ? " learners" + Arrays.toString(learners) : "")
                + (isJoint() ? " joint with" + Arrays.toString(outgoing) : "");
    }
}
