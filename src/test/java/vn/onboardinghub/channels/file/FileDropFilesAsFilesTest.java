package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox reads files, nothing else: links, FIFOs and hard-linked files are never opened, outputs are never written
 * through a link left at their name, and what the channel creates is private to the hub's user.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.file.read-lock-min-age-ms=300"})
class FileDropFilesAsFilesTest {
    private static final String RECORD = "external_id,name,phone,providers\nF-1,Shop F,0912345611,ahamove\n";
    @TempDir
    static Path elsewhere;
    static TestHub hub;
    static Path dataDir;
    static FileDrop files;

    @BeforeAll
    static void files() {
        dataDir = hub.dataDir();
        files = new FileDrop(dataDir);
    }

    @Test
    void symbolicLinksInTheInboxAreSkippedAndTheirTargetsNeverReadNorCopied() throws Exception {
        Path outside = Files.writeString(elsewhere.resolve("passwd"), "external_id,name,phone\nLEAK-1,Root,0912345612\n");
        Path resultsKey = dataDir.resolve("keys").resolve("results.key");
        byte[] key = Files.readAllBytes(resultsKey);
        Files.createSymbolicLink(files.inbox.resolve("passwd.csv"), outside);
        Files.createSymbolicLink(files.inbox.resolve("rkey.ndjson"), resultsKey);

        files.drop("after-links.csv", RECORD);
        files.awaitDone("after-links.csv");

        assertThat(files.inbox.resolve("passwd.csv")).isSymbolicLink();
        assertThat(files.inbox.resolve("rkey.ndjson")).isSymbolicLink();
        assertThat(files.results("passwd.csv")).doesNotExist();
        assertThat(files.results("rkey.ndjson")).doesNotExist();
        assertThat(Files.readAllBytes(resultsKey)).isEqualTo(key);
        assertThat(filesHolding("LEAK-1".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(filesHolding(key)).containsExactly(resultsKey);
        assertThat(batchNames()).doesNotContain("passwd.csv", "rkey.ndjson");
    }

    @Test
    void aLinkPlantedAtAnOutputNameIsReplacedNotWrittenThrough() throws Exception {
        Path results = Files.writeString(elsewhere.resolve("victim-results"), "untouched");
        Path summary = Files.writeString(elsewhere.resolve("victim-summary"), "untouched");
        Path done = Files.writeString(elsewhere.resolve("victim-done"), "untouched");
        Files.createSymbolicLink(files.results("planted.csv"), results);
        Files.createSymbolicLink(files.summaryFile("planted.csv"), summary);
        Files.createDirectories(files.done("x").getParent(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(files.done("planted.csv"), done);

        files.drop("planted.csv", RECORD.replace("F-1", "P-1"));
        files.awaitDone("planted.csv");

        assertThat(Files.readString(results)).isEqualTo("untouched");
        assertThat(Files.readString(summary)).isEqualTo("untouched");
        assertThat(Files.readString(done)).isEqualTo("untouched");
        assertThat(Files.isSymbolicLink(files.results("planted.csv"))).isFalse();
        assertThat(files.results("planted.csv", 1).get(1).path("externalId").asText()).isEqualTo("P-1");
        assertThat(Files.isSymbolicLink(files.done("planted.csv"))).isFalse();
        assertThat(files.summary("planted.csv").path("records").asInt()).isEqualTo(1);
    }

    @Test
    void aFifoInTheInboxDoesNotHoldUpTheNextFile() throws Exception {
        Path fifo = files.inbox.resolve("pipe.csv");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        files.drop("after-fifo.csv", RECORD.replace("F-1", "Q-1"));
        // the file consumer's read lock would wait 10 s on a FIFO before giving up, every poll
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(files.done("after-fifo.csv")));

        assertThat(fifo).exists();
        assertThat(files.results("pipe.csv")).doesNotExist();
    }

    @Test
    void aFileWithASecondHardLinkIsRefused() throws Exception {
        Path original = Files.writeString(dataDir.resolve("kept-elsewhere.csv"),
                "external_id,name,phone\nH-1,Hard,0912345613\n");
        Path hidden = files.inbox.resolve(".hard.csv");
        Files.createLink(hidden, original);
        Files.move(hidden, files.inbox.resolve("hard.csv"));

        files.drop("after-hard-link.csv", RECORD.replace("F-1", "R-1"));
        files.awaitDone("after-hard-link.csv");

        assertThat(files.inbox.resolve("hard.csv")).exists();
        assertThat(files.results("hard.csv")).doesNotExist();
        assertThat(Files.readString(original)).contains("H-1");
        assertThat(batchNames()).doesNotContain("hard.csv");
    }

    @Test
    void foldersTheChannelCreatesAre0700AndItsFiles0600() throws Exception {
        files.drop("private.csv", RECORD.replace("F-1", "S-1") + "S-2,Shop S2,not-a-phone,ahamove\n");
        files.drop("private-error.csv", "no,usable,header\n1,2,3\n");
        files.awaitDone("private.csv");
        files.awaitError("private-error.csv");

        for (Path folder : List.of(files.inbox, files.outbox, files.done("x").getParent(), files.error("x").getParent())) {
            assertThat(permissions(folder)).as(folder.toString()).isEqualTo("rwx------");
        }
        for (Path file : List.of(files.results("private.csv"), files.summaryFile("private.csv"),
                files.outbox.resolve("private.report.html"), files.done("private.csv"), files.error("private-error.csv"),
                files.error("private-error.reason.txt"))) {
            assertThat(permissions(file)).as(file.toString()).isEqualTo("rw-------");
        }
    }

    @Test
    void anInputWhoseCopyCannotBeKeptStaysInTheInboxAndIsNotProcessedAgain() throws Exception {
        Path done = files.done("x").getParent();
        Path moved = files.inbox.resolve(".done-moved");
        Files.createDirectories(done, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.move(done, moved);
        // .done/ is a link to a folder elsewhere: nothing is written through it, so the input cannot be put away
        Path target = Files.createDirectories(elsewhere.resolve("done-target"));
        Files.createSymbolicLink(done, target);
        try {
            files.drop("unkept.csv", "external_id,name,phone,ghtk_password\nU-1,Shop U,0912345614,unkept-Secret-1\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(files.summaryFile("unkept.csv")));
            var written = Files.getLastModifiedTime(files.summaryFile("unkept.csv"));

            // several polls later: still there, still not processed again, nothing written into the link's target
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                    Files.exists(files.inbox.resolve("unkept.csv"))
                            && Files.getLastModifiedTime(files.summaryFile("unkept.csv")).equals(written));
            try (Stream<Path> inTarget = Files.list(target)) {
                assertThat(inTarget).isEmpty();
            }
        } finally {
            Files.delete(done);
            Files.move(moved, done);
        }
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> batchNames() throws Exception {
        JsonNode batches = FileDrop.MAPPER.readTree(hub.get("/api/v1/batches").body());
        return batches.findValuesAsText("file");
    }

    /** Every regular file under the data dir holding these bytes (links are not followed, as the hub does not). */
    private static List<Path> filesHolding(byte[] bytes) throws Exception {
        String marker = new String(bytes, StandardCharsets.ISO_8859_1);
        try (Stream<Path> all = Files.walk(dataDir)) {
            return all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(marker);
                } catch (Exception e) {
                    return false;
                }
            }).toList();
        }
    }
}
