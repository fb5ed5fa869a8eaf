package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /observe/metrics} on the management port as Prometheus scrapes it: the hub's own meters, named and labelled
 * as docs/operations.md and the Grafana dashboard expect, counting each HTTP call to a provider with its outcome.
 */
@WithHub({"hub.sandbox.enabled=true"})
class MetricsTest {
    static TestHub hub;
    final ObjectMapper mapper = new ObjectMapper();


    @Test
    void providerCallsAreCountedPerHttpCallWithTheirOutcomeAndTimed() throws Exception {
        // Ahamove 503 three times (retried), GHTK success:false at HTTP 200, ITS AuthorizeShop + CurrentShop
        HttpResponse<String> response = hub.post("/api/v1/onboardings", """
                {"merchant": {"externalId": "MT-1", "name": "Metrics Shop", "phone": "0912345503", "email": "m@example.vn"},
                 "providers": ["ahamove", "ghtk", "its"],
                 "ghtk": {"password": "wrong-password"}, "its": {"shopId": "4242"}}""");
        JsonNode result = mapper.readTree(response.body());
        assertThat(result.at("/results/ahamove/error/code").asText()).as(response.body()).isEqualTo("PROVIDER_UNAVAILABLE");
        assertThat(result.at("/results/ahamove/attempts").asInt()).isEqualTo(3);
        assertThat(result.at("/results/ghtk/error/code").asText()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(result.at("/results/its/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.path("status").asText()).isEqualTo("PARTIAL");

        String metrics = scrape();
        assertThat(value(metrics, "hub_provider_calls_total", "outcome=\"PROVIDER_UNAVAILABLE\",provider=\"ahamove\"")).isEqualTo(3);
        assertThat(value(metrics, "hub_provider_calls_total", "outcome=\"INVALID_CREDENTIALS\",provider=\"ghtk\"")).isEqualTo(1);
        assertThat(value(metrics, "hub_provider_calls_total", "outcome=\"SUCCEEDED\",provider=\"its\"")).isEqualTo(2);
        assertThat(metrics).doesNotContain("hub_provider_calls_total{outcome=\"SUCCEEDED\",provider=\"ahamove\"}",
                "hub_provider_calls_total{outcome=\"SUCCEEDED\",provider=\"ghtk\"}");
        assertThat(value(metrics, "hub_provider_call_seconds_count", "provider=\"ahamove\"")).isEqualTo(3);
        assertThat(value(metrics, "hub_provider_call_seconds_count", "provider=\"its\"")).isEqualTo(2);
        assertThat(value(metrics, "hub_provider_call_seconds_sum", "provider=\"its\"")).isPositive();
        assertThat(metrics).contains("hub_provider_call_seconds_bucket{provider=\"ghtk\",le=\"0.5\"}",
                "hub_provider_call_seconds_max{provider=\"ghtk\"}");
        assertThat(value(metrics, "hub_provider_results_total", "outcome=\"PROVIDER_UNAVAILABLE\",provider=\"ahamove\"")).isEqualTo(1);
        assertThat(value(metrics, "hub_provider_results_total", "outcome=\"SUCCEEDED\",provider=\"its\"")).isEqualTo(1);
        assertThat(value(metrics, "hub_onboardings_total", "status=\"PARTIAL\"")).isEqualTo(1);
        assertThat(metrics).as("Camel's own route metrics are served too").contains("camel_exchanges_total");
        assertThat(value(metrics, "resilience4j_circuitbreaker_state", "name=\"ahamove\",state=\"closed\"")).isEqualTo(1);
    }

    @Test
    void anOnboardingSentAgainWithItsRequestIdIsCountedOnce() throws Exception {
        String request = """
                {"requestId": "metrics-once", "merchant": {"externalId": "MT-2", "name": "Once Shop", "phone": "0912345611"},
                 "providers": ["ahamove"]}""";
        assertThat(hub.post("/api/v1/onboardings", request).statusCode()).isEqualTo(200);
        double once = value(scrape(), "hub_onboardings_total", "status=\"SUCCEEDED\"");

        // the earlier onboarding is answered again, synchronously and asynchronously: no new onboarding
        assertThat(hub.post("/api/v1/onboardings", request).statusCode()).isEqualTo(200);
        assertThat(hub.post("/api/v1/onboardings?async=true", request).statusCode()).isEqualTo(202);

        assertThat(value(scrape(), "hub_onboardings_total", "status=\"SUCCEEDED\"")).isEqualTo(once);
    }

    @Test
    void batchRecordsAreCountedByStatus() throws Exception {
        Path inbox = Files.createDirectories(hub.dataDir().resolve("inbox"));
        Path hidden = inbox.resolve(".metrics.csv");
        Files.writeString(hidden, "external_id,name,phone,providers\nMB-1,Shop One,0912345600,socdo\nMB-2,No Phone,,ahamove\n"
                + "MB-3,Shop Three,0912345603,ahamove\n");
        Files.move(hidden, inbox.resolve("metrics.csv"));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> Files.exists(hub.dataDir().resolve("outbox").resolve("metrics.summary.json")));
        String metrics = scrape();
        // MB-1 has no socdo.zaloUserId and MB-2 no phone: both refused by validation
        assertThat(value(metrics, "hub_batch_records_total", "status=\"FAILED\"")).isEqualTo(2);
        assertThat(value(metrics, "hub_batch_records_total", "status=\"SUCCEEDED\"")).isEqualTo(1);
    }

    @Test
    void grafanaDashboardIsImportableAndQueriesTheHubsMeters() throws Exception {
        JsonNode dashboard = mapper.readTree(Path.of("ops/grafana/onboarding-hub.json").toFile());

        assertThat(dashboard.at("/__inputs/0/type").asText()).isEqualTo("datasource");
        assertThat(dashboard.at("/__inputs/0/pluginId").asText()).isEqualTo("prometheus");
        assertThat(dashboard.path("panels").findValuesAsText("uid")).isNotEmpty().allMatch("${DS_PROMETHEUS}"::equals);
        java.util.Set<String> queried = new java.util.TreeSet<>();
        for (String expr : dashboard.path("panels").findValuesAsText("expr")) {
            Matcher names = Pattern.compile("hub_[a-z_]+|resilience4j_circuitbreaker_state").matcher(expr);
            while (names.find()) {
                queried.add(names.group());
            }
        }
        assertThat(queried).containsExactlyInAnyOrder("hub_onboardings_total", "hub_batch_records_total",
                "hub_provider_calls_total", "hub_provider_results_total", "hub_provider_call_seconds_bucket",
                "hub_provider_call_seconds_sum", "hub_provider_call_seconds_count", "hub_provider_call_seconds_max",
                "hub_provider_repeated_calls_total", "resilience4j_circuitbreaker_state", "hub_merchant_links_opened_total",
                "hub_merchant_actions_started_total", "hub_merchant_actions_completed_total");
    }

    private static String scrape() throws Exception {
        HttpResponse<String> response = hub.get(hub.managementUrl("/observe/metrics"), null);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sample {@code name{labels} value} of the scrape. */
    private static double value(String metrics, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels) + "[^}]*\\} (\\S+)$").matcher(metrics);
        if (!m.find()) {
            throw new AssertionError(name + "{" + labels + "} not in\n" + metrics.lines()
                    .filter(l -> l.startsWith("hub_")).reduce("", (a, b) -> a + b + "\n"));
        }
        return Double.parseDouble(m.group(1));
    }
}
