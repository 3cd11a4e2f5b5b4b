package io.ringraft.spi;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import java.io.IOException;

/**
 * Durable storage of one node's Raft log and vote. RingRaft ships an in-memory implementation (for
 * tests) and a segmented file log in {@code raft-storage}; users may plug their own.
 *
 * <p><b>Threads.</b> {@link #open()} is called once, before anything else, by the thread that starts
 * the node. After that, exactly one thread (the node's log writer) calls the mutating methods
 * {@link #saveVote}, {@link #append}, {@link #truncateSuffix}, {@link #purgePrefix},
 * {@link #resetTo} and {@link #flush}; they may block on IO. {@link #read} and {@link #termAt} may be called concurrently
 * from other threads (the applier, replicators) and must see every append that has returned.
 *
 * <p><b>Ordering and durability.</b> Changes take effect in the order they are made: after a crash,
 * the recovered log is the result of some prefix of the calls, never a later change without an
 * earlier one. {@link #saveVote} is durable when it returns. Appends and truncations are readable at
 * once and durable when a later {@link #flush} returns; one flush covers everything before it (group
 * commit). A truncation or purge interrupted by a crash leaves the state before or after it.
 *
 * <p><b>Failure.</b> Any {@link IOException} (including a failed flush or a full disk) is final: the
 * node stops (fail-stop) and never retries the operation, because after a failed fsync the data's
 * state is unknown. Corrupt data found while opening is reported as an {@link IOException} whose
 * message says where, never silently cut away unless it is a torn tail that was never flushed.
 *
 * <p><b>Rules.</b> Every implementation must pass {@code io.ringraft.storage.conformance.LogStorageConformanceTest}
 * (raft-core's test-jar, with its sources): extend it, implement {@code newStorage()}, and override
 * {@code reopen} if the storage survives a restart. Beyond the method comments it checks:
 * <ul>
 *   <li><b>Empty.</b> A new storage opens as {@link LogState#empty()}: base and last {@link LogId#ZERO},
 *       {@code termAt(0) == 0}, {@code termAt(1) == -1}, and {@code read(1, ...)} is empty.
 *   <li><b>Bounds.</b> With base {@code b} and last entry {@code l}: {@link #append} starts at {@code l + 1}
 *       (an empty append too); {@link #truncateSuffix} takes {@code b < fromIndex <= l + 1}
 *       ({@code l + 1} removes nothing); {@link #purgePrefix} refuses an index beyond {@code l} (purging up
 *       to {@code l} empties the log and keeps its position: the next append is at {@code l + 1});
 *       {@link #resetTo} takes a base at or after {@code b} (at it, inside the entries or beyond them; its
 *       term need not match an old entry's there). Outside them the call throws
 *       {@link IllegalArgumentException}, changes nothing, and the storage stays usable.
 *   <li><b>Terms.</b> An append's terms never decrease, from the term of the entry before it (or of the
 *       base after a purge or reset) on; otherwise {@link IllegalArgumentException}, nothing changes.
 *   <li><b>A vote never goes backwards.</b> {@link #saveVote} throws {@link IllegalStateException} for a
 *       lower term, or, in the same term, for another candidate or for taking a vote back
 *       ({@code Vote.NONE} after a candidate); saving the same vote again, or any vote of a higher term,
 *       is fine. This holds across a reopen too.
 *   <li><b>Reads.</b> {@code read} returns at most {@code maxCount} entries and at most {@code maxBytes}
 *       of payload, except that the first entry is returned whatever its size; empty payloads count
 *       nothing. From beyond the last entry it returns an empty view whose {@code firstIndex()} is
 *       {@code fromIndex}; at or below the base it throws {@link IOException}. After a truncation the
 *       same indexes (even the same {@code LogId}s) may be appended again, and reads return the newest.
 *   <li><b>Copies.</b> {@link #append} copies what it keeps: the caller may change the entries afterwards.
 *   <li><b>Restart.</b> After a reopen, {@link #open()} returns the saved vote (durable without a flush)
 *       and exactly the entries, truncations, purges and resets flushed before it.
 * </ul>
 * The node saves a vote whose term covers an entry before it appends that entry (the conformance tests
 * do the same), so an implementation may treat a log whose last term exceeds the vote's as corrupt.
 */
public interface LogStorage extends AutoCloseable {

    /**
     * Opens the storage and returns what it holds. Called once. Everything it returns must be
     * durable: the node treats the whole recovered log and vote as on disk. Data still in the OS page
     * cache after a process crash (written, never flushed) is forced before returning, or discarded.
     *
     * @return the vote, the base and the last entry held
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    LogState open() throws IOException;

    /**
     * Makes {@code vote} durable before returning.
     *
     * @param vote the vote to keep
     * @throws IllegalStateException if it goes backwards: a lower term than the vote held, or the same
     *                               term with another (or no) candidate; nothing changes
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void saveVote(Vote vote) throws IOException;

    /**
     * Appends {@code entries}, which start right after the last entry held. The view is valid only
     * during the call; implementations copy what they keep.
     *
     * @param entries the entries to append
     * @throws IllegalArgumentException if they do not start right after the last entry or their terms
     *                                  decrease ({@link #checkAppend} checks both); nothing changes
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void append(LogEntries entries) throws IOException;

    /**
     * Removes every entry from {@code fromIndex} on ({@code fromIndex} is above the base).
     *
     * @param fromIndex the first index to remove
     * @throws IllegalArgumentException unless {@code base < fromIndex <= last + 1}; nothing changes
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void truncateSuffix(long fromIndex) throws IOException;

    /**
     * Removes every entry up to and including {@code upToIndex}, whose term becomes the base term.
     * RingRaft purges only entries covered by a durable snapshot.
     *
     * @param upToIndex the last index to remove
     * @throws IllegalArgumentException if {@code upToIndex} lies beyond the last entry; nothing changes
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void purgePrefix(long upToIndex) throws IOException;

    /**
     * Discards every entry and makes {@code base} the log's base: the log continues empty at
     * {@code base.index() + 1}, whatever it held before ({@code base} may lie before, inside or beyond
     * it). Used when a follower installs a snapshot from its leader that its own log does not contain.
     * Readable at once, durable after the next {@link #flush}; a crash before that leaves the log as it
     * was or reset, never a mixture (RingRaft then reconciles the log with the newest snapshot).
     *
     * @param base the new base
     * @throws IllegalArgumentException if {@code base} is before the current base
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void resetTo(LogId base) throws IOException;

    /**
     * Makes every change made so far durable.
     *
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    void flush() throws IOException;

    /**
     * Reads up to {@code maxCount} entries from {@code fromIndex}, stopping early once
     * {@code maxBytes} of payload are reached (at least one entry is returned if any exists). The
     * returned view is owned by the caller.
     *
     * @param fromIndex the first index to read
     * @param maxCount the most entries to return
     * @param maxBytes the payload bytes after which to stop
     * @return the entries, empty if {@code fromIndex} is beyond the last entry
     * @throws IOException if {@code fromIndex} is at or below the base (purged) or a read fails
     */
    LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException;

    /**
     * {@return the term of the entry at {@code index}, the base term at the base index, or -1 if not held}
     *
     * @param index the index asked about
     * @throws IOException if the storage fails; RingRaft then stops the node (fail-stop)
     */
    long termAt(long index) throws IOException;

    /**
     * Checks what {@link #append} requires, for implementations: {@code entries} start right after
     * {@code last}, their terms never decrease (from {@code last}'s term on), every kind is set, and
     * no payload exceeds {@code maxPayloadBytes}. Reads each entry once and builds no message unless
     * it fails.
     *
     * @param last the last entry held
     * @param entries the entries to check
     * @param maxPayloadBytes the largest payload allowed
     * @throws IllegalArgumentException naming the first entry that breaks a rule
     * @throws NullPointerException     if an entry has no kind
     */
    static void checkAppend(LogId last, LogEntries entries, int maxPayloadBytes) {
        checkAppend(last.index(), last.term(), entries, maxPayloadBytes);
    }

    /**
     * The same as {@link #checkAppend(LogId, LogEntries, int)} with the last entry given as its index
     * and term: for implementations that keep them apart and would otherwise build a {@link LogId}
     * per call.
     *
     * @param lastIndex the index of the last entry held
     * @param lastTerm the term of the last entry held
     * @param entries the entries to check
     * @param maxPayloadBytes the largest payload allowed
     * @throws IllegalArgumentException naming the first entry that breaks a rule
     * @throws NullPointerException     if an entry has no kind
     */
    static void checkAppend(long lastIndex, long lastTerm, LogEntries entries, int maxPayloadBytes) {
        long next = lastIndex + 1;
        if (entries.firstIndex() != next) {
            throw new IllegalArgumentException("append must start at index " + next
                    + " (right after the last entry " + lastTerm + "-" + lastIndex + "), got " + entries.firstIndex());
        }
        long previousTerm = lastTerm;
        for (int i = 0; i < entries.count(); i++) {
            long term = entries.termAt(i);
            if (term < previousTerm) {
                throw new IllegalArgumentException("entry " + (next + i) + " has term " + term
                        + ", lower than the term " + previousTerm + " of the entry before it");
            }
            if (entries.kindAt(i) == null) { // checked without building a message per entry
                throw new NullPointerException("kind of entry " + (next + i));
            }
            int length = entries.payloadAt(i).length();
            if (length > maxPayloadBytes) {
                throw new IllegalArgumentException("entry " + (next + i) + " has a payload of " + length
                        + " bytes; the most this storage holds is " + maxPayloadBytes);
            }
            previousTerm = term;
        }
    }

    /** Releases files and buffers. Changes not flushed may be lost. */
    @Override
    void close() throws IOException;
}
