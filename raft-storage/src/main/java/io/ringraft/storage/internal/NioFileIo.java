package io.ringraft.storage.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link FileIo} over {@link FileChannel}: what the storage uses outside tests.
 *
 * <p>Directory {@code fsync} opens the directory read-only and forces it, which works on Linux and
 * the BSDs (the platforms RingRaft targets for durable storage); where the platform refuses it
 * (Windows), the refusal is an {@link IOException}.
 *
 * <p><b>Interrupts.</b> A {@link FileChannel} closes itself, for every thread, when a thread that
 * enters or is blocked in one of its operations is interrupted. A reader thread runs user code (the
 * applier runs the state machine), which may leave its interrupt flag set; that must not close the
 * segment files under the log writer and stop the node. Every channel operation therefore runs with
 * the caller's interrupt flag cleared, and sets it again afterwards. (An interrupt that arrives while
 * the operation is blocked still closes the channel: the storage then fails and stops.)
 */
public final class NioFileIo implements FileIo {

    /** The one instance; it holds no state. */
    public static final NioFileIo INSTANCE = new NioFileIo();

    private NioFileIo() {
    }

    @Override
    public FileHandle open(Path file, boolean create) throws IOException {
        FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new ChannelHandle(channel);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public List<String> list(Path directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public void createDirectories(Path directory) throws IOException {
        Files.createDirectories(directory);
    }

    @Override
    public void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void forceDirectory(Path directory) throws IOException {
        uninterrupted(() -> {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
            return null;
        });
    }

    /** A channel operation. */
    @FunctionalInterface
    private interface ChannelCall<T> {
        T call() throws IOException;
    }

    /** Runs {@code call} with the interrupt flag cleared (see the class comment), then restores the flag. */
    private static <T> T uninterrupted(ChannelCall<T> call) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            return call.call();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Closeable lockDirectory(Path directory) throws IOException {
        Path lockFile = directory.resolve("lock");
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        FileLock lock;
        try {
            lock = uninterrupted(channel::tryLock);
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("storage directory " + directory
                    + " is in use by another storage instance (" + lockFile + " is locked)");
        }
        FileLock held = lock;
        return () -> {
            try {
                held.release();
            } finally {
                channel.close();
            }
        };
    }

    /** A {@link FileChannel} as a {@link FileHandle}. */
    private static final class ChannelHandle implements FileHandle {
        private final FileChannel channel;

        ChannelHandle(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return uninterrupted(() -> {
                int total = 0;
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                return total;
            });
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
            uninterrupted(() -> {
                long at = position;
                while (src.hasRemaining()) {
                    at += channel.write(src, at);
                }
                return null;
            });
        }

        @Override
        public long size() throws IOException {
            return uninterrupted(channel::size);
        }

        @Override
        public void truncate(long size) throws IOException {
            uninterrupted(() -> channel.truncate(size));
        }

        @Override
        public void force(boolean metadata) throws IOException {
            uninterrupted(() -> {
                channel.force(metadata);
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
