package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's quick start: sandbox mode, demo key {@code sandbox}, one request, four providers answer. */
@WithHub({"hub.sandbox.enabled=true", "hub.api.keys="})
class SandboxQuickStartTest {
    static TestHub hub;
    final ObjectMapper mapper = new ObjectMapper();


    @Test
    void sandboxEchoesAnyMerchantNameAsValidJson() throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", """
                {"merchant": {"externalId": "M-2", "name": "Shop \\"B\\", Quận 3", "phone": "0913000111"},
                 "providers": ["socdo"], "socdo": {"zaloUserId": "987654321"}}""", "sandbox");

        JsonNode socdo = mapper.readTree(response.body()).at("/results/socdo");
        assertThat(socdo.path("status").asText()).as(response.body()).isEqualTo("SUCCEEDED");
        assertThat(socdo.at("/credentials/username").asText()).isEqualTo("zalo_987654321");
    }

    @Test
    void readyMeansRoutesDatabaseAndBrokerAreUp() throws Exception {
        // the consumers (file, JMS) report ready after their first poll, just after start-up
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            var ready = hub.get(hub.managementUrl("/observe/health/ready"), null);
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode checks = mapper.readTree(ready.body()).path("checks");
            assertThat(checks.findValuesAsText("name")).contains("database", "broker", "route:onboarding");
            assertThat(mapper.readTree(ready.body()).path("status").asText()).isEqualTo("UP");
        });
    }

    @Test
    void quickStartOnboardsOnAllFourSimulatedProviders() throws Exception {
        HttpResponse<String> response = hub.post("/api/v1/onboardings", """
                {"merchant": {"externalId": "M-001", "name": "Nguyễn Văn A", "phone": "0912 345 678",
                              "email": "a@example.vn", "address": "12 Lê Lợi, Quận 1, TP.HCM", "lat": 10.7769, "lng": 106.7009},
                 "ghtk": {"password": "shop-password"},
                 "socdo": {"zaloUserId": "123456789"},
                 "its": {"redirectUrl": "https://merchant.example/after-its"}}""", "sandbox");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode result = mapper.readTree(response.body());
        assertThat(result.path("status").asText()).isEqualTo("ACTION_REQUIRED");
        assertThat(result.at("/results/ahamove/credentials/token").asText()).isNotBlank();
        assertThat(result.at("/results/ghtk/credentials/shopCode").asText()).startsWith("S");
        assertThat(result.at("/results/socdo/credentials/username").asText()).isEqualTo("zalo_123456789");
        assertThat(result.at("/results/its/action/type").asText()).isEqualTo("AUTHORIZE");
        assertThat(result.at("/results/its/action/url").asText()).startsWith("http://localhost:");
    }
}
