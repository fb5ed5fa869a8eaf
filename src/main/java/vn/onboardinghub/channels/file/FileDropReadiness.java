package vn.onboardinghub.channels.file;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Readiness of the file-drop channel ({@code /observe/health/ready}): DOWN while the inbox or outbox is not a usable
 * folder, while a batch is paused because the hub waits for its database, or while a batch has finished no record for
 * {@code hub.file.stalled-after-seconds} (the channel takes one file at a time, so a stuck batch holds up every file
 * after it; its owner then gives it up, see {@code FileBatches.giveUpStalled}). Camel's own consumer check reports a failing poll.
 */
final class FileDropReadiness extends AbstractHealthCheck {
    private final Path inbox;
    private final Path outbox;
    private final FileBatches batches;
    private final Duration stalledAfter;

    FileDropReadiness(Path inbox, Path outbox, FileBatches batches, Duration stalledAfter) {
        super("hub", "file-drop");
        this.inbox = inbox;
        this.outbox = outbox;
        this.batches = batches;
        this.stalledAfter = stalledAfter;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Optional<String> problem = unusable("inbox", inbox).or(() -> unusable("outbox", outbox))
                .or(() -> batches.stalled(stalledAfter));
        if (problem.isPresent()) {
            builder.message("file drop cannot work: " + problem.get()).down();
        } else {
            builder.up();
        }
    }

    private static Optional<String> unusable(String what, Path folder) {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("the " + what + " is not a folder");
        }
        if (!Files.isReadable(folder) || !Files.isWritable(folder) || !Files.isExecutable(folder)) {
            return Optional.of("the " + what + " cannot be read and written");
        }
        return Optional.empty();
    }
}
