package io.ringraft.storage;

import io.ringraft.api.Vote;
import io.ringraft.storage.internal.AtomicFile;
import io.ringraft.storage.internal.FileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The file {@code vote}: the node's durable term and vote, in its own file replaced atomically
 * ({@link AtomicFile}) so that saving a vote never touches the log.
 *
 * <p>Layout: a {@link TwoLongFile} (magic {@code "RRVT"}) with {@code long term} and
 * {@code long votedFor}. A missing file means {@link Vote#INITIAL}; a damaged one is a
 * {@link CorruptStorageException}, never a silent reset (a node that forgets its vote can vote twice
 * in one term).
 */
final class VoteFile {

    static final String NAME = "vote";
    private static final TwoLongFile FILE = new TwoLongFile(NAME, 0x52525654 /* "RRVT" */, "vote file");

    private VoteFile() {
    }

    /** Reads the vote of {@code directory}, or {@link Vote#INITIAL} if none was ever saved. */
    static Vote read(FileIo io, Path directory, StorageIdentity identity) throws IOException {
        long[] values = FILE.read(io, directory, identity);
        if (values == null) {
            return Vote.INITIAL;
        }
        long term = values[0];
        long votedFor = values[1];
        if (term < 0 || votedFor < 0) {
            throw new CorruptStorageException(FILE.path(directory), TwoLongFile.OFFSET_FIRST,
                    "holds an impossible vote: term " + term + " votedFor " + votedFor);
        }
        return new Vote(term, votedFor);
    }

    /** Makes {@code vote} the durable vote of {@code directory}. */
    static void write(FileIo io, Path directory, StorageIdentity identity, Vote vote) throws IOException {
        FILE.write(io, directory, identity, vote.term(), vote.votedFor());
    }
}
