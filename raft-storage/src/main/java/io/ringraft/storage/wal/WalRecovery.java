package io.ringraft.storage.wal;

import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds every group's state when the shared log opens:
 *
 * <ol>
 *   <li>delete {@code *.tmp} files (never used: unfinished files, checkpoints);</li>
 *   <li>read the newest checkpoint, if any (a damaged one is corruption);</li>
 *   <li>open every WAL file and check its header (magic, version, flags, CRC, cluster, node, seq);
 *       the files from the checkpoint's position on must be consecutive;</li>
 *   <li>replay the stream from the checkpoint's position (or the first file) to its end: each record
 *       goes to its group ({@link Replay}) unless the checkpoint's copy of that group already holds it;
 *       every file but the newest must end with a seal, and a damaged record in it is corruption (it
 *       was forced when the stream moved on); where the newest file's valid records stop, the rest is
 *       zeros, a torn tail, or corruption ({@link TornTail});</li>
 *   <li>check that every live entry's file exists.</li>
 * </ol>
 *
 * Its cost is the checkpoint (a few bytes per live entry) plus the stream after it, never the whole
 * history. Nothing on disk is changed but the temporary files; the caller cuts a torn tail, forces,
 * and deletes old checkpoints and unreferenced old files once everything checked out. Single-threaded.
 */
final class WalRecovery {

    /** What recovery found. */
    static final class Result {
        final Map<Long, GroupState> groups = new HashMap<>();
        final List<WalFile> files = new ArrayList<>();
        /** The newest file, or null when there is none. */
        WalFile tail;
        /** Where the next record goes in {@link #tail}. */
        long position;
        /** The tail must be sealed at {@link #position} (a torn tail) and the stream continue in a new file. */
        boolean cutTorn;
        /** The tail ends with a seal: the stream continues in a new file. */
        boolean tailSealed;
        /** The newest checkpoint's position, or -1. */
        long checkpointLsn = -1;
        /** Files before the scan start that no live entry needs (leftovers of deletions). */
        final List<WalFile> unreferenced = new ArrayList<>();
        /** Older checkpoints (superseded). */
        final List<Path> oldCheckpoints = new ArrayList<>();
    }

    private WalRecovery() {
    }

    static Result recover(FileIo io, Path directory, WalIdentity identity) throws IOException {
        Result result = new Result();
        List<Long> seqs = new ArrayList<>();
        List<Long> checkpoints = new ArrayList<>();
        for (String name : io.list(directory)) {
            if (name.endsWith(AtomicFile.TEMP_SUFFIX)) {
                io.delete(directory.resolve(name));
            } else if (WalFile.parseSeq(name) >= 0) {
                seqs.add(WalFile.parseSeq(name));
            } else if (Checkpoint.parseLsn(name) >= 0) {
                checkpoints.add(Checkpoint.parseLsn(name));
            }
        }
        Collections.sort(seqs);
        Collections.sort(checkpoints);
        try {
            for (long seq : seqs) {
                result.files.add(WalFile.open(io, directory.resolve(WalFile.name(seq)), seq, identity));
            }
            Checkpoint.Loaded checkpoint = null;
            if (!checkpoints.isEmpty()) {
                long newest = checkpoints.get(checkpoints.size() - 1);
                checkpoint = Checkpoint.read(io, directory.resolve(Checkpoint.name(newest)), identity);
                if (checkpoint.lsn() != newest) {
                    throw new CorruptStorageException(directory.resolve(Checkpoint.name(newest)), -1,
                            "holds position " + Lsn.toString(checkpoint.lsn()) + ", not the one its name says");
                }
                result.checkpointLsn = newest;
                result.groups.putAll(checkpoint.groups());
                for (long old : checkpoints.subList(0, checkpoints.size() - 1)) {
                    result.oldCheckpoints.add(directory.resolve(Checkpoint.name(old)));
                }
            }
            replay(result, checkpoint, directory);
            checkReferences(result, directory);
            return result;
        } catch (IOException | RuntimeException e) {
            for (WalFile file : result.files) {
                try {
                    file.handle.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void replay(Result result, Checkpoint.Loaded checkpoint, Path directory) throws IOException {
        if (result.files.isEmpty()) {
            if (checkpoint != null) {
                throw new CorruptStorageException(directory, -1, "a checkpoint exists but no WAL file: the log is lost");
            }
            return;
        }
        long startSeq;
        long startOffset;
        if (checkpoint != null) {
            startSeq = Lsn.seq(checkpoint.lsn());
            startOffset = Lsn.offset(checkpoint.lsn());
            for (WalFile file : result.files) {
                file.entryRecords = checkpoint.entryRecords().getOrDefault(file.seq, 0L);
            }
        } else {
            startSeq = result.files.get(0).seq;
            startOffset = WalFile.HEADER_BYTES;
            if (startSeq != 1) {
                throw new CorruptStorageException(result.files.get(0).path, -1, "WAL files before seq " + startSeq
                        + " are missing and there is no checkpoint: the start of the log is lost");
            }
        }
        long expected = startSeq;
        WalFile newest = result.files.get(result.files.size() - 1);
        for (WalFile file : result.files) {
            if (file.seq < startSeq) {
                continue;
            }
            if (file.seq != expected) {
                throw new CorruptStorageException(file.path, -1, "WAL file " + expected + " is missing: the stream has a gap");
            }
            expected++;
            scanFile(result, file, file == newest, file.seq == startSeq ? startOffset : WalFile.HEADER_BYTES);
        }
        if (expected == startSeq) {
            throw new CorruptStorageException(directory.resolve(WalFile.name(startSeq)), -1,
                    "the checkpoint's WAL file is missing");
        }
        result.tail = newest;
    }

    private static void scanFile(Result result, WalFile file, boolean newest, long start) throws IOException {
        long size = file.handle.size();
        WalCursor cursor = new WalCursor(file.handle, start, size);
        while (true) {
            WalCursor.Status status = cursor.next();
            long at = cursor.position();
            if (status == WalCursor.Status.RECORD) {
                byte kind = cursor.kind();
                if (kind == WalRecord.KIND_SEAL) {
                    if (newest) {
                        result.tailSealed = true;
                        result.position = cursor.recordEnd();
                    }
                    return;
                }
                if (kind == WalRecord.KIND_DELETE && file.version < 2) {
                    throw new CorruptStorageException(file.path, at, "a delete record in a file of format version "
                            + file.version + ", which has none");
                }
                GroupState group = result.groups.computeIfAbsent(cursor.group(), GroupState::new);
                if (Lsn.of(file.seq, at) >= group.checkpointLsn) {
                    try {
                        Replay.apply(group, kind, cursor.index(), cursor.term(), Lsn.of(file.seq, at));
                    } catch (IllegalStateException e) {
                        throw new CorruptStorageException(file.path, at, "record contradicts the log before it: "
                                + e.getMessage());
                    }
                    group.lastLsn = Lsn.of(file.seq, cursor.recordEnd());
                }
                if (WalRecord.isEntry(kind)) {
                    file.entryRecords++;
                }
                cursor.advance();
                continue;
            }
            if (!newest) {
                throw new CorruptStorageException(file.path, at, (status == WalCursor.Status.END
                        ? "the file ends without a seal" : "the record here is damaged (bad frame or checksum)")
                        + ", though the file was forced when the stream moved on to the next file");
            }
            long[] proof = new long[1];
            TornTail.Kind rest = TornTail.classify(file.handle, at, size, proof);
            if (rest == null) {
                throw new CorruptStorageException(file.path, at, "the record here is damaged, but the record at offset "
                        + proof[0] + " was written after offset " + at + " had been made durable: durable, possibly"
                        + " acknowledged records are lost; refusing to cut them away (restore this node from its peers)");
            }
            result.position = at;
            result.cutTorn = rest == TornTail.Kind.TORN;
            return;
        }
    }

    /** Every live entry's file must exist; files before the scan start that nothing needs are leftovers. */
    private static void checkReferences(Result result, Path directory) throws CorruptStorageException {
        Set<Long> present = new HashSet<>();
        for (WalFile file : result.files) {
            present.add(file.seq);
        }
        Set<Long> referenced = new HashSet<>();
        for (GroupState group : result.groups.values()) {
            for (int row = 0; row < group.refs.rows(); row++) {
                long seq = group.refs.seqAt(row);
                if (!present.contains(seq)) {
                    throw new CorruptStorageException(directory.resolve(WalFile.name(seq)), -1, "holds "
                            + group.refs.countAt(row) + " live entries of group " + group.groupId + " but is missing");
                }
                referenced.add(seq);
            }
        }
        long startSeq = result.checkpointLsn >= 0 ? Lsn.seq(result.checkpointLsn) : 1;
        for (WalFile file : result.files) {
            if (file.seq < startSeq && !referenced.contains(file.seq)) {
                result.unreferenced.add(file);
            }
        }
    }
}
