package io.ringraft.storage;

import io.ringraft.api.Vote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The file {@code vote}: the node's durable term and vote, in its own file replaced atomically
 * ({@link AtomicFile}) so that saving a vote never touches the log.
 *
 * <p>Layout: a {@link FileHeader} block (magic {@code "RRVT"}) with {@code long term} and
 * {@code long votedFor}; 48 bytes. A missing file means {@link Vote#INITIAL}; a damaged one is a
 * {@link CorruptStorageException}, never a silent reset (a node that forgets its vote can vote twice
 * in one term).
 */
final class VoteFile {

    static final String NAME = "vote";
    private static final int MAGIC = 0x52525654; // "RRVT"
    private static final int BYTES = 48;
    private static final int OFFSET_TERM = FileHeader.PREFIX_BYTES;
    private static final int OFFSET_VOTED_FOR = FileHeader.PREFIX_BYTES + 8;

    private VoteFile() {
    }

    /** Reads the vote of {@code directory}, or {@link Vote#INITIAL} if none was ever saved. */
    static Vote read(FileIo io, Path directory, StorageIdentity identity) throws IOException {
        Path file = directory.resolve(NAME);
        ByteBuffer content = AtomicFile.readAll(io, file);
        if (content == null) {
            return Vote.INITIAL;
        }
        FileHeader.verify(content, content.limit(), MAGIC, BYTES, "vote file", file, identity);
        long term = content.getLong(OFFSET_TERM);
        long votedFor = content.getLong(OFFSET_VOTED_FOR);
        if (term < 0 || votedFor < 0) {
            throw new CorruptStorageException(file, OFFSET_TERM, "holds an impossible vote: term " + term
                    + " votedFor " + votedFor);
        }
        return new Vote(term, votedFor);
    }

    /** Makes {@code vote} the durable vote of {@code directory}. */
    static void write(FileIo io, Path directory, StorageIdentity identity, Vote vote) throws IOException {
        ByteBuffer content = ByteBuffer.allocate(BYTES);
        FileHeader.writePrefix(content, MAGIC, BYTES, identity);
        content.putLong(OFFSET_TERM, vote.term());
        content.putLong(OFFSET_VOTED_FOR, vote.votedFor());
        FileHeader.writeCrc(content, BYTES);
        AtomicFile.replace(io, directory, NAME, content);
    }
}
