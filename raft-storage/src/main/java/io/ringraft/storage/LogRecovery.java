package io.ringraft.storage;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.StorageIdentity;
import io.ringraft.storage.internal.TermRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a storage directory: reads the vote and base, works out which entries of which segment
 * files are live, checks that they form one gap-free log, cuts a torn tail, and makes what it
 * recovered durable. Its cost is the newest segment's size plus a header and seal per older segment:
 * older segments' records are not read (unless {@code verifyAll}).
 *
 * <p>The rules, from the newest segment (highest {@code seq}) back:
 * <ol>
 *   <li>a reset segment ({@link Segment#FLAG_RESET}) kills every older segment, and its base
 *       {@code (firstIndex - 1, term)} replaces the base file's if that is not further on (that is how
 *       a reset takes effect: by creating a reset segment; the base file catches up right after, and
 *       recovery writes it if the crash came first);</li>
 *   <li>a segment supersedes every entry of older segments from its own first index on (that is how
 *       a truncation takes effect: by creating a segment);</li>
 *   <li>entries at or below the base are dead (that is how a purge takes effect);</li>
 *   <li>a segment none of whose entries is live is dead and deleted, except the newest one, which
 *       is kept so that segment sequence numbers never go back;</li>
 *   <li>an older segment that is still live must end with a seal and reach up to where the next one
 *       starts (otherwise: {@link CorruptStorageException} naming the gap);</li>
 *   <li>the newest segment is scanned ({@link TailScan}); a torn tail is cut by sealing it there.</li>
 * </ol>
 *
 * Nothing on disk changes until every check passed. Called once, by the thread that opens the
 * storage; blocks on IO.
 */
final class LogRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    private final FileIo io;
    private final Path directory;
    private final StorageIdentity identity;
    private final boolean verifyAll;
    private final List<Segment> opened = new ArrayList<>();

    private LogRecovery(FileIo io, Path directory, StorageIdentity identity, boolean verifyAll) {
        this.io = io;
        this.directory = directory;
        this.identity = identity;
        this.verifyAll = verifyAll;
    }

    /** Recovers the log in {@code directory}; on failure every file it opened is closed again. */
    static RecoveredLog recover(FileIo io, Path directory, StorageIdentity identity, boolean verifyAll)
            throws IOException {
        LogRecovery recovery = new LogRecovery(io, directory, identity, verifyAll);
        try {
            return recovery.run();
        } catch (IOException | RuntimeException e) {
            for (Segment segment : recovery.opened) {
                SegmentFiles.closeQuietly(segment.file, e);
            }
            throw e;
        }
    }

    private RecoveredLog run() throws IOException {
        List<SegmentName> names = new ArrayList<>();
        for (String fileName : io.list(directory)) {
            if (fileName.endsWith(AtomicFile.TEMP_SUFFIX)) {
                io.delete(directory.resolve(fileName)); // an unfinished segment, vote or base: never used
            } else {
                SegmentName name = SegmentName.parse(fileName);
                if (name != null) {
                    names.add(name);
                }
            }
        }
        Vote vote = VoteFile.read(io, directory, identity);
        LogId baseInFile = BaseFile.read(io, directory, identity);
        LogId base = baseInFile;
        names.sort(Comparator.comparingLong(SegmentName::seq));
        for (int i = 1; i < names.size(); i++) {
            if (names.get(i).seq() == names.get(i - 1).seq()) {
                throw new CorruptStorageException(directory.resolve(names.get(i).fileName()), -1,
                        "two segments have sequence number " + names.get(i).seq() + ": "
                        + names.get(i - 1) + " and " + names.get(i));
            }
        }
        if (names.isEmpty()) {
            io.forceDirectory(directory);
            return new RecoveredLog(vote, base, new ArrayList<>(), new TermRuns(), base.index(), 1);
        }
        for (SegmentName name : names) {
            opened.add(SegmentFiles.open(io, directory, identity, name));
        }

        // The newest reset segment starts the log afresh: every older segment is dead, and its base is
        // the log's unless a purge after the reset moved the base file further on.
        int reset = -1;
        for (int i = opened.size() - 1; i >= 0 && reset < 0; i--) {
            if (opened.get(i).resetBase != null) {
                reset = i;
            }
        }
        if (reset >= 0 && opened.get(reset).resetBase.index() >= base.index()) {
            base = opened.get(reset).resetBase;
        }

        Segment newest = opened.get(opened.size() - 1);
        TailScan scan = TailScan.scan(newest);
        newest.lastIndex = scan.lastIndex;
        newest.recordsEnd = scan.recordsEnd;
        newest.sealed = scan.seal != null;
        newest.writePosition = newest.sealed ? scan.sealEnd : scan.recordsEnd;
        newest.markIndexed();

        // Live ranges, from the newest segment back.
        List<Segment> live = new ArrayList<>();
        List<TermRuns> liveRuns = new ArrayList<>();
        List<Segment> dead = new ArrayList<>();
        live.add(newest);
        liveRuns.add(scan.runs);
        long limit = newest.firstIndex;
        for (int i = opened.size() - 2; i >= 0; i--) {
            Segment segment = opened.get(i);
            if (i < reset || segment.firstIndex >= limit || limit - 1 <= base.index()) {
                dead.add(segment); // older than a reset, superseded by a newer segment, or purged
                continue;
            }
            SegmentFiles.SealAt sealAt = SegmentFiles.readSeal(segment);
            if (sealAt.seal().lastIndex() < limit - 1) {
                throw new CorruptStorageException(segment.path, -1, "ends at index " + sealAt.seal().lastIndex()
                        + " but the next live segment starts at index " + limit + ": entries "
                        + (sealAt.seal().lastIndex() + 1) + ".." + (limit - 1) + " are missing");
            }
            segment.lastIndex = limit - 1;
            segment.recordsEnd = sealAt.offset();
            segment.sealed = true;
            live.add(segment);
            liveRuns.add(sealAt.seal().runs());
            limit = segment.firstIndex;
        }
        Collections.reverse(live);
        Collections.reverse(liveRuns);

        long lastIndex = Math.max(newest.lastIndex, base.index());
        TermRuns runs = mergeRuns(live, liveRuns, base, lastIndex);
        checkBaseTerm(live.get(0), liveRuns.get(0), base);

        // Every check passed: now repair and clean up.
        CRC32C crc = new CRC32C();
        if (scan.torn) {
            long tornBytes = scan.fileSize - scan.recordsEnd;
            // The seal claims the records before it durable: make them so first (after a process crash
            // they may still be only in the page cache).
            newest.file.force(false);
            newest.stableOffset = scan.recordsEnd;
            long end = SegmentFiles.writeSeal(newest, new Seal(newest.lastIndex, scan.runs.copy(newest.firstIndex,
                    newest.lastIndex)), crc);
            newest.sealed = true;
            newest.writePosition = end;
            LOG.warn("{}: cut a torn tail after index {} at offset {} ({} bytes that were never made durable,"
                    + " so never acknowledged)", newest.path, newest.lastIndex, scan.recordsEnd, tornBytes);
        } else if (newest.sealed && scan.fileSize > scan.sealEnd) {
            newest.file.truncate(scan.sealEnd);
            newest.file.force(true);
        } else {
            newest.file.force(false); // what the page cache still held after a process crash is now durable
        }
        newest.stableOffset = newest.writePosition;
        if (!base.equals(baseInFile)) {
            // A reset whose base file was not written yet: write it now, before any segment is deleted,
            // because the reset segment may later be superseded and deleted like any other.
            BaseFile.write(io, directory, identity, base);
            LOG.info("{}: completed an interrupted reset of the log to base {}", directory, base);
        }
        for (Segment segment : dead) {
            segment.file.close();
            opened.remove(segment);
            io.delete(segment.path);
        }
        io.forceDirectory(directory);
        if (verifyAll) {
            for (Segment segment : live) {
                if (!segment.isEmpty()) {
                    SegmentReader.ensureIndexed(segment, runs::termOf);
                }
            }
        }
        long nextSeq = newest.name.seq() + 1;
        return new RecoveredLog(vote, base, live, runs, lastIndex, nextSeq);
    }

    /** The term runs of {@code base.index + 1 .. lastIndex}, checked to be gap-free and increasing. */
    private TermRuns mergeRuns(List<Segment> live, List<TermRuns> liveRuns, LogId base, long lastIndex)
            throws CorruptStorageException {
        TermRuns runs = new TermRuns();
        long next = base.index() + 1;
        for (int i = 0; i < live.size(); i++) {
            Segment segment = live.get(i);
            long from = Math.max(segment.firstIndex, base.index() + 1);
            if (from > segment.lastIndex) {
                continue;
            }
            if (from > next) {
                throw new CorruptStorageException(segment.path, -1, "starts at index " + segment.firstIndex
                        + " but the log before it ends at index " + (next - 1) + ": entries " + next + ".."
                        + (from - 1) + " are missing");
            }
            TermRuns own = liveRuns.get(i).copy(from, segment.lastIndex);
            if (own.count() == 0 || own.runStart(0) != from) {
                throw new CorruptStorageException(segment.path, -1, "has no term for index " + from);
            }
            if (own.runTerm(0) < runs.lastTerm()) {
                throw new CorruptStorageException(segment.path, -1, "starts with term " + own.runTerm(0)
                        + ", lower than the term " + runs.lastTerm() + " before it");
            }
            runs.appendClipped(own, from, segment.lastIndex);
            next = segment.lastIndex + 1;
        }
        if (lastIndex > base.index() && (runs.count() == 0 || runs.runTerm(0) < base.term())) {
            throw new CorruptStorageException(directory.resolve(BaseFile.NAME), -1, "the base " + base
                    + " has a higher term than the entry after it (" + runs + ")");
        }
        return runs;
    }

    /** If the oldest live segment still holds the base entry, its term must match the base's. */
    private void checkBaseTerm(Segment oldest, TermRuns runs, LogId base) throws CorruptStorageException {
        if (base.index() >= oldest.firstIndex && base.index() <= oldest.lastIndex) {
            long term = runs.termOf(base.index());
            if (term >= 0 && term != base.term()) {
                throw new CorruptStorageException(directory.resolve(BaseFile.NAME), -1, "the base " + base
                        + " disagrees with " + oldest.path + ", which holds index " + base.index() + " with term "
                        + term);
            }
        }
    }
}
