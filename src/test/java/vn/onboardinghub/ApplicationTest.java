package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ApplicationTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void environmentVariablesAndSystemPropertiesOverrideTheFileAndSystemPropertiesWin() {
        Properties system = new Properties();
        system.setProperty("hub.providers.ghtk.client-source", "from-d");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "CAMEL_SERVER_PORT", "18080",
                "HUB_PROVIDERS_GHTK_CLIENT_SOURCE", "from-env",
                "HUB_API_KEYS", "a,b"), system);

        assertThat(overrides).containsEntry("camel.server.port", "18080")
                .containsEntry("hub.api.keys", "a,b")
                .containsEntry("hub.providers.ghtk.client-source", "from-d")
                .doesNotContainKey("hub.data-dir");
    }

    @Test
    void namedApiClientsComeFromTheirEnvironmentVariablesAndFiles() throws Exception {
        java.nio.file.Path keys = java.nio.file.Files.createTempFile("sales-keys", ".txt");
        java.nio.file.Files.writeString(keys, "key-1,key-2\n");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "HUB_API_CLIENTS_ERP_KEYS", "erp-key",
                "HUB_API_CLIENTS_ERP_RATE_LIMIT", "50",
                "HUB_API_CLIENTS_SALES_APP_KEYS_FILE", keys.toString(),
                "HUB_API_CLIENTS_OPS_READ_ALL", "true"), new Properties());

        assertThat(overrides).containsEntry("hub.api.clients.erp.keys", "erp-key")
                .containsEntry("hub.api.clients.erp.rate-limit", "50")
                .containsEntry("hub.api.clients.sales-app.keys", "key-1,key-2")
                .containsEntry("hub.api.clients.ops.read-all", "true");
    }

    @Test
    void busClientsAndClientWebhooksComeFromTheirEnvironmentVariablesAndFiles() throws Exception {
        java.nio.file.Path password = java.nio.file.Files.createTempFile("bus-password", ".txt");
        java.nio.file.Files.writeString(password, "warehouse-password-of-32-bytes-or-more\n");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "HUB_BUS_CLIENTS_ERP_PASSWORD", "erp-bus-password",
                "HUB_BUS_CLIENTS_ERP_REPLY_QUEUES", "erp.replies",
                "HUB_BUS_CLIENTS_WAREHOUSE_APP_PASSWORD_FILE", password.toString(),
                "HUB_API_CLIENTS_ERP_WEBHOOK_URL", "https://erp.example/hook",
                "HUB_API_CLIENTS_ERP_WEBHOOK_SECRET", "hook-secret"), new Properties());

        assertThat(overrides).containsEntry("hub.bus.clients.erp.password", "erp-bus-password")
                .containsEntry("hub.bus.clients.erp.reply-queues", "erp.replies")
                .containsEntry("hub.bus.clients.warehouse-app.password", "warehouse-password-of-32-bytes-or-more")
                .containsEntry("hub.api.clients.erp.webhook-url", "https://erp.example/hook")
                .containsEntry("hub.api.clients.erp.webhook-secret", "hook-secret");
    }

    @Test
    void everyHubSystemPropertyOverridesLikeTheFileAndWinsOverItsVariable() {
        Properties system = new Properties();
        system.setProperty("hub.api.clients.erp.keys", "from-d");
        system.setProperty("hub.bus.clients.erp.password", "bus-from-d");
        system.setProperty("java.io.tmpdir", "/tmp");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "HUB_API_CLIENTS_ERP_KEYS", "from-env"), system);

        assertThat(overrides).containsEntry("hub.api.clients.erp.keys", "from-d")
                .containsEntry("hub.bus.clients.erp.password", "bus-from-d")
                .doesNotContainKey("java.io.tmpdir");
    }

    /**
     * {@code java -Dhub.api.clients.erp.keys=… -Dhub.bus.clients.erp.password=… -jar …}: the hub started through its
     * real entry point knows both clients, like the keys of application.properties.
     */
    @Test
    void namedClientsGivenBySystemPropertiesAreKnownToTheRunningHub(@TempDir Path dataDir) throws Exception {
        String busPassword = "erp-bus-password-given-by-d-of-32-bytes";
        HubProcess hub = new HubProcess(dataDir, Map.of("hub.sandbox.enabled", "true",
                "hub.api.clients.erp.keys", "erp-key-given-by-d", "hub.bus.clients.erp.password", busPassword));
        try {
            hub.start("named-clients-by-d.log");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> onboarded = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port
                            + "/api/v1/onboardings")).header("X-API-Key", "erp-key-given-by-d")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            request("erp-by-d-1", "M-ERP-BY-D"))).build(), HttpResponse.BodyHandlers.ofString());
            // an unknown key would be 401
            assertThat(onboarded.statusCode()).as(onboarded.body()).isEqualTo(200);
            JsonNode result = mapper.readTree(onboarded.body());
            assertThat(result.path("client").asText()).isEqualTo("erp");
            assertThat(result.at("/results/socdo/status").asText()).isEqualTo("SUCCEEDED");
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + hub.port
                            + "/api/v1/onboardings/" + result.path("onboardingId").asText()))
                    .header("X-API-Key", "erp-key-given-by-d").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);

            // the bus client logs in with its own password and gets its result on its own queue
            try (JMSContext erp = new ActiveMQConnectionFactory(hub.brokerUrl, "erp", busPassword).createContext();
                 JMSConsumer results = erp.createConsumer(erp.createQueue("onboarding.results.erp"),
                         "JMSCorrelationID = 'erp-bus-by-d-1'")) {
                erp.createProducer().setJMSCorrelationID("erp-bus-by-d-1")
                        .send(erp.createQueue("onboarding.requests"), request("erp-bus-by-d-1", "M-ERP-BUS-BY-D"));
                Message message = results.receive(30_000);
                assertThat(message).as("erp's result on its own queue").isNotNull();
                JsonNode busResult = mapper.readTree(message.getBody(String.class));
                assertThat(busResult.path("client").asText()).isEqualTo("erp");
                assertThat(busResult.at("/results/socdo/status").asText()).as(busResult.toString()).isEqualTo("SUCCEEDED");
            }
        } finally {
            hub.killAll();
        }
    }

    private static String request(String requestId, String externalId) {
        return """
                {"requestId": "%s", "merchant": {"externalId": "%s", "name": "Shop", "phone": "0912345678"},
                 "providers": ["socdo"], "socdo": {"zaloUserId": "987654321"}}""".formatted(requestId, externalId);
    }
}
