package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open WAL files by seq. Readers hold {@link #lock}'s read lock while they read file contents;
 * space reclamation takes the write lock only to take deleted files out and close them, so a file is
 * never closed under a reader. Adding a file (the writer's roll) needs no lock.
 *
 * <p>How many files are open depends on how much live log there is, never on the number of groups.
 */
final class WalFiles {

    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentSkipListMap<Long, WalFile> bySeq = new ConcurrentSkipListMap<>();

    void add(WalFile file) {
        bySeq.put(file.seq, file);
    }

    /** The open file {@code seq}, or null. */
    WalFile get(long seq) {
        return bySeq.get(seq);
    }

    /** Every open file, oldest first (a snapshot). */
    List<WalFile> all() {
        return new ArrayList<>(bySeq.values());
    }

    int count() {
        return bySeq.size();
    }

    /** Takes {@code doomed} out (waiting for readers), closes and deletes them; the caller forces the directory. */
    void delete(FileIo io, List<WalFile> doomed) throws IOException {
        lock.writeLock().lock();
        try {
            for (WalFile file : doomed) {
                bySeq.remove(file.seq);
                file.handle.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
        for (WalFile file : doomed) {
            io.delete(file.path);
        }
    }

    /** Closes every file; the first error is thrown after trying them all. */
    void closeAll() throws IOException {
        lock.writeLock().lock();
        try {
            IOException first = null;
            for (WalFile file : bySeq.values()) {
                try {
                    file.handle.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            bySeq.clear();
            if (first != null) {
                throw first;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
