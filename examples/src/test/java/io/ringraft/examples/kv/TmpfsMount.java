package io.ringraft.examples.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs the tests mount over a directory, to fill a real file system (ENOSPC from the
 * kernel, not from a fault-injecting layer). Mounting needs the privilege to mount (root, or
 * CAP_SYS_ADMIN): {@link #mount} says false where the machine does not allow it, and the tests that
 * need one are skipped there. Test code only.
 */
final class TmpfsMount implements AutoCloseable {

    private final Path directory;

    private TmpfsMount(Path directory) {
        this.directory = directory;
    }

    /**
     * Mounts a tmpfs of {@code megabytes} MiB over {@code directory} (created if needed).
     *
     * @return the mount, or null if this machine does not let the test mount one
     */
    static TmpfsMount mount(Path directory, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        if (!run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", directory.toString()))) {
            return null;
        }
        return new TmpfsMount(directory);
    }

    Path directory() {
        return directory;
    }

    /** Bytes still free on the file system. */
    long freeBytes() throws IOException {
        return Files.getFileStore(directory).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!run(List.of("umount", "-l", directory.toString()))) {
            throw new IOException("cannot unmount the tmpfs at " + directory);
        }
    }

    private static boolean run(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false; // no mount command
        }
    }
}
