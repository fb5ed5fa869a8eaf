package vn.onboardinghub.channels.file;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The inbox's file filter ({@code filter=#inboxFilter}), applied when the inbox is listed, before any read lock or
 * read: only a {@link DroppedFile} is taken. A link, a FIFO, a device, a file with several hard links or an over-long
 * name is skipped with one log line (not one per poll), and so is a file held back because it could not be put away
 * after processing. Either is looked at again once it changes.
 */
public class InboxFilter implements GenericFileFilter<File> {
    private static final Logger LOG = LoggerFactory.getLogger(InboxFilter.class);
    /** Bounds what is remembered, however many odd files the inbox holds. */
    private static final int REMEMBERED = 10_000;

    /** File name → the signature it was skipped or held with. */
    private final Map<String, String> skipped = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Map<String, String> held = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    @Override
    public boolean accept(GenericFile<File> file) {
        Path path = file.getFile().toPath();
        String name = path.getFileName().toString();
        if (!isBatchName(name)) {
            return false;
        }
        Optional<String> refusal = DroppedFile.refusal(path);
        String signature = DroppedFile.signature(path);
        synchronized (this) {
            if (refusal.isPresent()) {
                if (!signature.equals(skipped.put(name, signature))) {
                    LOG.warn("file {} in the inbox is skipped: {}", DroppedFile.printable(name), refusal.get());
                }
                return false;
            }
            skipped.remove(name);
            String heldAs = held.get(name);
            if (heldAs != null) {
                if (heldAs.equals(signature)) {
                    return false;
                }
                held.remove(name);
            }
        }
        return true;
    }

    /** Leaves the file alone until it changes: it could not be put away (its masked copy could not be written). */
    synchronized void hold(Path file) {
        held.put(file.getFileName().toString(), DroppedFile.signature(file));
    }

    /** Takes the file again at the next poll, changed or not. */
    synchronized void unhold(Path file) {
        held.remove(file.getFileName().toString());
    }

    private static boolean isBatchName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".csv") || lower.endsWith(".ndjson");
    }
}
