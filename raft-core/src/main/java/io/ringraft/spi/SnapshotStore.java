package io.ringraft.spi;

import io.ringraft.api.LogId;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Durable storage of one node's state-machine snapshots. RingRaft ships an in-memory store (for
 * tests, {@code io.ringraft.local.InMemorySnapshotStore}) and a file store in {@code raft-storage}
 * ({@code FileSnapshotStore}); users may plug their own.
 *
 * <p><b>What RingRaft relies on.</b> A snapshot becomes visible atomically when its sink's
 * {@link SnapshotSink#commit()} returns, and is durable then: RingRaft purges the log up to a
 * snapshot only after that. {@link #latest()} returns the committed snapshot with the highest
 * {@code last().index()}; at restart RingRaft restores the state machine from it and replays only the
 * log after it. A store keeps at least the newest snapshot; it may delete older ones (retention).
 *
 * <p><b>Threads.</b> {@link #begin} is called by one thread at a time (the node's snapshot task for
 * local snapshots, its applier for snapshots received from a leader: never both at once for one
 * node). {@link #latest} and {@link #open} may be called from any thread, concurrently with a
 * snapshot being written (a leader's replicator streams a snapshot to a follower while a newer one
 * is taken). Every method may block on IO.
 *
 * <p><b>Failure.</b> Damaged or missing snapshot data is reported as an {@link IOException} naming
 * what is wrong, never returned silently: a stream from {@link #open} must fail rather than end early
 * if the data does not match what was committed.
 */
public interface SnapshotStore extends AutoCloseable {

    /**
     * {@return the newest committed snapshot, if any}
     *
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    Optional<SnapshotInfo> latest() throws IOException;

    /**
     * Starts a snapshot of the state that includes every entry up to {@code last}.
     *
     * @param last the last entry the snapshot includes
     * @param membership the membership as of {@code last}, kept byte for byte
     * @return the sink to write the snapshot's data to and commit it
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    SnapshotSink begin(LogId last, byte[] membership) throws IOException;

    /**
     * Starts a snapshot a follower receives from a leader. A store that can resume transfers keeps what
     * the sink {@linkplain SnapshotSink#checkpoint() checkpoints} across a crash and reports it through
     * {@link #partial()}; starting a received snapshot drops any partial one kept before (a store keeps
     * at most one). By default the same as {@link #begin} (nothing survives a crash).
     *
     * @param last       the last entry the snapshot includes
     * @param membership the membership as of {@code last}, kept byte for byte
     * @param leaderId   the leader sending it
     * @param leaderTerm that leader's term
     * @return the sink to write the received data to and commit it
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    default SnapshotSink beginReceiving(LogId last, byte[] membership, long leaderId, long leaderTerm)
            throws IOException {
        return begin(last, membership);
    }

    /**
     * {@return the received snapshot left unfinished by an earlier run, if the store kept one} Called by
     * the node's applier when a transfer's chunk arrives and no transfer is under way. By default none.
     *
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    default Optional<PartialSnapshot> partial() throws IOException {
        return Optional.empty();
    }

    /**
     * Continues {@code partial} (as {@link #partial()} returned it): a sink holding its
     * {@link PartialSnapshot#durableBytes() durable bytes}, to which the rest of the data is written. A
     * store that finds the kept data damaged drops it and throws; RingRaft then starts the transfer over.
     *
     * @param partial what {@link #partial()} returned
     * @return the sink, positioned after the durable bytes
     * @throws IOException if the kept data cannot be continued (RingRaft starts over); by default always
     */
    default SnapshotSink resume(PartialSnapshot partial) throws IOException {
        throw new IOException("this snapshot store cannot resume a partly received snapshot");
    }

    /**
     * Opens the data of a committed snapshot for reading, from the start.
     *
     * @param snapshot a snapshot {@link #latest} returned
     * @return the data, as a stream that fails rather than ends early if it does not match the commit
     * @throws IOException if the snapshot is no longer in the store (deleted by retention) or
     *                     cannot be read
     */
    InputStream open(SnapshotInfo snapshot) throws IOException;

    /** Releases files and buffers. */
    @Override
    void close() throws IOException;
}
