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
}
