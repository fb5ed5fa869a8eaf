package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The file-drop channel of docs/contract.md "File drop" end to end: real files in the inbox of a real hub in sandbox mode (the
 * built-in provider simulators), results, summary, .done and .error as a user finds them.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.file.read-lock-min-age-ms=700", "hub.file.concurrency=4"})
class FileDropTest {
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void files() {
        files = new FileDrop(hub.dataDir());
    }

    @Test
    void csvWithBomCrlfQuotedFieldsOddColumnOrderAndUnknownColumns() throws Exception {
        String csv = "\uFEFF" + String.join("\r\n",
                "Phone,notes,name,External_ID,providers,ghtk_password,email,address,lat,lng",
                "0912 345 678,\"likes, commas\",\"Trần \"\"B\"\", Co\",\"M-1, Quận 1\",ahamove;ghtk,csv-Secret-1,b@example.vn,"
                        + "\"12 Lê Lợi,\r\nQuận 1\",10.7769,106.7009",
                "+84 912 345 679,,Shop Two,\"M-2\nsecond line\",ahamove; ghtk,wrong-password,c@example.vn,,,",
                "0912,,Bad Phone,M-3,ahamove,,,,,",
                "0912345680,,,M-4,ahamove,,,,,",
                "0912345681,,Bad Lat,M-5,ahamove,,,,north,106.7",
                "");

        files.drop("merchants.csv", csv);
        files.awaitDone("merchants.csv");

        Map<Integer, JsonNode> results = files.results("merchants.csv", 5);
        assertThat(results.keySet()).containsExactly(1, 2, 3, 4, 5);
        assertThat(results.get(1).path("externalId").asText()).isEqualTo("M-1, Quận 1");
        assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(1).at("/results/ghtk/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(2).path("externalId").asText()).isEqualTo("M-2\nsecond line");
        assertThat(results.get(2).path("status").asText()).isEqualTo("PARTIAL");
        assertThat(results.get(2).at("/results/ghtk/error/code").asText()).isEqualTo("INVALID_CREDENTIALS");
        assertInvalid(results.get(3), "merchant.phone");
        assertInvalid(results.get(4), "merchant.name");
        assertInvalid(results.get(5), "merchant.lat");
        assertThat(results.get(3).path("externalId").asText()).isEqualTo("M-3");

        JsonNode summary = files.summary("merchants.csv");
        assertThat(summary.path("records").asInt()).isEqualTo(5);
        assertThat(summary.at("/byStatus/SUCCEEDED").asInt()).isEqualTo(1);
        assertThat(summary.at("/byStatus/PARTIAL").asInt()).isEqualTo(1);
        assertThat(summary.at("/byStatus/ACTION_REQUIRED").asInt()).isZero();
        assertThat(summary.at("/byStatus/FAILED").asInt()).isEqualTo(3);
        assertThat(summary.at("/byProvider/ahamove/SUCCEEDED").asInt()).isEqualTo(2);
        assertThat(summary.at("/byProvider/ghtk/SUCCEEDED").asInt()).isEqualTo(1);
        assertThat(summary.at("/byProvider/ghtk/FAILED").asInt()).isEqualTo(1);
        assertThat(summary.at("/byErrorCode/INVALID_REQUEST").asInt()).isEqualTo(3);
        assertThat(summary.at("/byErrorCode/INVALID_CREDENTIALS").asInt()).isEqualTo(1);

        String done = Files.readString(files.done("merchants.csv"));
        assertThat(done).contains("M-1, Quận 1", "***").doesNotContain("csv-Secret-1", "wrong-password");
        assertThat(files.filesContaining("csv-Secret-1")).isEmpty();
        assertThat(files.filesContaining("wrong-password")).isEmpty();
    }

    @Test
    void ndjsonMalformedLineIsItsOwnFailedRecordAndTheBatchGoesOn() throws Exception {
        String ndjson = String.join("\n",
                "{\"merchant\": {\"externalId\": \"N-1\", \"name\": \"Shop N1\", \"phone\": \"0912345682\"}, \"providers\": [\"ahamove\"]}",
                "{\"merchant\": {\"externalId\": \"N-2\" oops, \"ghtk\": {\"password\": \"ndjson-Secret-1\"}",
                "",
                "{\"merchant\": {\"externalId\": \"N-3\", \"name\": \"Shop N3\", \"phone\": \"0912345683\", \"email\": \"n3@example.vn\"},"
                        + " \"providers\": [\"ghtk\"], \"ghtk\": {\"password\": \"ndjson-Secret-2\"}}",
                "");

        files.drop("bus-export.ndjson", ndjson);
        files.awaitDone("bus-export.ndjson");

        Map<Integer, JsonNode> results = files.results("bus-export.ndjson", 3);
        assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
        assertInvalid(results.get(2), "$");
        assertThat(results.get(3).path("externalId").asText()).isEqualTo("N-3");
        assertThat(results.get(3).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(results.get(3).at("/results/ghtk/credentials").isMissingNode()).as("credentials left out").isTrue();
        assertThat(files.summary("bus-export.ndjson").path("records").asInt()).isEqualTo(3);

        assertThat(Files.readString(files.done("bus-export.ndjson"))).contains("N-2", "***");
        assertThat(files.filesContaining("ndjson-Secret-1")).isEmpty();
        assertThat(files.filesContaining("ndjson-Secret-2")).isEmpty();
    }

    @Test
    void fileThatIsNotUtf8GoesToErrorWithTheReason() throws Exception {
        byte[] utf16 = "external_id,name,phone\nM-9,Nguy\u1EC5n,0912345684\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] binary = new byte[512];
        new java.util.Random(7).nextBytes(binary);
        binary[0] = (byte) 0xC3; // a UTF-8 lead byte followed by a non-continuation byte
        binary[1] = (byte) 0x28;

        files.drop("photo.csv", binary);
        files.drop("utf16.csv", utf16);
        files.awaitError("photo.csv");
        files.awaitError("utf16.csv");

        assertThat(Files.readString(files.error("photo.reason.txt"))).contains("UTF-8");
        assertThat(Files.readAllBytes(files.error("photo.csv"))).isEqualTo(binary);
        assertThat(files.results("photo.csv")).doesNotExist();
        assertThat(files.error("utf16.reason.txt")).exists();
    }

    @Test
    void csvHeaderWithoutPhoneGoesToErrorWithSecretsMasked() throws Exception {
        files.drop("no-phone.csv", "external_id,name,ghtk_password\nM-10,Shop Ten,header-Secret-1\n");
        files.awaitError("no-phone.csv");

        assertThat(Files.readString(files.error("no-phone.reason.txt"))).contains("phone");
        assertThat(Files.readString(files.error("no-phone.csv"))).contains("M-10", "***").doesNotContain("header-Secret-1");
        assertThat(files.results("no-phone.csv")).doesNotExist();
        assertThat(files.filesContaining("header-Secret-1")).isEmpty();
    }

    @Test
    void fileStillBeingWrittenIsNotPickedUpBeforeItIsComplete() throws Exception {
        int records = 30;
        Path file = files.inbox.resolve("slow-writer.csv");
        Files.createDirectories(files.inbox);
        AtomicInteger written = new AtomicInteger();
        AtomicBoolean pickedUpEarly = new AtomicBoolean();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            out.write("external_id,name,phone,providers\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            // a record every 100 ms: well within the 700 ms the file must stay unmodified before it is picked up
            writer.scheduleAtFixedRate(() -> {
                if (written.get() == records) {
                    return;
                }
                pickedUpEarly.compareAndSet(false, !Files.exists(file) || Files.exists(files.results("slow-writer.csv")));
                int i = written.get() + 1;
                try {
                    out.write(("S-" + i + ",Slow " + i + ",09123456" + String.format("%02d", i) + ",ahamove\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                written.set(i);
            }, 100, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(20)).untilAtomic(written, equalTo(records));
        } finally {
            writer.shutdownNow();
        }
        files.awaitDone("slow-writer.csv");

        assertThat(pickedUpEarly).as("picked up while being written").isFalse();
        assertThat(files.results("slow-writer.csv", records).keySet()).containsExactlyElementsOf(
                IntStream.rangeClosed(1, records).boxed().toList());
        assertThat(files.summary("slow-writer.csv").path("records").asInt()).isEqualTo(records);
    }

    @Test
    void everyRecordGetsExactlyOneResultEvenWhenProvidersFail() throws Exception {
        int records = 120;
        StringBuilder csv = new StringBuilder("external_id,name,phone,providers\n");
        for (int i = 1; i <= records; i++) {
            // the Ahamove simulator answers a phone ending in 500 with a 500 (retried, then FAILED), 403 with a locked account
            String phone = switch (i % 4) {
                case 0 -> "0912340500";
                case 1 -> "0912340403";
                case 2 -> "not-a-phone";
                default -> "0912340" + String.format("%03d", i);
            };
            csv.append("B-").append(i).append(",Shop ").append(i).append(',').append(phone).append(",ahamove\n");
        }

        files.drop("bulk.csv", csv.toString());
        files.awaitDone("bulk.csv");

        Map<Integer, JsonNode> results = files.results("bulk.csv", records);
        assertThat(results.keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, records).boxed().toList());
        results.forEach((line, result) -> assertThat(result.path("externalId").asText()).isEqualTo("B-" + line));
        JsonNode summary = files.summary("bulk.csv");
        assertThat(summary.path("records").asInt()).isEqualTo(records);
        assertThat(summary.at("/byStatus/SUCCEEDED").asInt()).isEqualTo(records / 4);
        assertThat(summary.at("/byStatus/FAILED").asInt()).isEqualTo(records * 3 / 4);
        assertThat(summary.at("/byErrorCode/INVALID_REQUEST").asInt()).isEqualTo(records / 4);
        assertThat(summary.at("/byErrorCode/PROVIDER_ERROR").asInt()).isEqualTo(records / 4);
        assertThat(summary.at("/byErrorCode/ACCOUNT_LOCKED").asInt()).isEqualTo(records / 4);
    }

    private static void assertInvalid(JsonNode result, String field) {
        assertThat(result.path("status").asText()).isEqualTo("FAILED");
        assertThat(result.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(result.at("/error/violations").findValuesAsText("field")).contains(field);
    }
}
