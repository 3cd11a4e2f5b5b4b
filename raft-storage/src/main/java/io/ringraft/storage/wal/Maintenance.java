package io.ringraft.storage.wal;

import io.ringraft.storage.internal.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints and space reclamation, run after the stream rolls to a new file: by one background
 * thread per shared log (so the number of threads never depends on the number of groups), or by
 * tests through {@link #runOnce()}.
 *
 * <ul>
 *   <li><b>Checkpoint</b> every {@code checkpointEveryFiles} files ({@link Checkpoint}): bounds what
 *       recovery replays.</li>
 *   <li><b>Reclamation</b> of files wholly before the newest checkpoint (and older than the file
 *       before the newest): a file no group has live entries in is deleted, after the stream is forced
 *       (so that the truncations, purges, resets and moves that emptied it are durable). A file whose
 *       live entries are at most a quarter of the entries it received has them <b>moved</b>: read,
 *       and copied to the newest file as moved records ({@link WalWriter#move}), after which it is
 *       empty and deleted. A lagging group therefore pins at most a quarter-full file's worth of
 *       copies, never the whole log behind it.</li>
 * </ul>
 *
 * A failure is recorded by {@link FailStop} (every group stops). Blocks on file IO and on the
 * writer's lock (briefly per group, to copy entries forward).
 */
final class Maintenance {

    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    private static final int MOVE_BATCH_BYTES = 1 << 20;

    private final FileIo io;
    private final Path directory;
    private final WalIdentity identity;
    private final WalWriter writer;
    private final GroupCommit commit;
    private final WalFiles files;
    private final FailStop failStop;
    private final Supplier<List<GroupState>> groups;
    private final int checkpointEveryFiles;

    private final Object signal = new Object();
    private boolean requested;
    private boolean stopping;
    private Thread thread;

    /** The newest durable checkpoint's position, or -1; only the maintenance thread changes it. */
    private volatile long checkpointLsn;
    /** Seq of the file the newest checkpoint starts in (or of the first file when there is none). */
    private long checkpointSeq;

    Maintenance(FileIo io, Path directory, WalIdentity identity, WalWriter writer, GroupCommit commit, WalFiles files,
            FailStop failStop, Supplier<List<GroupState>> groups, int checkpointEveryFiles, long checkpointLsn,
            long firstSeq) {
        this.io = io;
        this.directory = directory;
        this.identity = identity;
        this.writer = writer;
        this.commit = commit;
        this.files = files;
        this.failStop = failStop;
        this.groups = groups;
        this.checkpointEveryFiles = checkpointEveryFiles;
        this.checkpointLsn = checkpointLsn;
        this.checkpointSeq = checkpointLsn >= 0 ? Lsn.seq(checkpointLsn) : firstSeq;
    }

    /** Starts the background thread. */
    void start() {
        thread = new Thread(this::loop, "ringraft-wal-maintenance");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks the background thread for a round (the writer calls it after a roll); never blocks. */
    void request() {
        synchronized (signal) {
            requested = true;
            signal.notifyAll();
        }
    }

    /** Stops the background thread and waits for it (a round in progress finishes first). */
    void stop() throws InterruptedException {
        synchronized (signal) {
            stopping = true;
            signal.notifyAll();
        }
        if (thread != null && thread != Thread.currentThread()) {
            thread.join();
        }
    }

    private void loop() {
        while (true) {
            synchronized (signal) {
                while (!requested && !stopping) {
                    try {
                        signal.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                requested = false;
            }
            try {
                runOnce();
            } catch (IOException | RuntimeException e) {
                return; // recorded by runOnce: the log has stopped
            }
        }
    }

    /** The newest durable checkpoint's position, or -1. */
    long checkpointLsn() {
        return checkpointLsn;
    }

    /** One round: a checkpoint if due, then reclamation. A failure stops the whole log. */
    synchronized void runOnce() throws IOException {
        failStop.check();
        try {
            if (writer.tailSeq() - checkpointSeq >= checkpointEveryFiles) {
                writeCheckpoint();
            }
            reclaim();
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        }
    }

    /** Writes a checkpoint now. A failure stops the whole log. */
    synchronized void checkpoint() throws IOException {
        failStop.check();
        try {
            writeCheckpoint();
        } catch (IOException | RuntimeException e) {
            failStop.fail(e);
            throw e;
        }
    }

    private void writeCheckpoint() throws IOException {
        long lsn;
        List<GroupState> snapshot;
        List<long[]> table = new ArrayList<>();
        writer.lock.lock();
        try {
            lsn = writer.writtenLsn();
            snapshot = groups.get();
            for (WalFile file : files.all()) {
                table.add(new long[] {file.seq, file.entryRecords});
            }
        } finally {
            writer.lock.unlock();
        }
        long upTo = Checkpoint.writeTemp(io, directory, identity, lsn, table, snapshot);
        commit.awaitDurable(upTo);
        Checkpoint.publish(io, directory, lsn);
        for (String name : io.list(directory)) {
            long old = Checkpoint.parseLsn(name);
            if (old >= 0 && old < lsn) {
                io.delete(directory.resolve(name));
            }
        }
        checkpointLsn = lsn;
        checkpointSeq = Lsn.seq(lsn);
        LOG.debug("checkpoint at {} of {} groups in {}", Lsn.toString(lsn), snapshot.size(), directory);
    }

    /** Moves live entries out of mostly-dead old files and deletes files nothing needs. */
    private void reclaim() throws IOException {
        if (checkpointLsn < 0) {
            return;
        }
        long limitSeq = Math.min(Lsn.seq(checkpointLsn), writer.tailSeq() - 1);
        List<WalFile> candidates = new ArrayList<>();
        for (WalFile file : files.all()) {
            if (file.seq < limitSeq) {
                candidates.add(file);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        Map<Long, Long> live = liveEntries(limitSeq);
        for (WalFile file : candidates) {
            long count = live.getOrDefault(file.seq, 0L);
            if (count > 0 && count * 4 <= file.entryRecords) {
                moveOut(file);
            }
        }
        live = liveEntries(limitSeq);
        List<WalFile> dead = new ArrayList<>();
        for (WalFile file : candidates) {
            if (live.getOrDefault(file.seq, 0L) == 0) {
                dead.add(file);
            }
        }
        if (dead.isEmpty()) {
            return;
        }
        commit.awaitDurable(writer.endLsn());
        files.delete(io, dead);
        io.forceDirectory(directory);
        LOG.debug("deleted {} WAL files in {}", dead.size(), directory);
    }

    /** Live entries per file below {@code limitSeq}, summed over the groups. */
    private Map<Long, Long> liveEntries(long limitSeq) {
        Map<Long, Long> live = new HashMap<>();
        for (GroupState group : groups.get()) {
            group.lock.readLock().lock();
            try {
                for (int row = 0; row < group.refs.rows() && group.refs.seqAt(row) < limitSeq; row++) {
                    live.merge(group.refs.seqAt(row), group.refs.countAt(row), Long::sum);
                }
            } finally {
                group.lock.readLock().unlock();
            }
        }
        return live;
    }

    /** Copies every live entry of {@code file} to the newest file. */
    private void moveOut(WalFile file) throws IOException {
        EntryReader reader = new EntryReader();
        int moved = 0;
        for (GroupState group : groups.get()) {
            long[] indexes;
            long[] locations;
            long[] terms;
            group.lock.readLock().lock();
            try {
                int count = (int) group.refs.countOf(file.seq);
                if (count == 0) {
                    continue;
                }
                indexes = new long[count];
                locations = new long[count];
                terms = new long[count];
                int n = 0;
                for (long index = group.base.index() + 1; index <= group.lastIndex && n < count; index++) {
                    long location = group.locations.get(index);
                    if (Lsn.seq(location) == file.seq) {
                        indexes[n] = index;
                        locations[n] = location;
                        terms[n] = group.runs.termOf(index);
                        n++;
                    }
                }
            } finally {
                group.lock.readLock().unlock();
            }
            List<WalWriter.Moving> batch = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < indexes.length; i++) {
                // Only this thread deletes files, so the file stays open without the files lock.
                reader.read(file, Lsn.offset(locations[i]), group.groupId, indexes[i], terms[i]);
                batch.add(new WalWriter.Moving(indexes[i], terms[i], (byte) (reader.kind & ~WalRecord.MOVED),
                        locations[i], reader.payload));
                bytes += reader.payload.length + WalRecord.HEADER_BYTES;
                if (bytes >= MOVE_BATCH_BYTES || i == indexes.length - 1) {
                    moved += writer.move(group, batch);
                    batch.clear();
                    bytes = 0;
                }
            }
        }
        LOG.debug("moved {} live entries out of {} in {}", moved, file, directory);
    }
}
