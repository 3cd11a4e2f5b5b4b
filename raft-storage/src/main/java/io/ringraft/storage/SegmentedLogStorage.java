package io.ringraft.storage;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.NioFileIo;
import io.ringraft.storage.internal.StorageIdentity;
import io.ringraft.storage.internal.TermRuns;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStorage}: the Raft log in append-only segment files, the vote and the log base
 * in small files replaced atomically, all in one directory. The file format, the recovery algorithm
 * and the durability guarantees are described in {@code docs/storage.md}.
 *
 * <pre>{@code
 * LogStorage storage = SegmentedLogStorage.builder(Path.of("/var/lib/myservice/raft/group-1"))
 *         .clusterId(0x5eed).groupId(1).nodeId(3)
 *         .build();
 * RaftNode node = RaftNode.builder()...logStorage(storage)...build();
 * }</pre>
 *
 * <p><b>Who calls it, on which thread.</b> The node's runtime: {@link #open()} once on the thread
 * that starts the node; then only the node's log writer thread calls {@link #saveVote},
 * {@link #append}, {@link #truncateSuffix}, {@link #purgePrefix}, {@link #resetTo} and {@link #flush};
 * any thread (applier, replicators) may call {@link #read} and {@link #termAt} concurrently with it.
 * A read/write lock makes every returned change visible to later reads; the writer holds it
 * exclusively only to publish a change (never across an {@code fsync}, and across file IO only to
 * close and forget deleted segments).
 *
 * <p><b>What blocks.</b> {@code append} writes to the page cache (one positional write per batch)
 * and, every {@code segmentBytes}, seals the full segment and creates the next one (three
 * {@code fsync}s; with preallocation the new segment's zeros were written ahead of time by the
 * {@linkplain Builder#segmentPreparer segment preparer} after the previous rollover (or once the first
 * segment was a quarter full), and are written
 * here only if that preparation has not finished). {@code flush} is one
 * {@code fdatasync} of the tail segment, whatever was appended since the last one (group commit).
 * {@code saveVote} and {@code purgePrefix} replace a small file (two {@code fsync}s);
 * {@code truncateSuffix} forces a seal or creates a segment; {@code resetTo} creates a segment and
 * replaces the base file. {@code read} reads segment files (the page cache, usually); {@code termAt}
 * never does IO.
 *
 * <p><b>Guarantees.</b> Appends are readable as soon as {@code append} returns and durable when a
 * later {@code flush} returns; a crash may lose appends made after the last flush (a torn one leaves
 * a prefix of its entries) but never an earlier one. {@code saveVote}, {@code truncateSuffix},
 * {@code purgePrefix} and {@code resetTo} are durable when they return and atomic: after a crash at
 * any point the state is the one before or the one after, never a mix. Recovery cuts a torn tail
 * (bytes that were never forced) and refuses, with a {@link CorruptStorageException}, damage to
 * records that were durable. It refuses a directory of another node, files of another cluster or
 * group, and files of a newer format version, with an {@link IncompatibleStorageException}.
 *
 * <p><b>Failure.</b> Fail-stop: after any {@link IOException} (a failed write or {@code fsync}, a
 * full disk, corruption found by a read), every later call throws an {@link IOException} that says
 * why. Nothing is retried: after a failed {@code fsync} the kernel may have dropped the data, so only
 * a restart, which recovers from what the disk holds, is safe. Contract violations (an append not at
 * {@code last + 1}, a decreasing term or vote, a truncation outside {@code (base, last + 1]}, a reset
 * before the base) throw {@link IllegalArgumentException} or {@link IllegalStateException} and change
 * nothing.
 *
 * <p>One instance per directory: the directory is locked while the storage is open.
 */
public final class SegmentedLogStorage implements LogStorage {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedLogStorage.class);

    /** Default size of a segment file: 32 MiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 32 << 20;
    /** Smallest segment size accepted (segments this small only make sense in tests). */
    public static final int MIN_SEGMENT_BYTES = 256;
    /** Largest segment size accepted: 1 GiB (record offsets in a segment must stay below 2 GiB). */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;

    private static final int WRITE_BUFFER_BYTES = 256 * 1024;

    private final Path directory;
    private final StorageIdentity identity;
    private final long nodeId;
    private final int segmentBytes;
    private final boolean preallocate;
    private final boolean verifyOnOpen;
    /** {@link Builder#unsafeNoFsync}: {@link #flush()} forces nothing. */
    private final boolean unsafeNoFsync;
    private final FileIo io;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final RecordBuffer staged = new RecordBuffer(WRITE_BUFFER_BYTES);
    private final CRC32C sealCrc = new CRC32C();

    // Guarded by lock: the writer changes them under the write lock, readers read them under the read lock.
    private final List<Segment> segments = new ArrayList<>();
    private TermRuns runs = new TermRuns();
    private LogId base = LogId.ZERO;
    private long lastIndex;
    private boolean opened;
    private boolean closed;

    // Log writer only.
    private Vote vote = Vote.INITIAL;
    private long nextSeq = 1;
    private Closeable directoryLock;

    /** The first failure; once set, every call throws. */
    private volatile IOException failure;

    /** The next segment, zero-filled ahead of time; null without preallocation or preparing. */
    private final SpareSegment spare;
    /** Background forces of the tail in {@code unsafeNoFsync} mode (null otherwise), so seals stay short. */
    private final WriteBehind writeBehind;
    /** The spare was asked for since the tail segment was created (writing thread; asked once per segment). */
    private boolean spareAsked;

    private SegmentedLogStorage(Builder builder) {
        this.directory = builder.directory;
        this.identity = new StorageIdentity(builder.clusterId, builder.groupId);
        this.nodeId = builder.nodeId;
        this.segmentBytes = builder.segmentBytes;
        this.preallocate = builder.preallocate;
        this.verifyOnOpen = builder.verifyOnOpen;
        this.unsafeNoFsync = builder.unsafeNoFsync;
        this.io = builder.io;
        Executor preparer = builder.preparerSet ? builder.preparer : builder.io == NioFileIo.INSTANCE ? SpareSegment.SHARED : null;
        this.spare = builder.preallocate && preparer != null
                ? new SpareSegment(builder.io, builder.directory, builder.segmentBytes, preparer) : null;
        this.writeBehind = builder.unsafeNoFsync && preparer != null ? new WriteBehind(preparer) : null;
    }

    /**
     * Starts configuring a storage in {@code directory} (created by {@link #open()} if missing).
     *
     * @param directory the directory (created by {@code open()} if missing)
     * @return a builder with the defaults
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** {@return the directory this storage keeps its files in} */
    public Path directory() {
        return directory;
    }

    // ------------------------------------------------------------------ open and close

    /**
     * Locks the directory, recovers the log (see the class comment and {@code docs/storage.md}) and
     * makes everything it recovered durable before returning it.
     *
     * @throws CorruptStorageException      if durable data is damaged or inconsistent
     * @throws IncompatibleStorageException if the directory belongs to another node, or its files to another
     *                                      cluster or group, or are of a newer format
     * @throws IOException                  if the directory is in use or cannot be read or written
     */
    @Override
    public LogState open() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                throw new IOException("segmented log storage in " + directory + " is closed");
            }
            if (opened) {
                throw new IllegalStateException("open() was already called");
            }
            io.createDirectories(directory);
            directoryLock = io.lockDirectory(directory);
            RecoveredLog recovered;
            boolean owned;
            try {
                owned = IdentityFile.check(io, directory, identity, nodeId);
                recovered = LogRecovery.recover(io, directory, identity, verifyOnOpen);
            } catch (IOException | RuntimeException e) {
                SegmentFiles.closeQuietly(directoryLock::close, e);
                directoryLock = null;
                throw e;
            }
            segments.addAll(recovered.segments());
            runs = recovered.runs();
            base = recovered.base();
            lastIndex = recovered.lastIndex();
            vote = recovered.vote();
            nextSeq = recovered.nextSeq();
            opened = true;
            LogId last = lastId();
            if (last.term() > vote.term()) {
                CorruptStorageException stale = new CorruptStorageException(directory.resolve(VoteFile.NAME), -1,
                        "the log ends with " + last + " but the durable vote is only for term " + vote.term()
                        + ": the vote file is stale or belongs to another node");
                failOpen(stale);
                throw stale;
            }
            if (!owned) {
                boolean hadData = !segments.isEmpty() || !vote.equals(Vote.INITIAL) || !base.equals(LogId.ZERO);
                try {
                    IdentityFile.record(io, directory, identity, nodeId, hadData, LOG);
                } catch (IOException | RuntimeException e) {
                    failOpen(e);
                    throw e;
                }
            }
            if (unsafeNoFsync) {
                LOG.warn("UNSAFE: the log storage of node {} in {} runs without fsync (unsafeNoFsync): flush() "
                        + "forces nothing, so a power loss or an OS crash can lose entries the cluster acknowledged "
                        + "as committed. For tests and benchmarks only, never for data you keep", nodeId, directory);
            }
            return new LogState(vote, base, last);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Like any failed open: stops, releases the files and the directory (the caller need not close). */
    private void failOpen(Exception cause) {
        fail(cause);
        for (Segment segment : segments) {
            SegmentFiles.closeQuietly(segment.file, cause);
        }
        segments.clear();
        SegmentFiles.closeQuietly(directoryLock::close, cause);
        directoryLock = null;
    }

    /**
     * Closes every file and releases the directory lock. Changes not flushed may be lost (they are in
     * the page cache; a later power loss may drop them). Idempotent; later calls throw
     * {@link IOException}.
     */
    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException first = null;
            for (Segment segment : segments) {
                try {
                    segment.file.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            segments.clear();
            if (spare != null) {
                try {
                    spare.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (directoryLock != null) {
                try {
                    directoryLock.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ vote

    /**
     * Replaces the vote file (write a temporary file, force, rename, force the directory); durable
     * on return. Saving the vote already held does nothing.
     *
     * @throws IllegalStateException if {@code vote} goes back in term, or changes the candidate voted
     *                               for within a term
     */
    @Override
    public void saveVote(Vote vote) throws IOException {
        Objects.requireNonNull(vote, "vote");
        checkWritable();
        checkVoteProgress(this.vote, vote);
        if (vote.equals(this.vote)) {
            return;
        }
        try {
            VoteFile.write(io, directory, identity, vote);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
        this.vote = vote;
    }

    // ------------------------------------------------------------------ append

    /**
     * Frames the entries into records and writes them to the tail segment; readable on return,
     * durable at the next {@link #flush()}. Rolls to a new segment when the tail is full.
     *
     * @throws IllegalArgumentException if the entries do not start at {@code last + 1}, a term is lower
     *                                  than the one before it, or a payload exceeds 1 GiB
     */
    @Override
    public void append(LogEntries entries) throws IOException {
        Objects.requireNonNull(entries, "entries");
        checkWritable();
        validateAppend(entries);
        int count = entries.count();
        if (count == 0) {
            return;
        }
        try {
            long first = entries.firstIndex();
            Segment tail = null;
            for (int i = 0; i < count; i++) {
                Bytes payload = entries.payloadAt(i);
                int recordBytes = RecordFormat.HEADER_BYTES + payload.length();
                tail = tailWithRoomFor(first + i, recordBytes);
                if (!staged.fits(recordBytes)) {
                    writeStaged(tail);
                    staged.ensureCapacity(recordBytes);
                }
                staged.add(first + i, entries.termAt(i), entries.kindAt(i).code(), payload, (int) tail.stableOffset);
            }
            writeStaged(tail);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    private void validateAppend(LogEntries entries) {
        lock.readLock().lock();
        try {
            LogStorage.checkAppend(lastId(), entries, RecordFormat.MAX_PAYLOAD);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The segment the record of {@code index} goes into: the tail if it can take it, else a new
     * segment (after writing out what is staged and sealing the full tail).
     */
    private Segment tailWithRoomFor(long index, int recordBytes) throws IOException {
        Segment tail = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (tail != null && !tail.sealed && tail.lastIndex + staged.count() == index - 1) {
            long end = tail.writePosition + staged.size() + recordBytes;
            boolean holdsRecords = !tail.isEmpty() || staged.count() > 0;
            if (!holdsRecords || (end <= segmentBytes && end <= Integer.MAX_VALUE)) {
                if (spare != null && !spareAsked && end > segmentBytes / 4) {
                    spare.prepare(); // the tail is a quarter full: zero-fill the next segment off this thread
                    spareAsked = true;
                }
                return tail;
            }
            writeStaged(tail);
            seal(tail, tail.lastIndex);
            Segment next = createSegment(index);
            if (spare != null) {
                spare.prepare(); // a storage that filled a segment fills the next: have the one after it ready early
                spareAsked = true;
            }
            return next;
        }
        // Otherwise there is no segment yet, the tail is sealed, or (after a purge beyond what an
        // earlier crash left) the newest segment ends below the base: it holds only purged entries,
        // needs no seal, and createSegment deletes it.
        return createSegment(index);
    }

    /** Writes what is staged to {@code tail} with one write and publishes it. */
    private void writeStaged(Segment tail) throws IOException {
        if (staged.count() == 0) {
            return;
        }
        long at = tail.writePosition;
        tail.file.write(staged.contents(), at);
        lock.writeLock().lock();
        try {
            long index = staged.firstIndex();
            for (int i = 0; i < staged.count(); i++, index++) {
                tail.noteOffset(index, at + staged.offsetAt(i));
                runs.append(index, staged.termAt(i));
            }
            tail.lastIndex = index - 1;
            tail.writePosition = at + staged.size();
            tail.recordsEnd = tail.writePosition;
            lastIndex = index - 1;
        } finally {
            lock.writeLock().unlock();
        }
        staged.clear();
    }

    /** Seals {@code segment} with {@code lastLive} as its last live entry (forces it). */
    private void seal(Segment segment, long lastLive) throws IOException {
        TermRuns sealRuns;
        lock.readLock().lock();
        try {
            sealRuns = runs.copy(segment.firstIndex, lastLive);
        } finally {
            lock.readLock().unlock();
        }
        long end = SegmentFiles.writeSeal(segment, new Seal(lastLive, sealRuns), sealCrc);
        lock.writeLock().lock();
        try {
            segment.sealed = true;
            segment.recordsEnd = segment.writePosition;
            segment.writePosition = end;
            segment.stableOffset = end;
            if (lastLive < segment.lastIndex) {
                segment.lastIndex = lastLive;
                segment.forgetOffsetsAfter(lastLive);
                runs.truncateFrom(lastLive + 1);
                lastIndex = lastLive;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Creates the newest segment, starting at {@code firstIndex}, and publishes it. Segments whose
     * entries are all at or above {@code firstIndex} are superseded and deleted; the segment holding
     * {@code firstIndex - 1} keeps only the entries before it.
     */
    private Segment createSegment(long firstIndex) throws IOException {
        SegmentName name = new SegmentName(nextSeq, firstIndex);
        Path ready = spare == null ? null : spare.take();
        spareAsked = false;
        Segment created = ready != null ? SegmentFiles.createFromSpare(io, directory, identity, name, ready)
                : SegmentFiles.create(io, directory, identity, name, preallocate ? segmentBytes : 0, null);
        nextSeq++;
        List<Segment> removed = new ArrayList<>();
        lock.writeLock().lock();
        try {
            for (int i = segments.size() - 1; i >= 0; i--) {
                Segment segment = segments.get(i);
                if (segment.firstIndex >= firstIndex || (!segment.sealed && segment.lastIndex <= base.index())) {
                    removed.add(segments.remove(i));
                } else if (segment.lastIndex >= firstIndex) {
                    segment.lastIndex = firstIndex - 1;
                    segment.forgetOffsetsAfter(firstIndex - 1);
                }
            }
            segments.add(created);
            if (firstIndex <= lastIndex) {
                runs.truncateFrom(firstIndex);
                lastIndex = firstIndex - 1;
            }
        } finally {
            lock.writeLock().unlock();
        }
        deleteSegments(removed);
        return created;
    }

    /** Closes and deletes segments no longer in the list (no reader can reach them any more). */
    private void deleteSegments(List<Segment> removed) throws IOException {
        for (Segment segment : removed) {
            segment.file.close();
            io.delete(segment.path);
        }
    }

    // ------------------------------------------------------------------ flush

    /**
     * Forces the tail segment if anything was written to it since the last force: one
     * {@code fdatasync} makes every append before it durable. With {@link Builder#unsafeNoFsync} it
     * forces nothing and returns (the appends stay in the page cache, and the stable offset that
     * recovery trusts does not move, so a power loss cuts them as a torn tail); every mebibyte appended
     * it has the tail forced on the preparer thread instead ({@link WriteBehind}), so that the seal of a
     * full segment, which must force it, finds little left to write.
     */
    @Override
    public void flush() throws IOException {
        checkWritable();
        if (unsafeNoFsync) {
            writeBehind();
            return;
        }
        try {
            Segment tail = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (tail != null && tail.writePosition > tail.stableOffset) {
                long position = tail.writePosition;
                tail.file.force(false);
                tail.stableOffset = position;
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /** In {@code unsafeNoFsync} mode: has the tail's data forced in the background, a step at a time. */
    private void writeBehind() throws IOException {
        Segment tail = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (writeBehind == null || tail == null || tail.sealed) {
            return;
        }
        try {
            writeBehind.appended(tail);
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    // ------------------------------------------------------------------ truncate and purge

    /**
     * Removes entries {@code fromIndex .. last}; durable and atomic on return. If they all lie in the
     * tail segment, the tail is sealed with {@code fromIndex - 1} as its last live entry; otherwise a
     * new segment starting at {@code fromIndex} is created, which supersedes them.
     *
     * @throws IllegalArgumentException unless {@code base < fromIndex <= last + 1}
     */
    @Override
    public void truncateSuffix(long fromIndex) throws IOException {
        checkWritable();
        lock.readLock().lock();
        try {
            if (fromIndex <= base.index() || fromIndex > lastIndex + 1) {
                throw new IllegalArgumentException("truncateSuffix(" + fromIndex + ") needs base " + base.index()
                        + " < fromIndex <= last + 1 = " + (lastIndex + 1));
            }
        } finally {
            lock.readLock().unlock();
        }
        if (fromIndex == lastIndex + 1) {
            return;
        }
        try {
            Segment tail = segments.get(segments.size() - 1);
            if (!tail.sealed && fromIndex >= tail.firstIndex) {
                seal(tail, fromIndex - 1);
            } else {
                createSegment(fromIndex);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /**
     * Removes entries up to {@code upToIndex}: forces the tail if needed (a base never lies beyond
     * the durable log), replaces the base file (the moment the purge takes effect), then deletes the
     * segments that hold nothing above the base. Purging at or below the base does nothing.
     *
     * @throws IllegalArgumentException if {@code upToIndex} is beyond the last entry
     */
    @Override
    public void purgePrefix(long upToIndex) throws IOException {
        checkWritable();
        LogId newBase;
        lock.readLock().lock();
        try {
            if (upToIndex > lastIndex) {
                throw new IllegalArgumentException("cannot purge up to index " + upToIndex
                        + ": beyond the last entry " + lastId());
            }
            if (upToIndex <= base.index()) {
                return;
            }
            newBase = new LogId(runs.termOf(upToIndex), upToIndex);
        } finally {
            lock.readLock().unlock();
        }
        flush();
        try {
            BaseFile.write(io, directory, identity, newBase);
            List<Segment> removed = new ArrayList<>();
            lock.writeLock().lock();
            try {
                base = newBase;
                runs.dropBefore(upToIndex);
                while (segments.size() > 1 && segments.get(0).lastIndex <= upToIndex) {
                    removed.add(segments.remove(0));
                }
            } finally {
                lock.writeLock().unlock();
            }
            deleteSegments(removed);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /**
     * Discards every entry and makes {@code newBase} the base: the log continues empty at
     * {@code newBase.index() + 1}, whatever it held ({@code newBase} may lie before, inside or beyond
     * it). Durable and atomic on return (more than the SPI asks: durable after the next flush).
     *
     * <p>On disk: creates a <b>reset segment</b> starting at {@code newBase.index() + 1} whose header
     * carries the flag {@link Segment#FLAG_RESET} and {@code newBase.term()} (header and zeros into a
     * temporary file, forced, renamed, directory forced). Its rename is the commit point: recovery
     * treats every segment older than a reset segment as dead and takes the reset segment's base
     * unless the base file is further on. Then the base file is replaced with {@code newBase} (so that
     * the reset no longer depends on the reset segment, which may later be superseded and deleted like
     * any segment), and last the old segments are deleted. A crash before the rename leaves the old
     * log, at or after it the reset one.
     *
     * @throws IllegalArgumentException if {@code newBase} is before the current base
     */
    @Override
    public void resetTo(LogId newBase) throws IOException {
        Objects.requireNonNull(newBase, "newBase");
        checkWritable();
        lock.readLock().lock();
        try {
            if (newBase.index() < base.index()) {
                throw new IllegalArgumentException("cannot reset the log to " + newBase + ": before its base " + base);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (newBase.index() == Long.MAX_VALUE) {
            throw new IllegalArgumentException("cannot reset the log to " + newBase + ": no index can follow it");
        }
        Segment created = null;
        boolean published = false;
        try {
            SegmentName name = new SegmentName(nextSeq, newBase.index() + 1);
            created = SegmentFiles.create(io, directory, identity, name, preallocate ? segmentBytes : 0, newBase);
            nextSeq++;
            BaseFile.write(io, directory, identity, newBase);
            List<Segment> removed;
            lock.writeLock().lock();
            try {
                removed = new ArrayList<>(segments);
                segments.clear();
                segments.add(created);
                published = true;
                base = newBase;
                runs = new TermRuns();
                lastIndex = newBase.index();
            } finally {
                lock.writeLock().unlock();
            }
            deleteSegments(removed);
        } catch (IOException | RuntimeException e) {
            fail(e);
            if (created != null && !published) {
                SegmentFiles.closeQuietly(created.file, e); // close() only closes published segments
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ read

    /**
     * Reads entries from the segment files, checking each record's CRC, index and term.
     *
     * @throws IOException              if {@code fromIndex} is at or below the base
     * @throws CorruptStorageException  if a record read is damaged (the storage then fails)
     * @throws IllegalArgumentException if {@code maxCount < 1} or {@code maxBytes < 0}
     */
    @Override
    public LogEntries read(long fromIndex, int maxCount, int maxBytes) throws IOException {
        if (maxCount < 1 || maxBytes < 0) {
            throw new IllegalArgumentException("read needs maxCount >= 1 and maxBytes >= 0, got maxCount="
                    + maxCount + " maxBytes=" + maxBytes);
        }
        lock.readLock().lock();
        try {
            checkReadable();
            if (fromIndex <= base.index()) {
                throw new IOException("cannot read from index " + fromIndex + ": entries up to " + base.index()
                        + " are purged or never existed (base " + base + ")");
            }
            SegmentReader.Batch batch = new SegmentReader.Batch(fromIndex, maxCount, maxBytes);
            if (fromIndex > lastIndex) {
                return batch.builder.build();
            }
            try {
                readSegments(fromIndex, batch);
            } catch (IOException | RuntimeException e) {
                fail(e);
                throw e;
            }
            return batch.builder.build();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Reads from the segments into {@code batch}, from {@code fromIndex} (held). Needs the read lock. */
    private void readSegments(long fromIndex, SegmentReader.Batch batch) throws IOException {
        long next = fromIndex;
        TermRuns terms = runs;
        for (int i = segmentHolding(fromIndex); i < segments.size() && next <= lastIndex; i++) {
            Segment segment = segments.get(i);
            if (segment.lastIndex < next) {
                continue;
            }
            if (SegmentReader.read(segment, next, batch, terms::termOf)) {
                return;
            }
            next = segment.lastIndex + 1;
        }
    }

    /** Position in {@link #segments} of the segment holding {@code index} (which the log holds). */
    private int segmentHolding(long index) {
        int low = 0;
        int high = segments.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (segments.get(mid).firstIndex <= index) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** From the in-memory term runs; no IO. */
    @Override
    public long termAt(long index) throws IOException {
        lock.readLock().lock();
        try {
            checkReadable();
            if (index == base.index()) {
                return base.term();
            }
            if (index < base.index() || index > lastIndex) {
                return -1;
            }
            return runs.termOf(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        lock.readLock().lock();
        try {
            return "SegmentedLogStorage[" + directory + " vote=" + vote + " base=" + base + " last=" + lastIndex
                    + " segments=" + segments.size() + (failure != null ? " FAILED" : "") + "]";
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ checks and failure

    /** The last entry's id, or the base when the log holds none. Needs the lock. */
    private LogId lastId() {
        return lastIndex == base.index() ? base : new LogId(runs.termOf(lastIndex), lastIndex);
    }

    private void checkWritable() throws IOException {
        lock.readLock().lock();
        try {
            checkReadable();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkReadable() throws IOException {
        IOException failed = failure;
        if (failed != null) {
            throw new IOException("segmented log storage in " + directory + " failed earlier and stopped"
                    + " (fail-stop; restart to recover from what the disk holds): " + failed.getMessage(), failed);
        }
        if (closed) {
            throw new IOException("segmented log storage in " + directory + " is closed");
        }
        if (!opened) {
            throw new IllegalStateException("open() must be called first");
        }
    }

    /** Records the first failure, after which every call throws. */
    private void fail(Exception cause) {
        if (failure == null) {
            failure = cause instanceof IOException io ? io
                    : new IOException("unexpected error in segmented log storage: " + cause, cause);
        }
    }

    /** Throws unless {@code next} may replace {@code current}: terms never go back, a vote never changes. */
    private static void checkVoteProgress(Vote current, Vote next) {
        if (next.term() < current.term()) {
            throw new IllegalStateException("vote would go back from term " + current.term() + " to term "
                    + next.term() + " (" + current + " -> " + next + ")");
        }
        if (next.term() == current.term() && current.hasVoted() && next.votedFor() != current.votedFor()) {
            throw new IllegalStateException("already voted for " + current.votedFor() + " in term "
                    + current.term() + ", cannot change the vote to " + next);
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link SegmentedLogStorage}. Not thread-safe; {@link #build()} may be called more
     * than once, but only one storage per directory may be open at a time.
     */
    public static final class Builder {
        private final Path directory;
        private long clusterId;
        private long groupId = 1;
        private long nodeId;
        private int segmentBytes = DEFAULT_SEGMENT_BYTES;
        private boolean preallocate = true;
        private boolean verifyOnOpen;
        private boolean unsafeNoFsync;
        private FileIo io = NioFileIo.INSTANCE;
        private Executor preparer;
        private boolean preparerSet;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * The cluster these files belong to (default 0). Written into every file and checked when it
         * is read: set it to a value unique to your cluster so that a misconfigured path is refused.
         *
         * @param clusterId any value unique to the cluster
         * @return this builder
         */
        public Builder clusterId(long clusterId) {
            this.clusterId = clusterId;
            return this;
        }

        /**
         * The Raft group these files belong to (default 1, like {@code RaftNode.Builder}); checked likewise.
         *
         * @param groupId the group's id, as given to {@code RaftNode.Builder}
         * @return this builder
         */
        public Builder groupId(long groupId) {
            this.groupId = groupId;
            return this;
        }

        /**
         * The node these files belong to (required; the {@code RaftNode}'s id). Recorded in the
         * directory when it is first opened (file {@code identity}); opening it as another node fails
         * with an {@link IncompatibleStorageException} naming both ids, since a node that used another
         * node's vote could vote twice in one term.
         *
         * @param nodeId the node's id (positive)
         * @return this builder
         * @throws IllegalArgumentException unless positive
         */
        public Builder nodeId(long nodeId) {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("nodeId must be positive, got " + nodeId);
            }
            this.nodeId = nodeId;
            return this;
        }

        /**
         * Size of a segment file (default {@link #DEFAULT_SEGMENT_BYTES}); a record that does not fit
         * the rest of a segment starts the next one (a record larger than a segment gets a segment of
         * its own). Smaller segments purge at a finer grain; larger ones roll less often.
         *
         * @param segmentBytes the size of a segment file in bytes
         * @return this builder
         * @throws IllegalArgumentException outside [{@link #MIN_SEGMENT_BYTES}, {@link #MAX_SEGMENT_BYTES}]
         */
        public Builder segmentBytes(int segmentBytes) {
            if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", "
                        + MAX_SEGMENT_BYTES + "], got " + segmentBytes);
            }
            this.segmentBytes = segmentBytes;
            return this;
        }

        /**
         * Whether a new segment is filled with zeros up to {@code segmentBytes} when it is created
         * (default true). Appends then overwrite allocated blocks, so a flush's {@code fdatasync} has
         * no file size or block allocation to journal; the cost is writing the zeros once per segment.
         *
         * @param preallocate whether to preallocate segments
         * @return this builder
         */
        public Builder preallocate(boolean preallocate) {
            this.preallocate = preallocate;
            return this;
        }

        /**
         * Whether {@link SegmentedLogStorage#open()} also reads and checks every record of every
         * segment (default false: only the newest segment is read, older ones are checked when they
         * are first read). Turn it on to find corruption at start-up rather than when a lagging
         * follower or the applier reaches it; it makes opening cost proportional to the whole log.
         *
         * @param verifyOnOpen whether to check every record at open
         * @return this builder
         */
        public Builder verifyOnOpen(boolean verifyOnOpen) {
            this.verifyOnOpen = verifyOnOpen;
            return this;
        }

        /**
         * <b>UNSAFE: loses acknowledged writes on power loss.</b> With {@code true},
         * {@link SegmentedLogStorage#flush()} forces nothing: appended entries are reported durable
         * while they may still sit in the OS page cache, so the node acknowledges (and the cluster may
         * commit) entries that a power loss or kernel crash then loses, which breaks Raft's safety (a
         * committed entry can vanish, two nodes can disagree). A process crash alone loses nothing (the
         * kernel still holds the pages). Votes, truncations, purges, resets and new segments are still
         * forced: they are rare, and keep the files recoverable. So that a segment's seal does not meet a
         * whole segment of dirty pages, the tail is forced in the background every mebibyte appended
         * (on the segment preparer's thread; a failure of it fail-stops the storage at the next
         * {@code flush()}). {@code open()} logs a WARN saying so.
         *
         * <p>For tests and benchmarks that measure everything but the disk's flush latency (default
         * false). Never for data you keep.
         *
         * @param unsafeNoFsync whether {@code flush()} skips its {@code fsync}
         * @return this builder
         */
        public Builder unsafeNoFsync(boolean unsafeNoFsync) {
            this.unsafeNoFsync = unsafeNoFsync;
            return this;
        }

        /** Replaces the file layer (tests inject faults through it). */
        /**
         * Where the next segment is zero-filled ahead of time (with {@link #preallocate(boolean)} on), so a
         * rollover does not write a segment of zeros in the middle of an append. By default one daemon
         * thread shared by every storage of the JVM ({@code ringraft-segment-preparer}); {@code null}
         * creates each segment when it is needed (the zeros are written on the appending thread).
         *
         * @param preparer runs the zero-filling; {@code Runnable::run} runs it on the writing thread,
         *                 right after a rollover
         * @return this builder
         */
        public Builder segmentPreparer(Executor preparer) {
            this.preparer = preparer;
            this.preparerSet = true;
            return this;
        }

        Builder fileIo(FileIo io) {
            this.io = Objects.requireNonNull(io, "io");
            return this;
        }

        /**
         * A new, unopened storage; call {@link SegmentedLogStorage#open()} next (the runtime does).
         *
         * @return the storage, unopened
         * @throws IllegalStateException if no {@link #nodeId(long)} was given
         */
        public SegmentedLogStorage build() {
            if (nodeId == 0) {
                throw new IllegalStateException("nodeId(...) is required: the storage records which node its"
                        + " directory belongs to and refuses to open it as another node");
            }
            return new SegmentedLogStorage(this);
        }
    }
}
