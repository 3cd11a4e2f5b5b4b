package io.ringraft.storage.wal;

import io.ringraft.api.Bytes;
import io.ringraft.spi.LogEntries;
import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The one append stream. Every group's log writer thread writes through here: its records are
 * framed (CRC32C each) into one staging buffer and written to the newest file with one positional
 * write, then published to the group's in-memory state. Records of all groups thus interleave in
 * one stream in the order their calls took the lock; a flush ({@link GroupCommit}) forces the stream.
 *
 * <p><b>Threads and blocking.</b> Callers are the groups' log writer threads, the maintenance
 * thread (moved entries) and the opener. {@link #lock} serializes them; it is held across the
 * positional write (the page cache, usually) and, every {@code fileBytes}, across rolling to the next
 * file: sealing the full file, forcing it, and creating the next one (written, forced, renamed, the
 * directory forced). Never across a flush's {@code fsync}.
 *
 * <p>Callers validate arguments first; any exception inside a write is recorded by {@link FailStop}.
 */
final class WalWriter {

    private static final int STAGING_BYTES = 256 * 1024;

    final ReentrantLock lock = new ReentrantLock();

    private final FileIo io;
    private final Path directory;
    private final WalIdentity identity;
    private final long fileBytes;
    private final boolean preallocate;
    private final WalFiles files;
    private final FailStop failStop;
    private final Runnable onRoll;
    private GroupCommit commit;
    private final CRC32C crc = new CRC32C();

    // Guarded by lock.
    private WalFile tail;
    private long position;
    private ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private int stagedBytes;
    private int stagedCount;
    private byte[] stagedKinds = new byte[256];
    private long[] stagedIndexes = new long[256];
    private long[] stagedTerms = new long[256];
    private int[] stagedOffsets = new int[256];
    private volatile long writtenLsn;

    WalWriter(FileIo io, Path directory, WalIdentity identity, long fileBytes, boolean preallocate, WalFiles files,
            FailStop failStop, Runnable onRoll) {
        this.io = io;
        this.directory = directory;
        this.identity = identity;
        this.fileBytes = fileBytes;
        this.preallocate = preallocate;
        this.files = files;
        this.failStop = failStop;
        this.onRoll = onRoll;
    }

    /** Starts writing at {@code position} of {@code tail} (called once, by the opener). */
    void start(WalFile tail, long position, GroupCommit commit) {
        this.tail = tail;
        this.position = position;
        this.commit = commit;
        this.writtenLsn = Lsn.of(tail.seq, position);
    }

    /** The largest payload an entry may have: a record must fit in one file with a seal after it. */
    static int maxPayload(long fileBytes) {
        return (int) Math.min(WalRecord.MAX_PAYLOAD, fileBytes - WalFile.HEADER_BYTES - 2L * WalRecord.HEADER_BYTES);
    }

    /** Where the next record goes: everything before it has been written (not necessarily forced). */
    long writtenLsn() {
        return writtenLsn;
    }

    /** The newest file and the position up to which it is written, taken together. */
    record SyncPoint(WalFile file, long offset) {
        long lsn() {
            return Lsn.of(file.seq, offset);
        }
    }

    SyncPoint syncPoint() {
        lock.lock();
        try {
            return new SyncPoint(tail, position);
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

    /** Writes {@code entries} (validated by the caller) for {@code group} and publishes them. */
    void append(GroupState group, LogEntries entries) throws IOException {
        lock.lock();
        try {
            failStop.check();
            long first = entries.firstIndex();
            for (int i = 0; i < entries.count(); i++) {
                Bytes payload = entries.payloadAt(i);
                makeRoom(group, payload.length());
                stage(group.groupId, entries.kindAt(i).code(), first + i, entries.termAt(i), payload, null);
            }
            writeStaged(group);
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Writes one record of a per-group change (truncate, purge, reset, vote) and applies it. */
    void writeChange(GroupState group, byte kind, long index, long term) throws IOException {
        lock.lock();
        try {
            failStop.check();
            makeRoom(group, 0);
            stage(group.groupId, kind, index, term, null, null);
            writeStaged(group);
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
                makeRoom(group, entry.payload().length);
                stage(group.groupId, (byte) (entry.kind() | WalRecord.MOVED), entry.index(), entry.term(), null,
                        entry.payload());
                moved++;
            }
            writeStaged(group);
            return moved;
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Writes out what is staged and rolls if a record of {@code payloadBytes} does not fit the file. */
    private void makeRoom(GroupState group, int payloadBytes) throws IOException {
        int recordBytes = WalRecord.HEADER_BYTES + payloadBytes;
        if (position + stagedBytes + recordBytes + WalRecord.HEADER_BYTES > fileBytes) {
            writeStaged(group);
            roll();
        }
        if (stagedBytes + recordBytes > staging.capacity()) {
            writeStaged(group);
            if (recordBytes > staging.capacity()) {
                staging = ByteBuffer.allocateDirect(Math.max(recordBytes, staging.capacity() * 2));
            }
        }
    }

    private void stage(long groupId, byte kind, long index, long term, Bytes payload, byte[] bytes) {
        if (stagedCount == stagedKinds.length) {
            int grown = stagedCount * 2;
            stagedKinds = Arrays.copyOf(stagedKinds, grown);
            stagedIndexes = Arrays.copyOf(stagedIndexes, grown);
            stagedTerms = Arrays.copyOf(stagedTerms, grown);
            stagedOffsets = Arrays.copyOf(stagedOffsets, grown);
        }
        int at = stagedBytes;
        int length = 0;
        if (payload != null) {
            length = payload.length();
            staging.position(at + WalRecord.HEADER_BYTES);
            payload.getBytes(0, staging, length);
        } else if (bytes != null) {
            length = bytes.length;
            staging.put(at + WalRecord.HEADER_BYTES, bytes);
        }
        int stable = (int) tail.durableOffset;
        WalRecord.writeHeader(staging, at, length, groupId, index, term, stable, kind, crc);
        stagedKinds[stagedCount] = kind;
        stagedIndexes[stagedCount] = index;
        stagedTerms[stagedCount] = term;
        stagedOffsets[stagedCount] = at;
        stagedCount++;
        stagedBytes += WalRecord.HEADER_BYTES + length;
    }

    /** Writes the staged records of {@code group} with one write and applies them to its state. */
    private void writeStaged(GroupState group) throws IOException {
        if (stagedCount == 0) {
            return;
        }
        staging.limit(stagedBytes).position(0);
        tail.handle.write(staging, position);
        staging.clear();
        long at = position;
        int entryRecords = 0;
        group.lock.writeLock().lock();
        try {
            for (int i = 0; i < stagedCount; i++) {
                byte kind = stagedKinds[i];
                Replay.apply(group, kind, stagedIndexes[i], stagedTerms[i], Lsn.of(tail.seq, at + stagedOffsets[i]));
                if (WalRecord.isEntry(kind)) {
                    entryRecords++;
                }
            }
            position = at + stagedBytes;
            group.lastLsn = Lsn.of(tail.seq, position);
        } finally {
            group.lock.writeLock().unlock();
        }
        tail.entryRecords += entryRecords;
        writtenLsn = Lsn.of(tail.seq, position);
        stagedBytes = 0;
        stagedCount = 0;
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
