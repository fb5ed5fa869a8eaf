package vn.onboardinghub;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * What the hub keeps under {@code hub.data-dir} (stored credentials, keys, the broker journal with bus requests) is
 * its user's only: folders rwx------, files rw-------. The JVM cannot set its umask, and H2 and Artemis create their
 * files with the process's umask (often 0022, so 0644), so: the data dir and the folders H2 and Artemis write into
 * are created owner-only before they start, and from the end of the start on, every second, every folder and file
 * under the data dir is set owner-only. A file they create meanwhile (a journal file the broker's compaction adds,
 * an H2 temporary file) may carry the umask's mode for up to a second, inside owner-only folders, which other users
 * cannot enter. Links are never followed. The file-drop folders are left to the file-drop channel (another user may
 * be meant to drop files there).
 */
final class DataDirPermissions {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirPermissions.class);
    static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /** The embedded H2 database's folder. */
    static final List<String> DATABASE_FOLDERS = List.of("db");
    /** The embedded broker's folders (its journal holds bus requests, GHTK passwords included, until consumed). */
    static final List<String> BROKER_FOLDERS = List.of("broker", "broker/journal", "broker/bindings", "broker/paging",
            "broker/large-messages");

    private static volatile boolean warned;

    private DataDirPermissions() {
    }

    static boolean posix(Path dir) throws IOException {
        return Files.getFileStore(dir).supportsFileAttributeView("posix");
    }

    /** Creates (or makes owner-only) the data dir and the given folders under it, before anything writes there. */
    static void prepare(Path dataDir, List<String> folders) throws IOException {
        Files.createDirectories(dataDir);
        if (!posix(dataDir)) {
            return;
        }
        setOwnerOnly(dataDir, FOLDER);
        for (String folder : folders) {
            Path path = dataDir.resolve(folder);
            if (!Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(path, ownerOnlyFolder());
            }
            setOwnerOnly(path, FOLDER);
        }
    }

    static FileAttribute<Set<PosixFilePermission>> ownerOnlyFolder() {
        return PosixFilePermissions.asFileAttribute(FOLDER);
    }

    /** Sets every folder and regular file under {@code dataDir} owner-only, except the subtrees in {@code leaveAlone}. */
    static void restrict(Path dataDir, Set<Path> leaveAlone) {
        try {
            if (!posix(dataDir)) {
                return;
            }
            // by real paths: a data dir given through a link is walked (a link is otherwise not entered), and the
            // folders left alone are recognised however they were written
            Path root = dataDir.toRealPath();
            Set<Path> left = new java.util.HashSet<>();
            for (Path path : leaveAlone) {
                left.add(Files.exists(path) ? path.toRealPath() : path.normalize());
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root) && left.contains(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    setOwnerOnly(dir, FOLDER);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    // a link's mode is not its own (setting it would change its target's): left as it is
                    if (attrs.isRegularFile()) {
                        setOwnerOnly(file, FILE);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // a file removed meanwhile (a compacted journal file, an H2 temporary file)
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // once: the same failure would otherwise be logged every second
            if (!warned) {
                warned = true;
                LOG.warn("cannot make everything under {} readable by its owner only: {}", dataDir, e.getClass().getSimpleName());
            }
        }
    }

    private static void setOwnerOnly(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(path, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(permissions)) {
                Files.setPosixFilePermissions(path, permissions);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed meanwhile
        }
    }
}
