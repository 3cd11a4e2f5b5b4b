package io.ringraft.testkit;

/**
 * Which faults a {@link Simulation} may inject while its clients run. Each seed also draws ("swarm
 * testing") which of the allowed faults it turns on and how often, so different seeds stress different
 * mixes: a seed is not a run of every fault at once.
 *
 * <ul>
 *   <li><b>crashes</b>: power loss of a node (its unflushed writes lost, kept, or torn), then a
 *       restart from its disk; also clean stops (the node is closed) and restarts;
 *   <li><b>partitions</b>: links cut both ways (a node isolated, or two nodes that cannot talk but still
 *       reach the rest) or one way only, healed later;
 *   <li><b>lossyNetwork</b>: messages dropped (5 %), duplicated (5 %) and delayed more;
 *   <li><b>pauses</b>: a node's threads stop (a GC pause, SIGSTOP) past the election timeout while its
 *       clock runs on;
 *   <li><b>diskFaults</b>: a flush fails (the node must fail-stop; it is restarted later);
 *   <li><b>leadershipTransfers</b>: the leader is asked to hand over to a random node;
 *   <li><b>membershipChanges</b>: {@code spareNodes} more nodes start outside the cluster and the leader
 *       moves to random voter sets of the cluster's size, with random learners (joint consensus).
 * </ul>
 *
 * <p>Whatever the nemesis, every run has some nodes whose disks are slow, random message delays
 * (which reorder messages) and a small ring, so back-pressure and wrap-around happen.
 *
 * <p>At most a minority of the voters is down or paused at any time, so the cluster can always make
 * progress once the faults stop. Immutable and thread-safe; the {@code with} methods return copies.
 */
public final class Nemesis {

    private static final Nemesis ALL = new Nemesis(true, true, true, true, true, true, 2);
    private static final Nemesis NONE = new Nemesis(false, false, false, false, false, false, 0);

    private final boolean crashes;
    private final boolean partitions;
    private final boolean lossyNetwork;
    private final boolean pauses;
    private final boolean diskFaults;
    private final boolean leadershipTransfers;
    private final int spareNodes;

    private Nemesis(boolean crashes, boolean partitions, boolean lossyNetwork, boolean pauses, boolean diskFaults,
                    boolean leadershipTransfers, int spareNodes) {
        this.crashes = crashes;
        this.partitions = partitions;
        this.lossyNetwork = lossyNetwork;
        this.pauses = pauses;
        this.diskFaults = diskFaults;
        this.leadershipTransfers = leadershipTransfers;
        this.spareNodes = spareNodes;
    }

    /**
     * Every fault, with membership changes over 2 spare nodes: the default.
     *
     * @return the nemesis with every fault allowed
     */
    public static Nemesis all() {
        return ALL;
    }

    /**
     * No fault at all: the clients run against a healthy cluster (a baseline, or to debug a workload).
     *
     * @return the nemesis that does nothing
     */
    public static Nemesis none() {
        return NONE;
    }

    /**
     * Allows or forbids crashes and clean stops.
     *
     * @param allowed whether the nemesis may crash and stop nodes
     * @return a copy with that setting
     */
    public Nemesis crashes(boolean allowed) {
        return new Nemesis(allowed, partitions, lossyNetwork, pauses, diskFaults, leadershipTransfers, spareNodes);
    }

    /**
     * Allows or forbids network partitions.
     *
     * @param allowed whether the nemesis may cut links
     * @return a copy with that setting
     */
    public Nemesis partitions(boolean allowed) {
        return new Nemesis(crashes, allowed, lossyNetwork, pauses, diskFaults, leadershipTransfers, spareNodes);
    }

    /**
     * Allows or forbids dropped, duplicated and delayed messages.
     *
     * @param allowed whether the network may lose, duplicate and delay messages
     * @return a copy with that setting
     */
    public Nemesis lossyNetwork(boolean allowed) {
        return new Nemesis(crashes, partitions, allowed, pauses, diskFaults, leadershipTransfers, spareNodes);
    }

    /**
     * Allows or forbids process pauses.
     *
     * @param allowed whether the nemesis may pause nodes
     * @return a copy with that setting
     */
    public Nemesis pauses(boolean allowed) {
        return new Nemesis(crashes, partitions, lossyNetwork, allowed, diskFaults, leadershipTransfers, spareNodes);
    }

    /**
     * Allows or forbids failed flushes and slow disks.
     *
     * @param allowed whether the nemesis may fail flushes and slow log writers
     * @return a copy with that setting
     */
    public Nemesis diskFaults(boolean allowed) {
        return new Nemesis(crashes, partitions, lossyNetwork, pauses, allowed, leadershipTransfers, spareNodes);
    }

    /**
     * Allows or forbids leadership transfers.
     *
     * @param allowed whether the nemesis may ask the leader to hand over
     * @return a copy with that setting
     */
    public Nemesis leadershipTransfers(boolean allowed) {
        return new Nemesis(crashes, partitions, lossyNetwork, pauses, diskFaults, allowed, spareNodes);
    }

    /**
     * Sets how many spare nodes take part in membership changes; 0 keeps the membership fixed.
     *
     * @param spareNodes spare nodes, 0 to 4
     * @return a copy with that setting
     * @throws IllegalArgumentException if {@code spareNodes} is out of range
     */
    public Nemesis membershipChanges(int spareNodes) {
        if (spareNodes < 0 || spareNodes > 4) {
            throw new IllegalArgumentException("spare nodes must be 0..4: " + spareNodes);
        }
        return new Nemesis(crashes, partitions, lossyNetwork, pauses, diskFaults, leadershipTransfers, spareNodes);
    }

    /** @return whether crashes and clean stops are allowed */
    public boolean crashes() {
        return crashes;
    }

    /** @return whether partitions are allowed */
    public boolean partitions() {
        return partitions;
    }

    /** @return whether the network may lose, duplicate and delay messages */
    public boolean lossyNetwork() {
        return lossyNetwork;
    }

    /** @return whether pauses are allowed */
    public boolean pauses() {
        return pauses;
    }

    /** @return whether failed flushes and slow disks are allowed */
    public boolean diskFaults() {
        return diskFaults;
    }

    /** @return whether leadership transfers are allowed */
    public boolean leadershipTransfers() {
        return leadershipTransfers;
    }

    /** @return the spare nodes of membership changes; 0 if the membership stays fixed */
    public int spareNodes() {
        return spareNodes;
    }

    @Override
    public String toString() {
        return "Nemesis[crashes=" + crashes + ", partitions=" + partitions + ", lossyNetwork=" + lossyNetwork
                + ", pauses=" + pauses + ", diskFaults=" + diskFaults + ", leadershipTransfers=" + leadershipTransfers
                + ", spareNodes=" + spareNodes + "]";
    }
}
