package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** The file-drop folders of a test hub, seen as a user sees them: drop a file, wait, read what came out. */
final class FileDrop {
    static final ObjectMapper MAPPER = new ObjectMapper();
    final Path dataDir;
    final Path inbox;
    final Path outbox;

    FileDrop(Path dataDir) {
        this.dataDir = dataDir;
        this.inbox = dataDir.resolve("inbox");
        this.outbox = dataDir.resolve("outbox");
    }

    /** Writes the file under a hidden name and renames it, so the hub sees it complete. */
    Path drop(String name, byte[] content) throws IOException {
        Files.createDirectories(inbox);
        Path hidden = inbox.resolve("." + name);
        Files.write(hidden, content);
        return Files.move(hidden, inbox.resolve(name));
    }

    Path drop(String name, String content) throws IOException {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    Path done(String name) {
        return inbox.resolve(".done").resolve(name);
    }

    Path error(String name) {
        return inbox.resolve(".error").resolve(name);
    }

    Path results(String name) {
        return outbox.resolve(FileBatches.stem(name) + ".results.ndjson");
    }

    Path summaryFile(String name) {
        return outbox.resolve(FileBatches.stem(name) + ".summary.json");
    }

    /** Waits until the file has gone through: summary written, input moved to .done. */
    void awaitDone(String name) {
        awaitDone(name, Duration.ofSeconds(60));
    }

    /** {@link #awaitDone(String)} for up to {@code atMost}; on a timeout, says what the folders hold. */
    void awaitDone(String name, Duration atMost) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.exists(done(name)) && !Files.exists(inbox.resolve(name)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("file " + name + " not done within " + atMost + "; " + folders(), e);
        }
    }

    /** What the inbox and the outbox hold, and how many result lines were written: for a failure's message. */
    String folders() {
        StringBuilder state = new StringBuilder();
        for (Path folder : List.of(inbox, inbox.resolve(".done"), outbox)) {
            try (Stream<Path> files = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
                state.append(dataDir.relativize(folder)).append(": ")
                        .append(files.map(f -> f.getFileName().toString()).sorted().toList()).append("; ");
            } catch (IOException e) {
                state.append(folder).append(": ").append(e).append("; ");
            }
        }
        try (Stream<Path> results = Files.exists(outbox) ? Files.list(outbox) : Stream.empty()) {
            for (Path r : results.filter(f -> f.toString().endsWith(".results.ndjson")).toList()) {
                state.append(r.getFileName()).append(": ").append(Files.readAllLines(r).size()).append(" lines; ");
            }
        } catch (IOException e) {
            state.append(e);
        }
        return state.toString();
    }

    void awaitError(String name) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(error(FileBatches.stem(name) + ".reason.txt")) && !Files.exists(inbox.resolve(name)));
    }

    /** The result lines by record number. */
    Map<Integer, JsonNode> results(String name, int expected) throws IOException {
        Map<Integer, JsonNode> byLine = new TreeMap<>();
        List<String> lines = Files.readAllLines(results(name), StandardCharsets.UTF_8);
        for (String line : lines) {
            JsonNode json = MAPPER.readTree(line);
            if (byLine.put(json.path("line").asInt(), json) != null) {
                throw new AssertionError("two results for line " + json.path("line").asInt());
            }
        }
        if (lines.size() != expected) {
            throw new AssertionError("expected " + expected + " result lines, found " + lines.size());
        }
        return byLine;
    }

    JsonNode summary(String name) throws IOException {
        return MAPPER.readTree(summaryFile(name).toFile());
    }

    /** Every file under the data dir (database, inbox, outbox, .done, .error …) whose bytes contain the text. */
    List<Path> filesContaining(String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    found.add(file);
                }
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
