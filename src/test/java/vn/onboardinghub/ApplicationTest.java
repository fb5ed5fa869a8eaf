package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ApplicationTest {

    @Test
    void environmentVariablesAndSystemPropertiesOverrideTheFileAndSystemPropertiesWin() {
        Properties system = new Properties();
        system.setProperty("hub.providers.ghtk.client-source", "from-d");
        Map<String, String> overrides = Application.overridesFromEnvironment(Map.of(
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
        Map<String, String> overrides = Application.overridesFromEnvironment(Map.of(
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
        Map<String, String> overrides = Application.overridesFromEnvironment(Map.of(
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
        Map<String, String> overrides = Application.overridesFromEnvironment(Map.of(
                "HUB_API_CLIENTS_ERP_KEYS", "from-env"), system);

        assertThat(overrides).containsEntry("hub.api.clients.erp.keys", "from-d")
                .containsEntry("hub.bus.clients.erp.password", "bus-from-d")
                .doesNotContainKey("java.io.tmpdir");
    }

    @Test
    void aNamedClientGivenByASystemPropertyIsKnownToTheRunningHub(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dataDir)
            throws Exception {
        HubProcess hub = new HubProcess(dataDir, Map.of("hub.api.clients.erp.keys", "erp-key-given-by-d"));
        try {
            hub.start("named-client-by-d.log");
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + hub.port
                            + "/api/v1/onboardings/00000000-0000-0000-0000-000000000000"))
                            .header("X-API-Key", "erp-key-given-by-d").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            // known client, unknown onboarding (an unknown key would be 401)
            assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        } finally {
            hub.killAll();
        }
    }
}
