package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.HubProcess;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.providers.socdo.SocdoSandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub as its own process, stopped the hard way (SIGKILL in the middle of a batch) and the gentle way (SIGTERM
 * during a request): nothing accepted is lost, nothing finished is done twice.
 */
class CrashResumeTest {
    private static final int RECORDS = 1500;
    private static final int CONCURRENCY = 8;
    private static final String AHAMOVE = "/ahamove/v1/partner/register_account";
    /** Every 50th record also asks Socdo, which answers LOGIN: it waits for the merchant (a worklist row). */
    private static final int WAITING_EVERY = 50;
    private static final SocdoSandbox SOCDO = new SocdoSandbox();

    @TempDir
    Path dataDir;
    private final WireMockServer provider = new WireMockServer(options().dynamicPort().containerThreads(32));
    private final HttpClient http = HttpClient.newHttpClient();
    private HubProcess hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.killAll();
        }
        provider.stop();
    }

    /** The hub as a child process, Ahamove at the simulator. */
    private HubProcess hub() throws IOException {
        Map<String, String> properties = new LinkedHashMap<>(Map.of(
                "hub.file.concurrency", String.valueOf(CONCURRENCY),
                "hub.file.read-lock-min-age-ms", "200",
                "hub.providers.ahamove.base-url", provider.baseUrl() + "/ahamove",
                "hub.providers.ahamove.api-key", "aha-key",
                "hub.providers.socdo.base-url", provider.baseUrl() + "/socdo"));
        SOCDO.credentials().forEach((key, value) -> properties.put("hub.providers.socdo." + key, value));
        return new HubProcess(dataDir, properties);
    }

    @Test
    void aBatchInterruptedByKillResumesAndEveryRecordGetsExactlyOneResult() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")
                .withFixedDelay(20)));
        SOCDO.register(provider, "/socdo");
        hub = hub();
        FileDrop files = new FileDrop(dataDir);
        StringBuilder csv = new StringBuilder("external_id,name,phone,providers,socdo_zalo_user_id\n");
        for (int i = 1; i <= RECORDS; i++) {
            csv.append(i % WAITING_EVERY == 0 ? "M-%d,Shop %d,0912%06d,ahamove;socdo,%d409\n".formatted(i, i, i, i)
                    : "M-%d,Shop %d,0912%06d,ahamove,\n".formatted(i, i, i));
        }

        Process first = hub.start("batch-first.log");
        files.drop("merchants.csv", csv.toString());
        Path results = files.results("merchants.csv");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(results) && lineCount(results) >= RECORDS / 3);
        JsonNode running = FileDrop.MAPPER.readTree(hub.get("/api/v1/batches").body()).get(0);
        assertThat(running.path("status").asText()).isEqualTo("RUNNING");
        assertThat(running.path("total").asInt()).isEqualTo(RECORDS);
        assertThat(running.path("finishedAt").isNull()).isTrue();
        first.destroyForcibly().waitFor();
        int callsBeforeKill = provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).size();
        assertThat(callsBeforeKill).as("killed in the middle").isLessThan(RECORDS);

        hub.start("batch-second.log");
        files.awaitDone("merchants.csv");

        Map<Integer, JsonNode> lines = files.results("merchants.csv", RECORDS);
        assertThat(lines.keySet()).containsExactlyElementsOf(Stream.iterate(1, i -> i + 1).limit(RECORDS).toList());
        lines.forEach((line, r) -> assertThat(r.path("status").asText()).as("line %d", line)
                .isEqualTo(line % WAITING_EVERY == 0 ? "ACTION_REQUIRED" : "SUCCEEDED"));
        // the worklist, written again by the resumed run: exactly one row per waiting record, with its link
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.builder().setReader(Files.newBufferedReader(
                        files.outbox.resolve("merchants.actions.csv"), StandardCharsets.UTF_8))
                .setFormat(CSVFormat.DEFAULT.builder().setHeader().get()).get()) {
            rows = parser.getRecords();
        }
        assertThat(rows.stream().map(r -> Integer.parseInt(r.get(0))).sorted().toList())
                .isEqualTo(Stream.iterate(WAITING_EVERY, i -> i + WAITING_EVERY).limit(RECORDS / WAITING_EVERY).toList());
        assertThat(rows).allSatisfy(r -> assertThat(r.get("merchant_link"))
                .isEqualTo(lines.get(Integer.parseInt(r.get(0))).at("/merchantLink/url").asText()).isNotEmpty());
        // every merchant was registered; only the calls in flight at the kill could be made twice
        Map<String, Long> callsPerPhone = provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).stream()
                .collect(Collectors.groupingBy(r -> r.queryParameter("mobile").firstValue(), Collectors.counting()));
        assertThat(callsPerPhone).hasSize(RECORDS);
        assertThat(callsPerPhone.values().stream().filter(n -> n > 1).count()).isLessThanOrEqualTo(CONCURRENCY);
        JsonNode summary = FileDrop.MAPPER.readTree(files.summaryFile("merchants.csv").toFile());
        assertThat(summary.path("records").asInt()).isEqualTo(RECORDS);
        // one batch, resumed under the same id, now COMPLETED
        JsonNode batches = FileDrop.MAPPER.readTree(hub.get("/api/v1/batches").body());
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).path("file").asText()).isEqualTo("merchants.csv");
        assertThat(batches.get(0).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(batches.get(0).path("total").asInt()).isEqualTo(RECORDS);
        assertThat(batches.get(0).path("processed").asInt()).isEqualTo(RECORDS);
    }

    @Test
    void aGracefulStopLetsAnOnboardingInFlightFinish() throws Exception {
        provider.start();
        provider.stubFor(get(urlPathEqualTo(AHAMOVE)).willReturn(okJson("{\"token\": \"t\", \"refresh_token\": \"r\"}")
                .withFixedDelay(3000)));
        hub = hub();
        Process running = hub.start("graceful.log");

        CompletableFuture<HttpResponse<String>> reply = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + hub.port + "/api/v1/onboardings"))
                .header("X-API-Key", TestHub.API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"merchant": {"externalId": "M-1", "name": "Shop", "phone": "0912345678"}, "providers": ["ahamove"]}""")).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> !provider.findAll(getRequestedFor(urlPathEqualTo(AHAMOVE))).isEmpty());
        running.destroy(); // SIGTERM

        HttpResponse<String> response = reply.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(FileDrop.MAPPER.readTree(response.body()).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    private static long lineCount(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }
}
