package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worklist of a batch ({@code <name>.actions.csv}) and {@code GET /api/v1/batches/{batchId}}, with the examples of
 * docs/contract.md as written there: a batch of mixed results in the sandbox lists exactly the records that wait for
 * the merchant, in a file a spreadsheet opens safely, and the API counts the batch's onboardings.
 */
class FileDropWorklistTest {
    private static final Docs CONTRACT = Docs.read("docs/contract.md");
    private static final String WORKLIST = "### Worklist of a batch";
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    @TempDir
    static Path dataDir;
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void start() throws Exception {
        hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.data-dir", dataDir.toString(),
                "hub.file.read-lock-min-age-ms", "500", "hub.api.clients.sales.keys", "sales-key"));
        files = new FileDrop(dataDir);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void theWorklistListsExactlyTheRecordsWaitingForTheMerchantAsInertSpreadsheetCells() throws Exception {
        files.drop("shops.csv", CONTRACT.codeBlock(WORKLIST, "csv", 0));
        files.awaitDone("shops.csv");
        Map<Integer, JsonNode> results = files.results("shops.csv", 5);
        assertThat(results.values()).extracting(r -> r.path("status").asText())
                .containsExactly("SUCCEEDED", "ACTION_REQUIRED", "PARTIAL", "FAILED", "FAILED");

        Path actions = files.outbox.resolve("shops.actions.csv");
        byte[] bytes = Files.readAllBytes(actions);
        assertThat(bytes).as("UTF-8 with a byte order mark").startsWith(BOM);
        String text = new String(bytes, BOM.length, bytes.length - BOM.length, StandardCharsets.UTF_8);
        assertThat(text).as("CRLF").endsWith("\r\n").doesNotContainPattern("[^\r]\n");
        try (CSVParser withHeader = CSVParser.builder().setReader(new StringReader(text))
                .setFormat(CSVFormat.DEFAULT.builder().setHeader().get()).get()) {
            assertThat(withHeader.getHeaderNames()).containsExactly(ActionsWriter.HEADER);
            assertThat(withHeader.getRecords()).hasSize(2).allSatisfy(r -> assertThat(r.isConsistent()).isTrue());
        }
        List<CSVRecord> rows = parse(text);
        List<CSVRecord> documented = parse(CONTRACT.codeBlock(WORKLIST, "csv", 1));
        assertThat(rows.get(0).values()).as("the header").containsExactly(documented.get(0).values())
                .containsExactly(ActionsWriter.HEADER);

        // the data rows (in the order records finished), by line: exactly the two records that wait, as documented
        List<CSVRecord> data = new ArrayList<>(rows.subList(1, rows.size()));
        data.sort(Comparator.comparingInt(r -> Integer.parseInt(r.get(0))));
        assertThat(data).hasSize(documented.size() - 1);
        for (int i = 0; i < data.size(); i++) {
            CSVRecord row = data.get(i);
            CSVRecord expected = documented.get(i + 1);
            assertThat(row.values()).hasSize(ActionsWriter.HEADER.length);
            assertThat(List.of(row.values()).subList(0, 5)).as("line %s", row.get(0))
                    .isEqualTo(List.of(expected.values()).subList(0, 5));
            // the link each result carries, not a secret: only the page of that onboarding
            JsonNode link = results.get(Integer.parseInt(row.get(0))).path("merchantLink");
            assertThat(row.get(5)).isEqualTo(link.path("url").asText()).startsWith(hub.url("/m/"));
            assertThat(row.get(6)).isEqualTo(link.path("expiresAt").asText());
            assertThat(Instant.parse(row.get(6))).isAfter(Instant.now());
        }
        assertThat(data.get(1).get(2)).as("inert: shown as text, never run")
                .isEqualTo("'=HYPERLINK(\"http://x\",\"y\")");
        assertThat(text).as("a formula cell is quoted too").contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assertThat(text).doesNotContain("password", "token\"");
    }

    @Test
    void oneBatchIsCountedByStatusWithTheRecordsWaitingForTheMerchant() throws Exception {
        files.drop("counted.csv", CONTRACT.codeBlock(WORKLIST, "csv", 0));
        files.awaitDone("counted.csv");
        String batchId = files.summary("counted.csv").path("batchId").asText();
        assertThat(batchId).as("summary.json names its batch").isNotEmpty();
        JsonNode listed = FileDrop.MAPPER.readTree(hub.get("/api/v1/batches").body());
        assertThat(listed.findValuesAsText("batchId")).contains(batchId);

        HttpResponse<String> response = hub.get("/api/v1/batches/" + batchId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode batch = FileDrop.MAPPER.readTree(response.body());
        JsonNode documented = FileDrop.MAPPER.readTree(CONTRACT.codeBlock("## REST API", "json", 0));
        assertThat(batch.fieldNames()).toIterable().containsExactlyElementsOf(documented::fieldNames);
        JsonNode schemas = FileDrop.MAPPER.readTree(hub.get("/api/v1/openapi.json", null).body()).at("/components/schemas");
        List<String> described = new ArrayList<>();
        schemas.at("/Batch/properties").fieldNames().forEachRemaining(described::add);
        schemas.at("/BatchDetails/allOf/1/properties").fieldNames().forEachRemaining(described::add);
        assertThat(described).as("the OpenAPI document").containsExactlyElementsOf(documented::fieldNames);
        assertThat(schemas.at("/BatchDetails/allOf/1/properties/counts/properties").fieldNames()).toIterable()
                .containsExactlyElementsOf(() -> batch.path("counts").fieldNames());
        assertThat(batch.path("batchId").asText()).isEqualTo(batchId);
        assertThat(batch.path("file").asText()).isEqualTo("counted.csv");
        for (String field : List.of("status", "total", "processed", "counts", "waitingForMerchant")) {
            assertThat(batch.path(field)).as(field).isEqualTo(documented.path(field));
        }
        assertThat(Instant.parse(batch.path("finishedAt").asText())).isAfterOrEqualTo(Instant.parse(batch.path("startedAt").asText()));
    }

    @Test
    void aRecordWithItsOwnRequestIdIsCountedInItsBatch() throws Exception {
        files.drop("own-ids.ndjson", String.join("\n",
                "{\"requestId\": \"own-1\", \"merchant\": {\"externalId\": \"N-1\", \"name\": \"Shop N\", \"phone\": \"0912345201\"},"
                        + " \"providers\": [\"socdo\"], \"socdo\": {\"zaloUserId\": \"300000409\"}}",
                "{\"requestId\": \"own-2\", \"merchant\": {\"externalId\": \"N-2\", \"name\": \"Shop O\", \"phone\": \"0912345202\"},"
                        + " \"providers\": [\"ahamove\"]}",
                ""));
        files.awaitDone("own-ids.ndjson");
        JsonNode batch = FileDrop.MAPPER.readTree(hub.get("/api/v1/batches/"
                + files.summary("own-ids.ndjson").path("batchId").asText()).body());
        assertThat(batch.path("counts")).isEqualTo(FileDrop.MAPPER.readTree(
                "{\"SUCCEEDED\": 1, \"PARTIAL\": 0, \"ACTION_REQUIRED\": 1, \"FAILED\": 0}"));
        assertThat(batch.path("waitingForMerchant").asInt()).isEqualTo(1);
        List<CSVRecord> rows = parse(Files.readString(files.outbox.resolve("own-ids.actions.csv")).substring(1));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).get(1)).as("external_id").isEqualTo("N-1");
        assertThat(rows.get(1).get(4)).as("providers").isEqualTo("socdo");
    }

    @Test
    void oneBatchIsForReadAllClientsAndAnUnknownIdIs404() throws Exception {
        HttpResponse<String> unknown = hub.get("/api/v1/batches/00000000-0000-0000-0000-000000000000");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(FileDrop.MAPPER.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("NOT_FOUND");

        HttpResponse<String> notReadAll = hub.get("/api/v1/batches/00000000-0000-0000-0000-000000000000", "sales-key");
        assertThat(notReadAll.statusCode()).isEqualTo(403);
        assertThat(FileDrop.MAPPER.readTree(notReadAll.body()).at("/error/code").asText()).isEqualTo("FORBIDDEN");
        assertThat(hub.get("/api/v1/batches/x", null).statusCode()).isEqualTo(401);
    }

    /** Every row, the header included. */
    private static List<CSVRecord> parse(String csv) throws Exception {
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(csv)).setFormat(CSVFormat.DEFAULT).get()) {
            return parser.getRecords();
        }
    }
}
