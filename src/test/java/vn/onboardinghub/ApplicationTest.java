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
}
