package vn.onboardinghub.channels.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * How the file-drop channel writes: folders it creates are {@code rwx------}, files {@code rw-------} (results hold
 * merchants' data), every file is created new, and nothing is ever written through a link found in its place (a link
 * planted at an output name is replaced, its target left alone).
 */
final class PrivateFiles {
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
            LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> APPEND = Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");

    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private PrivateFiles() {
    }

    /** The folder, created {@code rwx------} when missing; refused when it is a link or not a folder. */
    static Path folder(Path folder) throws IOException {
        if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(folder, attribute(FOLDER));
            } catch (FileAlreadyExistsException raced) {
                // made at the same moment by another thread: checked below
            } catch (UnsupportedOperationException noPosix) {
                Files.createDirectories(folder);
            }
        }
        BasicFileAttributes attributes = Files.readAttributes(folder, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory()) {
            throw new IOException("not a folder (a link or a file is in its place): " + folder.getFileName());
        }
        return folder;
    }

    /**
     * A new file at {@code file}, written as it goes (the results file, read while it grows): whatever was at that name
     * (an old file, a planted link) is removed first — the link itself, never its target.
     */
    static OutputStream createNew(Path file) throws IOException {
        Files.deleteIfExists(file);
        return Channels.newOutputStream(Files.newByteChannel(file, CREATE_NEW, attribute(FILE)));
    }

    /**
     * Appends {@code bytes} to {@code file} in one write, creating it {@code rw-------} when missing. Anything else at
     * that name than a regular file with a single link (a planted link, a second hard link) is removed first, never
     * written through: the appends start again in a new file.
     */
    static void append(Path file, byte[] bytes) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object links = attributes.isRegularFile() ? Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) : null;
            if (!(links instanceof Integer count) || count != 1) {
                Files.delete(file);
            }
        }
        try (var channel = Files.newByteChannel(file, APPEND, attribute(FILE))) {
            channel.write(java.nio.ByteBuffer.wrap(bytes));
        }
    }

    /** Writes {@code file} whole or not at all: a new hidden temporary file, then an atomic rename over the name. */
    static void writeAtomically(Path file, Content content) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        try {
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(temporary, CREATE_NEW, attribute(FILE)))) {
                content.writeTo(out);
            }
            // a rename replaces the name, so a link planted there is replaced, not written through
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Moves the file (renames it: its bytes are not read) and leaves it {@code rw-------}. */
    static void move(Path file, Path target) throws IOException {
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(target, FILE);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
