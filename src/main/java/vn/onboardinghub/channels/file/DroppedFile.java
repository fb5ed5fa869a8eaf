package vn.onboardinghub.channels.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * What the inbox accepts as a file: a regular file with a single link and a name short enough for the files made from
 * it. A symbolic link could point anywhere (another user's file, the hub's own keys), a second hard link could be
 * another folder's file, a FIFO blocks whoever opens it: none of them is ever opened. Every read of a dropped file
 * goes through {@link #open}, which checks again and never follows a link.
 */
final class DroppedFile {
    /**
     * Longest file name, in UTF-8 bytes: the names made from it ({@code .<name>.results.ndjson.tmp},
     * {@code <name>.camelLock}) must stay under the 255 bytes most file systems allow.
     */
    static final int MAX_NAME_BYTES = 200;

    private DroppedFile() {
    }

    /** Why the file is not taken, in plain words; empty when it is a file the inbox accepts. */
    static Optional<String> refusal(Path file) {
        String name = file.getFileName().toString();
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return Optional.of("its name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return Optional.of("it is a symbolic link (only regular files are read)");
            }
            if (!attributes.isRegularFile()) {
                return Optional.of("it is not a regular file (a FIFO, a device or a folder)");
            }
            int links = linkCount(file);
            if (links > 1) {
                return Optional.of("it has " + links + " hard links (only a file with a single link is read)");
            }
            return Optional.empty();
        } catch (NoSuchFileException gone) {
            return Optional.of("it is gone");
        } catch (IOException e) {
            return Optional.of("its attributes cannot be read");
        }
    }

    /** The file's identity and state: a file that changes (or is replaced) gets a new one. */
    static String signature(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.fileKey() + "/" + a.size() + "/" + a.lastModifiedTime().toMillis() + "/" + a.isSymbolicLink();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /** Opens the file to read, refusing it when it is no longer a single-link regular file. */
    static InputStream open(Path file) throws IOException {
        Object before = checked(file);
        // O_NOFOLLOW: a link swapped in after the check fails to open instead of being followed
        InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        try {
            if (!Objects.equals(before, checked(file))) {
                throw new UnprocessableFileException("the file was replaced while it was being read");
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static Object checked(Path file) throws IOException {
        Optional<String> refusal = refusal(file);
        if (refusal.isPresent()) {
            throw new UnprocessableFileException("the file is not read: " + refusal.get());
        }
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** A name as it may appear in a log line: control characters (a newline in a file name) escaped. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static int linkCount(Path file) throws IOException {
        try {
            return ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return 1;
        }
    }
}
