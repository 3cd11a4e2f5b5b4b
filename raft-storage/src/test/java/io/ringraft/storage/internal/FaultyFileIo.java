package io.ringraft.storage.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An in-memory {@link FileIo} that behaves like a disk behind a page cache, for crash tests.
 *
 * <p><b>Files.</b> Each file (inode) has a durable content and a cached content. Reads see the cache.
 * Writes and size changes go to the cache and are queued as pending operations; {@code force} makes
 * every pending operation of that file durable. <b>Names</b> work the same way: creating, renaming and
 * deleting change the current directory entries at once, but only {@link #forceDirectory} makes a
 * directory's entries durable.
 *
 * <p><b>Crashes.</b> {@link #powerLoss} resolves every pending operation by a {@link CrashMode}: all
 * lost, all kept, or each independently lost, kept or torn (a random subset of its 512-byte sectors
 * reaches the disk, so writes persist out of order and partially), and each un-synced directory entry
 * independently keeps its old or new binding. Then the cache is what the disk holds and every handle
 * of the old incarnation is dead. {@link #processCrash} kills the handles but keeps the page cache
 * (a {@code kill -9}: the kernel still writes back later, or loses it at a later power loss).
 * {@link #crashAtOperation} makes the n-th mutating operation throw {@link SimulatedCrash} (and every
 * later one), to crash in the middle of a storage call.
 *
 * <p><b>Faults.</b> {@link #failForces} makes {@code force} throw and drop the file's pending writes
 * (as Linux does after a failed {@code fsync}, so a retry would "succeed" without the data);
 * {@link #setCapacity} makes writes that grow the files beyond a byte budget write what fits and then
 * throw "No space left on device"; {@link #flipBits} damages durable bytes.
 *
 * <p>Thread-safe (every method is synchronized); deterministic for a given seed.
 */
public final class FaultyFileIo implements FileIo {

    /** What a power loss does to pending (un-forced) operations. */
    public enum CrashMode {
        /** Every un-forced write and un-synced directory change is lost. */
        DROP,
        /** Every one reached the disk. */
        KEEP,
        /** Each is independently lost, kept or (writes) torn at sector granularity. */
        RANDOM
    }

    /** Thrown by the operation at which {@link #crashAtOperation} crashes, and by every one after it. */
    public static class SimulatedCrash extends IOException {
        private static final long serialVersionUID = 1L;

        public SimulatedCrash(String operation) {
            super("simulated crash at " + operation);
        }
    }

    public static final int SECTOR = 512;

    private final SplittableRandom random;
    private final Map<Path, Inode> names = new HashMap<>();
    private final Map<Path, Inode> durableNames = new HashMap<>();
    private final Set<Path> unsyncedNames = new LinkedHashSet<>();
    private final Set<Path> directories = new HashSet<>();
    private final Set<Path> locked = new HashSet<>();
    private final Map<Path, Long> bytesRead = new HashMap<>();
    private int incarnation;
    private long operations;
    private long crashAt = Long.MAX_VALUE;
    private boolean crashed;
    private boolean failForces;
    private long capacity = Long.MAX_VALUE;

    public FaultyFileIo(long seed) {
        this.random = new SplittableRandom(seed);
    }

    // ------------------------------------------------------------------ fault controls

    /** A power loss: pending operations are resolved by {@code mode}; every open handle dies. */
    public synchronized void powerLoss(CrashMode mode) {
        Set<Inode> inodes = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        inodes.addAll(names.values());
        inodes.addAll(durableNames.values());
        for (Inode inode : inodes) {
            inode.resolve(mode, random);
        }
        for (Path path : unsyncedNames) {
            boolean persisted = switch (mode) {
                case DROP -> false;
                case KEEP -> true;
                case RANDOM -> random.nextBoolean();
            };
            Inode current = names.get(path);
            if (persisted) {
                if (current == null) {
                    durableNames.remove(path);
                } else {
                    durableNames.put(path, current);
                }
            }
        }
        unsyncedNames.clear();
        names.clear();
        names.putAll(durableNames);
        restart();
    }

    /**
     * A power loss that keeps exactly the pending file operations (writes and size changes, counted in
     * the order they were issued across all files, from 0) that {@code keep} accepts, and every
     * un-synced directory change. For directed scenarios: "the second write reached the disk, the
     * first did not".
     */
    public synchronized void powerLossKeeping(java.util.function.IntPredicate keep) {
        Set<Inode> inodes = distinct(names.values());
        inodes.addAll(durableNames.values());
        List<Op> all = new ArrayList<>();
        for (Inode inode : inodes) {
            all.addAll(inode.pending);
        }
        all.sort(java.util.Comparator.comparingLong(Op::seq));
        Set<Op> kept = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < all.size(); i++) {
            if (keep.test(i)) {
                kept.add(all.get(i));
            }
        }
        for (Inode inode : inodes) {
            inode.resolveKeeping(kept);
        }
        for (Path path : unsyncedNames) {
            Inode current = names.get(path);
            if (current == null) {
                durableNames.remove(path);
            } else {
                durableNames.put(path, current);
            }
        }
        unsyncedNames.clear();
        names.clear();
        names.putAll(durableNames);
        restart();
    }

    /** The process dies but the machine does not: handles die, the page cache and pending writes stay. */
    public synchronized void processCrash() {
        restart();
    }

    private void restart() {
        incarnation++;
        locked.clear();
        crashed = false;
        crashAt = Long.MAX_VALUE;
    }

    /** The {@code n}-th mutating operation from now (1 = the next) throws {@link SimulatedCrash}, and every later one. */
    public synchronized void crashAtOperation(long n) {
        crashAt = operations + n;
    }

    /** Mutating operations so far (writes, truncations, forces, creations, renames, deletions). */
    public synchronized long operations() {
        return operations;
    }

    /** True once a crash set by {@link #crashAtOperation} happened (until the next restart). */
    public synchronized boolean crashed() {
        return crashed;
    }

    /** While on, every {@code force} fails and drops the file's pending writes. */
    public synchronized void failForces(boolean on) {
        failForces = on;
    }

    /** Total bytes the files may occupy; a write growing them beyond writes what fits, then fails. */
    public synchronized void setCapacity(long bytes) {
        capacity = bytes;
    }

    /** Bytes the files occupy now (their cached sizes). */
    public synchronized long usedBytes() {
        long used = 0;
        for (Inode inode : distinct(names.values())) {
            used += inode.cacheSize;
        }
        return used;
    }

    /** XORs {@code mask} into the byte at {@code offset} of {@code file}, on disk and in the cache. */
    public synchronized void flipBits(Path file, long offset, int mask) {
        Inode inode = names.get(file);
        inode.durable[(int) offset] ^= (byte) mask;
        inode.cache[(int) offset] ^= (byte) mask;
    }

    /** A copy of the cached content of {@code file}. */
    public synchronized byte[] content(Path file) {
        Inode inode = names.get(file);
        return Arrays.copyOf(inode.cache, inode.cacheSize);
    }

    /** Replaces the content of {@code file} durably (a test planting data). */
    public synchronized void setDurableContent(Path file, byte[] content) {
        Inode inode = names.get(file);
        inode.pending.clear();
        inode.durable = Arrays.copyOf(content, content.length);
        inode.durableSize = content.length;
        inode.cache = Arrays.copyOf(content, content.length);
        inode.cacheSize = content.length;
    }

    /** Bytes read from {@code file} since the last {@link #resetReadCounts()}. */
    public synchronized long bytesRead(Path file) {
        return bytesRead.getOrDefault(file, 0L);
    }

    public synchronized void resetReadCounts() {
        bytesRead.clear();
    }

    // ------------------------------------------------------------------ FileIo

    @Override
    public synchronized FileHandle open(Path file, boolean create) throws IOException {
        Inode inode = names.get(file);
        if (inode == null) {
            if (!create) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            requireDirectory(file.getParent());
            mutation("create " + file);
            inode = new Inode();
            bind(file, inode);
        }
        return new Handle(file, inode, incarnation);
    }

    @Override
    public synchronized boolean exists(Path path) {
        return names.containsKey(path) || directories.contains(path);
    }

    @Override
    public synchronized List<String> list(Path directory) throws IOException {
        requireDirectory(directory);
        List<String> result = new ArrayList<>();
        for (Path path : names.keySet()) {
            if (directory.equals(path.getParent())) {
                result.add(path.getFileName().toString());
            }
        }
        for (Path path : directories) {
            if (directory.equals(path.getParent())) {
                result.add(path.getFileName().toString());
            }
        }
        return result;
    }

    @Override
    public synchronized void createDirectories(Path directory) {
        for (Path p = directory; p != null; p = p.getParent()) {
            directories.add(p);
        }
    }

    @Override
    public synchronized void delete(Path file) throws IOException {
        if (names.containsKey(file)) {
            mutation("delete " + file);
            names.remove(file);
            unsyncedNames.add(file);
        }
    }

    @Override
    public synchronized void rename(Path source, Path target) throws IOException {
        Inode inode = names.get(source);
        if (inode == null) {
            throw new java.nio.file.NoSuchFileException(source.toString());
        }
        mutation("rename " + source + " -> " + target);
        names.remove(source);
        unsyncedNames.add(source);
        bind(target, inode);
    }

    @Override
    public synchronized void forceDirectory(Path directory) throws IOException {
        requireDirectory(directory);
        mutation("force directory " + directory);
        for (var it = unsyncedNames.iterator(); it.hasNext(); ) {
            Path path = it.next();
            if (directory.equals(path.getParent())) {
                Inode current = names.get(path);
                if (current == null) {
                    durableNames.remove(path);
                } else {
                    durableNames.put(path, current);
                }
                it.remove();
            }
        }
    }

    @Override
    public synchronized Closeable lockDirectory(Path directory) throws IOException {
        if (!locked.add(directory)) {
            throw new IOException("storage directory " + directory + " is in use by another storage instance");
        }
        int lockedIn = incarnation;
        return () -> {
            synchronized (FaultyFileIo.this) {
                if (lockedIn == incarnation) {
                    locked.remove(directory);
                }
            }
        };
    }

    private void bind(Path path, Inode inode) {
        names.put(path, inode);
        unsyncedNames.add(path);
    }

    private void requireDirectory(Path directory) throws IOException {
        if (!directories.contains(directory)) {
            throw new java.nio.file.NoSuchFileException(String.valueOf(directory));
        }
    }

    /** Counts a mutating operation and crashes at the chosen one. */
    private void mutation(String what) throws SimulatedCrash {
        if (crashed) {
            throw new SimulatedCrash(what + " (after the crash)");
        }
        operations++;
        if (operations >= crashAt) {
            crashed = true;
            throw new SimulatedCrash(what);
        }
    }

    private static Set<Inode> distinct(java.util.Collection<Inode> inodes) {
        Set<Inode> set = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(inodes);
        return set;
    }

    // ------------------------------------------------------------------ files

    /** A pending operation on a file: a write ({@code data != null}) or a size change; {@code seq} orders all files' operations. */
    private record Op(long seq, long position, byte[] data, long size) {
    }

    /** Issue order of pending operations across files. */
    private static final java.util.concurrent.atomic.AtomicLong OP_SEQ = new java.util.concurrent.atomic.AtomicLong();

    private static final class Inode {
        byte[] durable = new byte[0];
        int durableSize;
        byte[] cache = new byte[0];
        int cacheSize;
        final List<Op> pending = new ArrayList<>();

        void write(long position, byte[] data) {
            cache = writeInto(cache, position, data, 0, data.length);
            cacheSize = (int) Math.max(cacheSize, position + data.length);
            pending.add(new Op(OP_SEQ.incrementAndGet(), position, data, -1));
        }

        void truncate(long size) {
            if (size < cacheSize) {
                Arrays.fill(cache, (int) size, cacheSize, (byte) 0);
                cacheSize = (int) size;
                pending.add(new Op(OP_SEQ.incrementAndGet(), 0, null, size));
            }
        }

        void force() {
            for (Op op : pending) {
                applyDurably(op, 0, op.data == null ? 0 : op.data.length);
            }
            pending.clear();
        }

        /** After a failed fsync: the pending writes are gone, and so is the cache's view of them. */
        void dropPending() {
            pending.clear();
            cache = Arrays.copyOf(durable, Math.max(durable.length, 1));
            cacheSize = durableSize;
        }

        void resolve(CrashMode mode, SplittableRandom random) {
            for (Op op : pending) {
                int choice = switch (mode) {
                    case DROP -> 0;
                    case KEEP -> 1;
                    case RANDOM -> random.nextInt(3);
                };
                if (choice == 1) {
                    applyDurably(op, 0, op.data == null ? 0 : op.data.length);
                } else if (choice == 2 && op.data != null) {
                    tear(op, random);
                }
            }
            pending.clear();
            cache = Arrays.copyOf(durable, Math.max(durable.length, 1));
            cacheSize = durableSize;
        }

        void resolveKeeping(Set<Op> kept) {
            for (Op op : pending) {
                if (kept.contains(op)) {
                    applyDurably(op, 0, op.data == null ? 0 : op.data.length);
                }
            }
            pending.clear();
            cache = Arrays.copyOf(durable, Math.max(durable.length, 1));
            cacheSize = durableSize;
        }

        /** Persists a random subset of the write's sectors (aligned to file offsets). */
        private void tear(Op op, SplittableRandom random) {
            long start = op.position;
            long end = op.position + op.data.length;
            for (long sector = start - Math.floorMod(start, SECTOR); sector < end; sector += SECTOR) {
                if (random.nextBoolean()) {
                    long from = Math.max(sector, start);
                    long to = Math.min(sector + SECTOR, end);
                    applyDurably(op, (int) (from - start), (int) (to - from));
                }
            }
        }

        private void applyDurably(Op op, int offset, int length) {
            if (op.data == null) {
                if (op.size < durableSize) {
                    Arrays.fill(durable, (int) op.size, durableSize, (byte) 0);
                    durableSize = (int) op.size;
                }
                return;
            }
            durable = writeInto(durable, op.position + offset, op.data, offset, length);
            durableSize = (int) Math.max(durableSize, op.position + offset + length);
        }

        private static byte[] writeInto(byte[] target, long position, byte[] data, int offset, int length) {
            long end = position + length;
            if (end > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("test files stay below 2 GiB");
            }
            if (end > target.length) {
                target = Arrays.copyOf(target, (int) Math.max(end, target.length * 2L));
            }
            System.arraycopy(data, offset, target, (int) position, length);
            return target;
        }
    }

    private final class Handle implements FileHandle {
        private final Path path;
        private final Inode inode;
        private final int openedIn;
        private boolean closed;

        Handle(Path path, Inode inode, int openedIn) {
            this.path = path;
            this.inode = inode;
            this.openedIn = openedIn;
        }

        private void check() throws IOException {
            if (closed) {
                throw new java.nio.channels.ClosedChannelException();
            }
            if (openedIn != incarnation) {
                throw new IOException(path + " was opened before a crash");
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultyFileIo.this) {
                check();
                int n = (int) Math.max(0, Math.min(dst.remaining(), inode.cacheSize - position));
                if (n > 0) {
                    dst.put(inode.cache, (int) position, n);
                }
                bytesRead.merge(path, (long) n, Long::sum);
                return n;
            }
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultyFileIo.this) {
                check();
                mutation("write " + src.remaining() + " bytes to " + path + " at " + position);
                byte[] data = new byte[src.remaining()];
                src.get(data);
                long growth = Math.max(0, position + data.length - inode.cacheSize);
                long room = capacity - usedBytes();
                if (growth > room) {
                    int fits = (int) Math.max(0, Math.min(data.length, inode.cacheSize + room - position));
                    if (fits > 0) {
                        inode.write(position, Arrays.copyOf(data, fits));
                    }
                    throw new IOException("No space left on device (writing " + path + ")");
                }
                inode.write(position, data);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultyFileIo.this) {
                check();
                return inode.cacheSize;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultyFileIo.this) {
                check();
                mutation("truncate " + path + " to " + size);
                inode.truncate(size);
            }
        }

        @Override
        public void force(boolean metadata) throws IOException {
            synchronized (FaultyFileIo.this) {
                check();
                mutation("force " + path);
                if (failForces) {
                    inode.dropPending();
                    throw new IOException("Input/output error (fsync of " + path + ")");
                }
                inode.force();
            }
        }

        @Override
        public void close() {
            synchronized (FaultyFileIo.this) {
                closed = true;
            }
        }
    }
}
