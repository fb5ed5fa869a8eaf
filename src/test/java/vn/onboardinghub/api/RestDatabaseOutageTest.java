package vn.onboardinghub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.store.StoppableDatabase;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** While the hub's database is unavailable, REST callers are told at once to try again: 503, Retry-After, JSON error. */
class RestDatabaseOutageTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void callsDuringAnOutageAnswer503WithRetryAfter(String kind) throws Exception {
        try (StoppableDatabase database = new StoppableDatabase(kind)) {
            Map<String, String> settings = new HashMap<>(database.hubSettings());
            settings.put("hub.sandbox.enabled", "true");
            try (TestHub hub = TestHub.start(settings)) {
                String request = """
                        {"requestId": "outage-1", "merchant": {"externalId": "M-OUT-1", "name": "Shop", "phone": "0912345678"},
                         "providers": ["ahamove"]}""";
                database.stop();

                for (String path : new String[] {"/api/v1/onboardings", "/api/v1/onboardings?async=true"}) {
                    HttpResponse<String> response = hub.post(path, request);
                    assertThat(response.statusCode()).as(path).isEqualTo(503);
                    assertThat(response.headers().firstValue("Retry-After")).as(path).hasValue("10");
                    JsonNode error = mapper.readTree(response.body()).path("error");
                    assertThat(error.path("code").asText()).isEqualTo("SERVICE_UNAVAILABLE");
                    assertThat(error.path("message").asText()).contains("unavailable").doesNotContain("Exception");
                }
                HttpResponse<String> lookup = hub.get("/api/v1/onboardings/00000000-0000-0000-0000-000000000000");
                assertThat(lookup.statusCode()).isEqualTo(503);
                assertThat(lookup.headers().firstValue("Retry-After")).isPresent();

                // the same request sent again, as a caller told "try again" does, once the database is back: onboarded
                // (a pooled connection broken by the outage may still answer one more 503 while the pool renews it)
                database.start();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> again = hub.post("/api/v1/onboardings", request);
                    assertThat(again.statusCode()).isEqualTo(200);
                    assertThat(mapper.readTree(again.body()).path("status").asText()).isEqualTo("SUCCEEDED");
                });
            }
        }
    }
}
