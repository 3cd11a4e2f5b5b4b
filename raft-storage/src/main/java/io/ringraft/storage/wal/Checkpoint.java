package io.ringraft.storage.wal;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.FileIo.FileHandle;
import io.ringraft.storage.internal.TermRuns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A checkpoint of every group's in-memory state, {@code checkpoint-<lsn>.ckpt}, so that recovery
 * reads it and replays only the stream from {@code lsn} on, instead of the whole history.
 *
 * <p><b>Fuzzy, per group.</b> The writer takes {@code lsn} (the stream's end) and the list of groups
 * together, then copies each group under its own read lock, with the group's {@code lastLsn}: the
 * copy holds every record of the group before that point and none after. Recovery applies a
 * group's records from {@code lsn} on only where they start at or after that point. No lock is held
 * across more than one group.
 *
 * <p><b>Format.</b> A 64-byte header (the common {@link FileHeader} block, magic {@code RRWC}, with
 * {@code lsn}, the group count and the file count), then frames {@code [length 4][CRC32C 4][payload]}
 * (the CRC covers the length and the payload): the file table ({@code 'F'}, per file its seq and how
 * many entry records it holds), one frame per group ({@code 'G'}: id, its {@code lastLsn}, vote, base,
 * last index, term runs, and the locations of its live entries as runs of one file with increasing
 * offsets, each offset after the first as a varint delta), and an end frame ({@code 'E'} with the
 * group count). About 2 to 3 bytes per live entry.
 *
 * <p><b>Durability.</b> Written to a {@code .tmp} file and forced; the caller then makes the stream
 * durable up to every copied group's {@code lastLsn} (a checkpoint never holds what the log could
 * still lose), and {@link #publish} renames it and forces the directory: from then on it is the
 * newest checkpoint. A damaged newest checkpoint is corruption (it was durable before its rename).
 */
final class Checkpoint {

    static final int MAGIC = 0x52525743; // "RRWC"
    static final int HEADER_BYTES = 64;
    private static final String PREFIX = "checkpoint-";
    private static final String SUFFIX = ".ckpt";
    private static final int OFFSET_LSN = FileHeader.PREFIX_BYTES;
    private static final int OFFSET_GROUPS = FileHeader.PREFIX_BYTES + 8;
    private static final int OFFSET_FILES = FileHeader.PREFIX_BYTES + 12;

    private Checkpoint() {
    }

    static String name(long lsn) {
        return String.format("%s%020d%s", PREFIX, lsn, SUFFIX);
    }

    /** The lsn named by {@code fileName}, or -1 if it is not a checkpoint name. */
    static long parseLsn(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)
                || fileName.length() != PREFIX.length() + 20 + SUFFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes and forces {@code checkpoint-<lsn>.ckpt.tmp}.
     *
     * @param files  per file {@code {seq, entryRecords}}
     * @param groups every group known when {@code lsn} was taken
     * @return the highest {@code lastLsn} copied: the stream must be durable up to it before {@link #publish}
     */
    static long writeTemp(FileIo io, Path directory, WalIdentity identity, long lsn, List<long[]> files,
            List<GroupState> groups) throws IOException {
        Path temp = directory.resolve(name(lsn) + AtomicFile.TEMP_SUFFIX);
        long maxLsn = lsn;
        try (FileHandle out = io.open(temp, true)) {
            out.truncate(0);
            Output output = new Output(out, HEADER_BYTES);
            Frame frame = new Frame();
            frame.start((byte) 'F');
            frame.ensure(4 + 16 * files.size()).putInt(files.size());
            for (long[] file : files) {
                frame.buf.putLong(file[0]).putLong(file[1]);
            }
            output.write(frame);
            for (GroupState group : groups) {
                frame.start((byte) 'G');
                group.lock.readLock().lock();
                try {
                    encodeGroup(group, frame);
                    maxLsn = Math.max(maxLsn, group.lastLsn);
                } finally {
                    group.lock.readLock().unlock();
                }
                output.write(frame);
            }
            frame.start((byte) 'E');
            frame.ensure(4).putInt(groups.size());
            output.write(frame);
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            FileHeader.writePrefix(header, MAGIC, HEADER_BYTES, identity.asHeaderIdentity());
            header.putLong(OFFSET_LSN, lsn);
            header.putInt(OFFSET_GROUPS, groups.size());
            header.putInt(OFFSET_FILES, files.size());
            FileHeader.writeCrc(header, HEADER_BYTES);
            out.write(header, 0);
            out.force(true);
        }
        return maxLsn;
    }

    /** Makes the forced temporary checkpoint of {@code lsn} the newest one (rename, force the directory). */
    static void publish(FileIo io, Path directory, long lsn) throws IOException {
        io.rename(directory.resolve(name(lsn) + AtomicFile.TEMP_SUFFIX), directory.resolve(name(lsn)));
        io.forceDirectory(directory);
    }

    private static void encodeGroup(GroupState group, Frame frame) {
        ByteBuffer buf = frame.ensure(7 * 8 + 4 + 16 * group.runs.count() + 4);
        buf.putLong(group.groupId).putLong(group.lastLsn);
        buf.putLong(group.vote.term()).putLong(group.vote.votedFor());
        buf.putLong(group.base.index()).putLong(group.base.term()).putLong(group.lastIndex);
        buf.putInt(group.runs.count());
        for (int i = 0; i < group.runs.count(); i++) {
            buf.putLong(group.runs.runStart(i)).putLong(group.runs.runTerm(i));
        }
        int runsAt = buf.position();
        buf.putInt(0);
        int runs = 0;
        int countAt = -1;
        int count = 0;
        long previousSeq = -1;
        long previousOffset = -1;
        for (long index = group.base.index() + 1; index <= group.lastIndex; index++) {
            long location = group.locations.get(index);
            long seq = Lsn.seq(location);
            long offset = Lsn.offset(location);
            buf = frame.ensure(12 + 10);
            if (seq != previousSeq || offset <= previousOffset) {
                if (countAt >= 0) {
                    buf.putInt(countAt, count);
                }
                buf.putInt((int) seq);
                countAt = buf.position();
                buf.putInt(0).putInt((int) offset);
                count = 1;
                runs++;
            } else {
                putVarint(buf, offset - previousOffset);
                count++;
            }
            previousSeq = seq;
            previousOffset = offset;
        }
        if (countAt >= 0) {
            buf.putInt(countAt, count);
        }
        buf.putInt(runsAt, runs);
    }

    private static void putVarint(ByteBuffer buf, long value) {
        while ((value & ~0x7fL) != 0) {
            buf.put((byte) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        buf.put((byte) value);
    }

    /** A frame being built: kind byte first, then its fields; grows as needed (bounded by the largest group). */
    private static final class Frame {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        void start(byte kind) {
            buf.clear().position(8);
            buf.put(kind);
        }

        ByteBuffer ensure(int more) {
            if (buf.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
            return buf;
        }
    }

    /** Buffered positional writes of frames. */
    private static final class Output {
        private final FileHandle file;
        private final CRC32C crc = new CRC32C();
        private long position;

        Output(FileHandle file, long start) {
            this.file = file;
            this.position = start;
        }

        void write(Frame frame) throws IOException {
            ByteBuffer buf = frame.buf;
            int length = buf.position() - 8;
            buf.putInt(0, length);
            crc.reset();
            crc.update(buf.duplicate().position(0).limit(4));
            crc.update(buf.duplicate().position(8).limit(8 + length));
            buf.putInt(4, (int) crc.getValue());
            buf.flip();
            file.write(buf, position);
            position += 8 + length;
        }
    }

    // ------------------------------------------------------------------ reading

    /** What a checkpoint holds. */
    record Loaded(long lsn, Map<Long, GroupState> groups, Map<Long, Long> entryRecords) {
    }

    /**
     * Reads and checks the checkpoint {@code file}.
     *
     * @throws CorruptStorageException if any part of it is damaged
     */
    static Loaded read(FileIo io, Path file, WalIdentity identity) throws IOException {
        try (FileHandle in = io.open(file, false)) {
            ByteBuffer header = WalFile.verifyHeader(in, file, MAGIC, HEADER_BYTES, "checkpoint header", identity,
                    FileHeader.FORMAT_VERSION);
            long lsn = header.getLong(OFFSET_LSN);
            int groupCount = header.getInt(OFFSET_GROUPS);
            int fileCount = header.getInt(OFFSET_FILES);
            Input input = new Input(in, file, HEADER_BYTES, in.size());
            ByteBuffer frame = input.next('F');
            if (frame.getInt() != fileCount) {
                throw new CorruptStorageException(file, input.frameStart, "file table disagrees with the header");
            }
            Map<Long, Long> entryRecords = new HashMap<>();
            for (int i = 0; i < fileCount; i++) {
                entryRecords.put(frame.getLong(), frame.getLong());
            }
            Map<Long, GroupState> groups = new HashMap<>();
            for (int i = 0; i < groupCount; i++) {
                frame = input.next('G');
                GroupState group = decodeGroup(frame, file, input.frameStart);
                if (groups.put(group.groupId, group) != null) {
                    throw new CorruptStorageException(file, input.frameStart, "group " + group.groupId + " appears twice");
                }
            }
            frame = input.next('E');
            if (frame.getInt() != groupCount) {
                throw new CorruptStorageException(file, input.frameStart, "end frame disagrees with the header");
            }
            return new Loaded(lsn, groups, entryRecords);
        }
    }

    private static GroupState decodeGroup(ByteBuffer buf, Path file, long at) throws CorruptStorageException {
        try {
            GroupState group = new GroupState(buf.getLong());
            long lastLsn = buf.getLong();
            group.lastLsn = lastLsn;
            group.checkpointLsn = lastLsn;
            group.vote = new Vote(buf.getLong(), buf.getLong());
            long baseIndex = buf.getLong();
            group.base = new LogId(buf.getLong(), baseIndex);
            group.lastIndex = buf.getLong();
            int runCount = buf.getInt();
            TermRuns runs = new TermRuns();
            for (int i = 0; i < runCount; i++) {
                runs.add(buf.getLong(), buf.getLong());
            }
            group.runs = runs;
            group.locations.reset(baseIndex + 1);
            int locationRuns = buf.getInt();
            for (int r = 0; r < locationRuns; r++) {
                long seq = buf.getInt() & 0xffffffffL;
                int count = buf.getInt();
                long offset = buf.getInt() & 0xffffffffL;
                for (int i = 0; i < count; i++) {
                    if (i > 0) {
                        offset += getVarint(buf);
                    }
                    group.locations.append(Lsn.of(seq, offset));
                }
                group.refs.add(seq, count);
            }
            if (group.lastIndex < baseIndex || group.locations.size() != group.lastIndex - baseIndex
                    || buf.hasRemaining()) {
                throw new CorruptStorageException(file, at, "group " + group.groupId + " is inconsistent: base "
                        + baseIndex + ", last " + group.lastIndex + ", " + group.locations.size() + " locations");
            }
            return group;
        } catch (RuntimeException e) {
            throw new CorruptStorageException(file, at, "a group frame does not decode: " + e);
        }
    }

    private static long getVarint(ByteBuffer buf) {
        long value = 0;
        int shift = 0;
        while (true) {
            byte b = buf.get();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
            shift += 7;
            if (shift > 63) {
                throw new IllegalStateException("varint too long");
            }
        }
    }

    /** Sequential reads of frames, each checked against its CRC. */
    private static final class Input {
        private final FileHandle file;
        private final Path path;
        private final long size;
        private final CRC32C crc = new CRC32C();
        private long position;
        long frameStart;

        Input(FileHandle file, Path path, long start, long size) {
            this.file = file;
            this.path = path;
            this.position = start;
            this.size = size;
        }

        /** The payload of the next frame, after its kind byte (which must be {@code kind}). */
        ByteBuffer next(char kind) throws IOException {
            frameStart = position;
            ByteBuffer head = ByteBuffer.allocate(8);
            if (size - position < 9 || file.read(head, position) < 8) {
                throw new CorruptStorageException(path, position, "checkpoint is cut short");
            }
            int length = head.getInt(0);
            if (length < 1 || length > size - position - 8) {
                throw new CorruptStorageException(path, position, "frame length " + length + " is impossible");
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            if (file.read(payload, position + 8) < length) {
                throw new CorruptStorageException(path, position, "checkpoint is cut short");
            }
            crc.reset();
            crc.update(head.duplicate().position(0).limit(4));
            crc.update(payload.duplicate().position(0).limit(length));
            if ((int) crc.getValue() != head.getInt(4)) {
                throw new CorruptStorageException(path, position, "checkpoint frame fails its checksum");
            }
            payload.position(0);
            if (payload.get() != kind) {
                throw new CorruptStorageException(path, position, "expected a '" + kind + "' frame");
            }
            position += 8 + length;
            return payload;
        }
    }
}
