package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No record is held beyond the limits and none is lost silently: an oversized or malformed record fails alone with a
 * result naming its line, a file whose records cannot be told apart goes to .error/ naming the line, and the summary's
 * counts add up to the records read. (The 40 MB field also runs in a 256 MB heap: {@code -DargLine=-Xmx256m}.)
 */
@WithHub({"hub.sandbox.enabled=true", "hub.file.read-lock-min-age-ms=300", "hub.file.concurrency=4"})
class FileDropRecordLimitsTest {
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void files() {
        files = new FileDrop(hub.dataDir());
    }

    @Test
    void aFortyMegabyteFieldFailsItsRecordAloneAndTheNextFileIsProcessed() throws Exception {
        Path hidden = files.inbox.resolve(".huge.csv");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(hidden))) {
            out.write("external_id,name,phone,providers\nL-1,Shop L1,0912345621,ahamove\nL-2,\"".getBytes(StandardCharsets.UTF_8));
            // a quoted value of 40 MB with escaped quotes, commas and line breaks in it, streamed to disk
            byte[] chunk = "ab\"\"c,d\nefgh".repeat(1024).getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written < 40L * 1024 * 1024; written += chunk.length) {
                out.write(chunk);
            }
            out.write("\",0912345622,ahamove\nL-3,Shop L3,0912345623,ahamove\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.move(hidden, files.inbox.resolve("huge.csv"));
        files.drop("after-huge.csv", "external_id,name,phone,providers\nL-4,Shop L4,0912345624,ahamove\n");

        files.awaitDone("huge.csv");
        files.awaitDone("after-huge.csv");

        Map<Integer, JsonNode> results = files.results("huge.csv", 3);
        assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(2).path("status").asText()).isEqualTo("FAILED");
        assertThat(results.get(2).at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(results.get(2).at("/error/message").asText()).contains("line 3", "65536 characters");
        assertThat(results.get(3).path("externalId").asText()).isEqualTo("L-3");
        assertThat(results.get(3).path("status").asText()).isEqualTo("SUCCEEDED");
        assertCountsAddUp("huge.csv", 3);
        assertThat(files.results("after-huge.csv", 1).get(1).path("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void ndjsonLinesAndValuesOverTheLimitsFailAlone() throws Exception {
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        ndjson.writeBytes(line("J-1", "Shop J1"));
        ndjson.writeBytes(line("J-2", "x".repeat(2 * 1024 * 1024)));
        ndjson.writeBytes(line("J-3", "y".repeat(100 * 1024)));
        ndjson.writeBytes(line("J-4", "Shop J4"));

        files.drop("long-lines.ndjson", ndjson.toByteArray());
        files.awaitDone("long-lines.ndjson");

        Map<Integer, JsonNode> results = files.results("long-lines.ndjson", 4);
        assertThat(results.get(2).at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(results.get(2).at("/error/message").asText()).contains("line 2", "1048576 characters");
        assertThat(results.get(3).at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(results.get(3).at("/error/message").asText()).contains("line 3", "65536 characters");
        assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(4).path("status").asText()).isEqualTo("SUCCEEDED");
        assertCountsAddUp("long-lines.ndjson", 4);
    }

    @Test
    void anUnterminatedQuoteSendsTheFileToErrorNamingItsLine() throws Exception {
        String csv = "external_id,name,phone,providers\n"
                + "Q-1,Shop Q1,0912345631,ahamove\n"
                + "Q-2,Shop Q2,0912345632,ahamove\n"
                + "Q-3,Shop Q3,0912345633,ahamove\n"
                + "Q-4,\"Shop Q4,0912345634,ahamove\n"
                + "Q-5,Shop Q5,0912345635,ahamove\n"
                + "Q-6,Shop Q6,0912345636,ahamove\n";

        files.drop("open-quote.csv", csv);
        files.awaitError("open-quote.csv");

        String reason = Files.readString(files.error("open-quote.reason.txt"));
        assertThat(reason).contains("line 5", "quote").doesNotContain("Shop Q4", "Q-4");
        assertThat(files.results("open-quote.csv")).doesNotExist();
        assertThat(files.inbox.resolve("open-quote.csv")).doesNotExist();
        assertThat(Files.readString(files.error("open-quote.csv"))).isEqualTo(csv);
    }

    @Test
    void malformedCsvRecordsEachGetAResultNamingTheLineAndCountsAddUp() throws Exception {
        String csv = "external_id,name,phone,providers\n"
                + "W-1,Shop W1,0912345641,ahamove\n"
                + "W-2,Shop, W2,0912345642,ahamove\n"
                + "W-3,Shop W3\n"
                + "W-4,Shop\0W4,0912345644,ahamove\n"
                + "\n"
                + "W-5,\"Shop\nW5\",0912345645,ahamove\n"
                + "W-6,Shop W6,0912345646,ahamove\n";

        files.drop("malformed.csv", csv);
        files.awaitDone("malformed.csv");

        Map<Integer, JsonNode> results = files.results("malformed.csv", 6);
        assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
        assertRefused(results.get(2), "line 3", "5 values where the header has 4");
        assertRefused(results.get(3), "line 4", "2 values where the header has 4");
        assertRefused(results.get(4), "line 5", "NUL");
        assertThat(results.get(5).path("externalId").asText()).isEqualTo("W-5");
        assertThat(results.get(5).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(6).path("externalId").asText()).isEqualTo("W-6");
        assertCountsAddUp("malformed.csv", 6);
        for (JsonNode result : results.values()) {
            assertThat(result.toString()).doesNotContain("Exception", "java.", "Shop W2", "Shop W3");
        }
    }

    @Test
    void bytesThatAreNotUtf8InTheMiddleSendTheFileToErrorNamingTheLine() throws Exception {
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes("external_id,name,phone\nE-1,Shop E1,0912345651\nE-2,Shop ".getBytes(StandardCharsets.UTF_8));
        csv.write(0xFF);
        csv.writeBytes(",0912345652\nE-3,Shop E3,0912345653\n".getBytes(StandardCharsets.UTF_8));

        files.drop("latin.csv", csv.toByteArray());
        files.awaitError("latin.csv");

        assertThat(Files.readString(files.error("latin.reason.txt"))).contains("line 3", "UTF-8").doesNotContain("Shop");
        assertThat(files.results("latin.csv")).doesNotExist();
    }

    private static byte[] line(String externalId, String name) {
        return ("{\"merchant\": {\"externalId\": \"" + externalId + "\", \"name\": \"" + name
                + "\", \"phone\": \"0912345600\"}, \"providers\": [\"ahamove\"]}\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void assertRefused(JsonNode result, String... words) {
        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.at("/error/message").asText()).contains(words);
    }

    /** The summary counts every record read, once. */
    private static void assertCountsAddUp(String name, int records) throws Exception {
        JsonNode summary = files.summary(name);
        assertThat(summary.path("records").asInt()).isEqualTo(records);
        int byStatus = 0;
        for (JsonNode count : summary.path("byStatus")) {
            byStatus += count.asInt();
        }
        assertThat(byStatus).isEqualTo(records);
    }
}
