package io.ringraft.storage.wal;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The one append stream. Every group's log writer thread writes through here: its records are
 * framed (CRC32C each) into one staging buffer shared by all groups and published to the group's
 * in-memory state at once, at the stream position they will have; the staging buffer goes to the
 * newest file with one positional write when a flush asks for it ({@link #syncPoint()}, called by
 * the leader of a {@link GroupCommit} round), when it is full, before a roll, and when a reader needs a
 * record still in it ({@link #drain()}). Records of all groups thus interleave in one stream in the
 * order their calls took the lock, and a round of appends to many groups followed by their flushes
 * costs one {@code write} and one {@code fdatasync}, as a single-stream append loop would.
 *
 * <p><b>Crash properties.</b> What is staged is lost by a crash as what is written but not forced is:
 * the stream on disk is always a prefix of the stream appended, so every group's recovered log is a
 * prefix of its calls. Nothing is acknowledged durable before a force that followed its write. A
 * process crash (the page cache survives) loses what was staged; with {@code writeThrough} every call
 * writes its records before it returns, so a process crash loses nothing (at one write per call).
 *
 * <p><b>Threads and blocking.</b> Callers are the groups' log writer threads, the maintenance
 * thread (moved entries), readers ({@link #drain()}), group commit leaders ({@link #syncPoint()}) and
 * the opener. {@link #lock} serializes them; it is held across copying records into the staging
 * buffer, across the positional write of the buffer (the page cache, usually) and, every
 * {@code fileBytes}, across rolling to the next file: sealing the full file, forcing it, and creating
 * the next one (written, forced, renamed, the directory forced). Never across a flush's {@code fsync}.
 * Lock order: this lock, then a group's lock; the group's lock is never held across a write or roll.
 *
 * <p><b>Memory.</b> The staging buffer is fixed (256 KiB, grown only for a record larger than it);
 * when full it is written out. The per-call arrays grow to the largest batch one call wrote.
 *
 * <p>Callers validate arguments first; any exception inside a write is recorded by {@link FailStop}.
 */
final class WalWriter {

    private static final int STAGING_BYTES = 256 * 1024;
    private static final VarHandle END_LSN;

    static {
        try {
            END_LSN = MethodHandles.lookup().findVarHandle(WalWriter.class, "endLsn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ReentrantLock lock = new ReentrantLock();

    private final FileIo io;
    private final Path directory;
    private final WalIdentity identity;
    private final long fileBytes;
    private final boolean preallocate;
    private final WalFiles files;
    private final FailStop failStop;
    private final Runnable onRoll;
    private final boolean writeThrough;
    private GroupCommit commit;
    private final CRC32C crc = new CRC32C();

    // Guarded by lock.
    private WalFile tail;
    /** Where the staging buffer goes in {@link #tail}: everything before it is written to the file. */
    private long position;
    private ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    /** A second view of {@link #staging} for the CRC (its position and limit move). */
    private ByteBuffer stagingView = staging.duplicate();
    private final byte[] header = new byte[WalRecord.HEADER_BYTES];
    private int stagedBytes;
    /** The records of the current call, published to its group at the end of the call. */
    private int callCount;
    private byte[] callKinds = new byte[64];
    private long[] callIndexes = new long[64];
    private long[] callTerms = new long[64];
    private long[] callLocations = new long[64];
    /** {@code Lsn.of(tail.seq, position)}: everything before it is written (not necessarily forced). */
    private volatile long writtenLsn;
    /** {@code Lsn.of(tail.seq, position + stagedBytes)}: where the next record goes. */
    private volatile long endLsn;

    WalWriter(FileIo io, Path directory, WalIdentity identity, long fileBytes, boolean preallocate, WalFiles files,
            FailStop failStop, Runnable onRoll, boolean writeThrough) {
        this.io = io;
        this.directory = directory;
        this.identity = identity;
        this.fileBytes = fileBytes;
        this.preallocate = preallocate;
        this.files = files;
        this.failStop = failStop;
        this.onRoll = onRoll;
        this.writeThrough = writeThrough;
    }

    /** Starts writing at {@code position} of {@code tail} (called once, by the opener). */
    void start(WalFile tail, long position, GroupCommit commit) {
        this.tail = tail;
        this.position = position;
        this.commit = commit;
        this.writtenLsn = Lsn.of(tail.seq, position);
        this.endLsn = writtenLsn;
    }

    /** The largest payload an entry may have: a record must fit in one file with a seal after it. */
    static int maxPayload(long fileBytes) {
        return (int) Math.min(WalRecord.MAX_PAYLOAD, fileBytes - WalFile.HEADER_BYTES - 2L * WalRecord.HEADER_BYTES);
    }

    /** Everything before this position has been written to its file (not necessarily forced). */
    long writtenLsn() {
        return writtenLsn;
    }

    /** Where the next record goes: everything before it was appended (possibly still staged). */
    long endLsn() {
        return endLsn;
    }

    /** The newest file and the position up to which it is written, taken together. */
    record SyncPoint(WalFile file, long offset) {
        long lsn() {
            return Lsn.of(file.seq, offset);
        }
    }

    /**
     * Writes out what is staged and returns where the written stream ends: forcing its file up to
     * there makes everything appended so far durable.
     */
    SyncPoint syncPoint() throws IOException {
        lock.lock();
        try {
            failStop.check();
            writeStagedOrFail();
            return new SyncPoint(tail, position);
        } finally {
            lock.unlock();
        }
    }

    /** Writes out what is staged (a reader needs a record that is still in the staging buffer). */
    void drain() throws IOException {
        lock.lock();
        try {
            failStop.check();
            writeStagedOrFail();
        } finally {
            lock.unlock();
        }
    }

    /** Seq of the newest file. */
    long tailSeq() {
        lock.lock();
        try {
            return tail.seq;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writes

    /** Stages {@code entries} (validated by the caller) for {@code group} and publishes them. */
    void append(GroupState group, LogEntries entries) throws IOException {
        lock.lock();
        try {
            failStop.check();
            long first = entries.firstIndex();
            int count = entries.count();
            for (int i = 0; i < count; i++) {
                Bytes payload = entries.payloadAt(i);
                makeRoom(payload.length());
                stage(group.groupId, entries.kindAt(i).code(), first + i, entries.termAt(i), payload, null);
            }
            publish(group);
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Stages one record of a per-group change (truncate, purge, reset, vote, delete) and applies it. */
    void writeChange(GroupState group, byte kind, long index, long term) throws IOException {
        lock.lock();
        try {
            failStop.check();
            makeRoom(0);
            stage(group.groupId, kind, index, term, null, null);
            publish(group);
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** An entry read from an old file, to be copied forward. */
    record Moving(long index, long term, byte kind, long from, byte[] payload) {
    }

    /**
     * Copies {@code entries} of {@code group} to the newest file as moved records, those whose
     * location is still {@code from} (the group may have truncated or purged them meanwhile).
     *
     * @return how many were moved
     */
    int move(GroupState group, List<Moving> entries) throws IOException {
        lock.lock();
        try {
            failStop.check();
            int moved = 0;
            for (Moving entry : entries) {
                // The append lock excludes every writer of the group: its state can be read here.
                if (entry.index() <= group.base.index() || entry.index() > group.lastIndex
                        || group.locations.get(entry.index()) != entry.from()) {
                    continue;
                }
                makeRoom(entry.payload().length);
                stage(group.groupId, (byte) (entry.kind() | WalRecord.MOVED), entry.index(), entry.term(), null,
                        entry.payload());
                moved++;
            }
            publish(group);
            return moved;
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes out what is staged if a record of {@code payloadBytes} does not fit the staging buffer,
     * and rolls to a new file if it does not fit the newest one.
     */
    private void makeRoom(int payloadBytes) throws IOException {
        int recordBytes = WalRecord.HEADER_BYTES + payloadBytes;
        if (position + stagedBytes + recordBytes + WalRecord.HEADER_BYTES > fileBytes) {
            writeStaged();
            roll();
        }
        if (stagedBytes + recordBytes > staging.capacity()) {
            writeStaged();
            if (recordBytes > staging.capacity()) {
                staging = ByteBuffer.allocateDirect(Math.max(recordBytes, staging.capacity() * 2));
                stagingView = staging.duplicate();
            }
        }
    }

    private void stage(long groupId, byte kind, long index, long term, Bytes payload, byte[] bytes) {
        if (callCount == callKinds.length) {
            int grown = callCount * 2;
            callKinds = Arrays.copyOf(callKinds, grown);
            callIndexes = Arrays.copyOf(callIndexes, grown);
            callTerms = Arrays.copyOf(callTerms, grown);
            callLocations = Arrays.copyOf(callLocations, grown);
        }
        int at = stagedBytes;
        int length = 0;
        if (payload != null) {
            length = payload.length();
            staging.position(at + WalRecord.HEADER_BYTES);
            payload.getBytes(0, staging, length);
            staging.position(0);
        } else if (bytes != null) {
            length = bytes.length;
            staging.put(at + WalRecord.HEADER_BYTES, bytes);
        }
        int stable = (int) tail.durableOffset;
        WalRecord.frame(staging, stagingView, header, at, length, groupId, index, term, stable, kind, crc);
        callKinds[callCount] = kind;
        callIndexes[callCount] = index;
        callTerms[callCount] = term;
        callLocations[callCount] = Lsn.of(tail.seq, position + at);
        callCount++;
        stagedBytes += WalRecord.HEADER_BYTES + length;
        if (WalRecord.isEntry(kind)) {
            tail.entryRecords++;
        }
    }

    /** Applies the records of this call to {@code group}'s state (they are readable from now on). */
    private void publish(GroupState group) throws IOException {
        if (callCount == 0) {
            return;
        }
        group.lock.writeLock().lock();
        try {
            for (int i = 0; i < callCount; i++) {
                byte kind = callKinds[i];
                if (kind > 0 && kind < WalRecord.MOVED) { // an original entry: the common case, no dispatch
                    group.appendEntry(callIndexes[i], callTerms[i], callLocations[i]);
                } else {
                    Replay.apply(group, kind, callIndexes[i], callTerms[i], callLocations[i]);
                }
            }
            long end = Lsn.of(tail.seq, position + stagedBytes);
            // Release stores, not volatile ones: a reader that sees the new end also sees the records
            // before it, and the appending thread saves a full fence per call.
            END_LSN.setRelease(this, end);
            GroupState.LAST_LSN.setRelease(group, end);
        } finally {
            group.lock.writeLock().unlock();
            callCount = 0;
        }
        if (writeThrough) {
            writeStaged();
        }
    }

    private void writeStagedOrFail() throws IOException {
        try {
            writeStaged();
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        }
    }

    /** Writes the staging buffer to the newest file with one positional write. Needs the lock. */
    private void writeStaged() throws IOException {
        if (stagedBytes == 0) {
            return;
        }
        staging.limit(stagedBytes).position(0);
        tail.handle.write(staging, position);
        staging.clear();
        position += stagedBytes;
        stagedBytes = 0;
        writtenLsn = Lsn.of(tail.seq, position);
    }

    /** Seals the newest file, forces it, and continues in a new one. Needs the lock, nothing staged. */
    private void roll() throws IOException {
        roll(true);
    }

    private void roll(boolean seal) throws IOException {
        if (seal) {
            sealTail();
        }
        WalFile next = WalFile.create(io, directory, identity, tail.seq + 1, preallocate ? fileBytes : 0);
        files.add(next);
        tail = next;
        position = WalFile.HEADER_BYTES;
        writtenLsn = Lsn.of(tail.seq, position);
        endLsn = writtenLsn;
        onRoll.run();
    }

    /** Writes a seal at the write position of the newest file and forces it. Needs the lock. */
    private void sealTail() throws IOException {
        ByteBuffer seal = ByteBuffer.allocate(WalRecord.HEADER_BYTES);
        WalRecord.writeHeader(seal, 0, 0, 0, tail.seq, 0, (int) tail.durableOffset, WalRecord.KIND_SEAL, crc);
        tail.handle.write(seal, position);
        tail.handle.force(false);
        long end = position + WalRecord.HEADER_BYTES;
        commit.markDurable(tail, end);
        position = end;
        writtenLsn = Lsn.of(tail.seq, position);
        endLsn = writtenLsn;
    }

    /**
     * Rolls now (the opener): after a torn tail, with {@code seal}, the cut file is sealed where its
     * valid records end; after a file found sealed, without. The stream goes on in a new file.
     */
    void rollForOpen(boolean seal) throws IOException {
        lock.lock();
        try {
            roll(seal);
        } finally {
            lock.unlock();
        }
    }
}
