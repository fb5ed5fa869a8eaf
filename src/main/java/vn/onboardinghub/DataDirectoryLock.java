package vn.onboardinghub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One running hub per data directory while it holds something only one process can open (the embedded H2 database,
 * the embedded broker's journal): a second hub would otherwise die deep inside H2 or Artemis with a long stack
 * trace. The operating system releases the lock when the process ends, however it ends.
 */
public final class DataDirectoryLock implements AutoCloseable {
    static final String FILE = "hub.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws StartRefusedException when another running hub holds the directory */
    public static DataDirectoryLock acquire(Path dataDir) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        // created owner-only, like everything under the data dir
        FileChannel channel = DataDirPermissions.posix(dataDir)
                ? FileChannel.open(dataDir.resolve(FILE), options, PosixFilePermissions.asFileAttribute(DataDirPermissions.FILE))
                : FileChannel.open(dataDir.resolve(FILE), options);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new StartRefusedException("the data directory " + dataDir + " is already used by another running hub:"
                    + " stop that hub, or give this one its own directory with hub.data-dir (HUB_DATA_DIR)");
        }
        return new DataDirectoryLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
