package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The updates file of a batch ({@code <name>.updates.ndjson}) and the {@code updates} of
 * {@code GET /api/v1/batches/{batchId}} (docs/contract.md "Updates of a batch"): when the merchant authorizes ITS
 * after the batch ended, the people working the worklist read that record's change as one line, without credentials,
 * in a private file that a link planted at its name never redirects.
 */
class BatchUpdatesTest {
    private static final Docs CONTRACT = Docs.read("docs/contract.md");
    private static final String UPDATES = "### Updates of a batch";
    @TempDir
    static Path dataDir;
    @TempDir
    static Path elsewhere;
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void start() throws Exception {
        hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.data-dir", dataDir.toString(),
                "hub.file.read-lock-min-age-ms", "500", "hub.webhooks.poll-ms", "100"));
        files = new FileDrop(dataDir);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void theMerchantAuthorizingItsAfterTheBatchIsOneLineOfItsUpdatesFileAndOfTheBatch() throws Exception {
        files.drop("shops.csv", csv("U-1", "U-2"));
        files.awaitDone("shops.csv");
        Map<Integer, JsonNode> results = files.results("shops.csv", 2);
        JsonNode waiting = byExternalId(results, "U-2");
        assertThat(byExternalId(results, "U-1").path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(waiting.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        String batchId = files.summary("shops.csv").path("batchId").asText();
        assertThat(batchId).isNotEmpty();
        Path updates = files.outbox.resolve("shops.updates.ndjson");
        assertThat(updates).as("no change yet: no updates file").doesNotExist();
        assertThat(batch(batchId).path("updates")).as("no change yet").isEqualTo(FileDrop.MAPPER.readTree("[]"));
        byte[] resultsBefore = Files.readAllBytes(files.results("shops.csv"));

        authorizeIts(waiting);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(updates));
        List<String> lines = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readAllLines(updates, StandardCharsets.UTF_8), l -> !l.isEmpty() && l.get(0).endsWith("}"));
        assertThat(Files.readString(updates, StandardCharsets.UTF_8)).as("one whole line").endsWith("}\n");
        assertThat(lines).as("exactly the ITS record's change: the finished record did not change").hasSize(1);
        JsonNode line = FileDrop.MAPPER.readTree(lines.get(0));
        String onboardingId = waiting.path("onboardingId").asText();
        assertThat(line.path("line").asInt()).isEqualTo(waiting.path("line").asInt());
        assertThat(line.path("batchId").asText()).isEqualTo(batchId);
        assertThat(line.path("type").asText()).isEqualTo("onboarding.updated");
        assertThat(line.path("onboardingId").asText()).isEqualTo(onboardingId);
        assertThat(line.path("externalId").asText()).isEqualTo("U-2");
        assertThat(line.path("client").asText()).isEqualTo("file:shops.csv");
        assertThat(line.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(line.at("/providers/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(line.path("timestamp").asText())).isBefore(Instant.now().plusSeconds(1));
        // ITS done, nothing waits: no merchantLink, the fields of the documented line exactly
        JsonNode documented = FileDrop.MAPPER.readTree(CONTRACT.codeBlock(UPDATES, "json", 0));
        assertThat(line.fieldNames()).toIterable().containsExactlyElementsOf(documented::fieldNames);

        HttpResponse<String> stored = hub.get("/api/v1/onboardings/" + onboardingId);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        JsonNode onboarding = FileDrop.MAPPER.readTree(stored.body());
        assertThat(onboarding.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(onboarding.at("/results/its/credentials").isEmpty()).as("ITS gave credentials").isFalse();
        assertNoCredentials(onboarding, lines.get(0));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(updates, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-------");
        assertThat(Files.readAllBytes(files.results("shops.csv"))).as("the results file is unchanged")
                .isEqualTo(resultsBefore);

        // the batch shows the same line, newest first
        JsonNode shown = batch(batchId).path("updates");
        assertThat(shown).hasSize(1);
        assertThat(shown.get(0)).isEqualTo(line);
    }

    @Test
    void whileAnotherProviderStillWaitsTheLineCarriesTheMerchantLink() throws Exception {
        files.drop("both.csv", "external_id,name,phone,providers,socdo_zalo_user_id\n"
                + "B-1,Shop B-1,0912345603,its;socdo,100000409\n");
        files.awaitDone("both.csv");
        JsonNode waiting = files.results("both.csv", 1).get(1);
        assertThat(waiting.at("/results/socdo/action/type").asText()).isEqualTo("LOGIN");
        Path updates = files.outbox.resolve("both.updates.ndjson");

        authorizeIts(waiting);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(updates) && Files.readString(updates).endsWith("}\n"));
        List<String> lines = Files.readAllLines(updates, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode line = FileDrop.MAPPER.readTree(lines.get(0));
        assertThat(line.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(line.at("/providers/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(line.at("/providers/socdo/status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(line.path("merchantLink")).as("Socdo still waits: the same link").isEqualTo(waiting.path("merchantLink"));
        List<String> documented = new ArrayList<>();
        FileDrop.MAPPER.readTree(CONTRACT.codeBlock(UPDATES, "json", 0)).fieldNames().forEachRemaining(documented::add);
        documented.add("merchantLink");
        assertThat(line.fieldNames()).toIterable().containsExactlyInAnyOrderElementsOf(documented);
        assertNoCredentials(FileDrop.MAPPER.readTree(hub.get("/api/v1/onboardings/" + line.path("onboardingId").asText()).body()),
                lines.get(0));
    }

    @Test
    void aSymbolicLinkPlantedAtTheUpdatesFileIsReplacedNeverWrittenThrough() throws Exception {
        files.drop("linked.csv", csv("L-1", "L-2"));
        files.awaitDone("linked.csv");
        JsonNode waiting = byExternalId(files.results("linked.csv", 2), "L-2");
        Path target = Files.writeString(elsewhere.resolve("target.txt"), "not the hub's\n");
        Path updates = files.outbox.resolve("linked.updates.ndjson");
        Files.createSymbolicLink(updates, target);

        authorizeIts(waiting);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.isRegularFile(updates, LinkOption.NOFOLLOW_LINKS) && Files.readString(updates).endsWith("}\n"));
        assertThat(Files.readString(target)).as("the link's target is untouched").isEqualTo("not the hub's\n");
        assertThat(Files.isSymbolicLink(updates)).isFalse();
        List<String> lines = Files.readAllLines(updates, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode line = FileDrop.MAPPER.readTree(lines.get(0));
        assertThat(line.path("onboardingId").asText()).isEqualTo(waiting.path("onboardingId").asText());
        assertThat(line.path("line").asInt()).isEqualTo(waiting.path("line").asInt());
        assertThat(line.path("batchId").asText()).isEqualTo(files.summary("linked.csv").path("batchId").asText());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(updates, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-------");
    }

    @Test
    void aHardLinkPlantedAtTheUpdatesFileIsReplacedNeverWrittenThrough() throws Exception {
        files.drop("hard.csv", csv("H-1", "H-2"));
        files.awaitDone("hard.csv");
        JsonNode waiting = byExternalId(files.results("hard.csv", 2), "H-2");
        Path target = Files.writeString(elsewhere.resolve("hard-target.txt"), "not the hub's\n");
        Path updates = files.outbox.resolve("hard.updates.ndjson");
        Files.createLink(updates, target);

        authorizeIts(waiting);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(updates).endsWith("}\n"));
        assertThat(Files.readString(target)).as("the other name's file is untouched").isEqualTo("not the hub's\n");
        assertThat(Files.getAttribute(updates, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1);
        List<String> lines = Files.readAllLines(updates, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        assertThat(FileDrop.MAPPER.readTree(lines.get(0)).path("onboardingId").asText())
                .isEqualTo(waiting.path("onboardingId").asText());
    }

    /** Two records: the first Ahamove only (done at once), the second ITS only (waits for the merchant). */
    private static String csv(String done, String its) {
        return "external_id,name,phone,providers\n"
                + done + ",Shop " + done + ",0912345601,ahamove\n"
                + its + ",Shop " + its + ",0912345602,its\n";
    }

    private static JsonNode byExternalId(Map<Integer, JsonNode> results, String externalId) {
        return results.values().stream().filter(r -> r.path("externalId").asText().equals(externalId)).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + externalId + " in " + results.values()));
    }

    private static JsonNode batch(String batchId) throws Exception {
        HttpResponse<String> response = hub.get("/api/v1/batches/" + batchId);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return FileDrop.MAPPER.readTree(response.body());
    }

    /**
     * The merchant opens the link of the result, presses the ITS button, logs in at ITS (the sandbox) and comes back
     * through the hub's callback to the page.
     */
    private static void authorizeIts(JsonNode result) throws Exception {
        String page = result.at("/merchantLink/url").asText();
        assertThat(page).startsWith(hub.url("/m/"));
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> pressed = browser.send(HttpRequest.newBuilder(URI.create(page + "/its")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pressed.statusCode()).as(pressed.body()).isEqualTo(303);
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(pressed.headers().firstValue("Location")
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> back = browser.send(HttpRequest.newBuilder(URI.create(login.headers().firstValue("Location")
                .orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(back.headers().firstValue("Location")).as(back.body()).hasValue(page);
    }

    /** No credential of the stored onboarding (as a read-all client reads it) in the text. */
    private static void assertNoCredentials(JsonNode onboarding, String text) {
        assertThat(text).doesNotContain("credentials");
        List<String> values = new ArrayList<>();
        for (JsonNode provider : onboarding.path("results")) {
            provider.path("credentials").forEach(v -> values.add(v.asText()));
        }
        assertThat(values).isNotEmpty();
        for (String value : values) {
            assertThat(text).doesNotContain(value);
        }
    }
}
