package vn.onboardinghub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client's webhook settings (docs/security.md "REST API clients and keys"): checked before anything starts with one
 * line naming the setting, never its value; the secret read from a file like every secret.
 */
class WebhookSettingsTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String OTHER = "whsec_dGhlIG5ldyBzZWNyZXQgb2YgMzIgYnl0ZXMgb2Yga2V5";

    @Test
    void aWebhookUrlNeedsAStandardWebhooksSecret() {
        assertRefused(Map.of("hub.api.clients.erp.webhook-url", "https://erp.example.vn/hooks"),
                "hub.api.clients.erp.webhook-secret (HUB_API_CLIENTS_ERP_WEBHOOK_SECRET) must be set when"
                        + " hub.api.clients.erp.webhook-url is");
        assertRefused(Map.of("hub.api.clients.erp.webhook-url", "https://erp.example.vn/hooks",
                        "hub.api.clients.erp.webhook-secret", "not-a-standard-webhooks-secret-of-32-bytes"),
                "hub.api.clients.erp.webhook-secret (HUB_API_CLIENTS_ERP_WEBHOOK_SECRET) secret 1 of 1 must be whsec_"
                        + " followed by base64");
        assertRefused(Map.of("hub.api.clients.erp.webhook-url", "https://erp.example.vn/hooks",
                        "hub.api.clients.erp.webhook-secret", SECRET + ", whsec_%%%not-base64"),
                "secret 2 of 2 must be whsec_ followed by base64");
        assertRefused(Map.of("hub.api.clients.erp.webhook-url", "erp.example.vn/hooks", "hub.api.clients.erp.webhook-secret", SECRET),
                "hub.api.clients.erp.webhook-url (HUB_API_CLIENTS_ERP_WEBHOOK_URL) must be an absolute https URL");
        Map<String, String> http = new HashMap<>(Map.of("hub.api.clients.erp.webhook-url", "http://erp.example.vn/hooks",
                "hub.api.clients.erp.webhook-secret", SECRET, "hub.sandbox.enabled", "false"));
        assertRefused(http, "hub.api.clients.erp.webhook-url (HUB_API_CLIENTS_ERP_WEBHOOK_URL) must be https outside sandbox mode");
        // trying the hub out: http (and loopback) allowed
        http.put("hub.sandbox.enabled", "true");
        assertThatCode(() -> check(http)).doesNotThrowAnyException();
        assertThatCode(() -> check(Map.of("hub.api.clients.erp.webhook-url", "https://erp.example.vn/hooks",
                "hub.api.clients.erp.webhook-secret", SECRET + "," + OTHER, "hub.sandbox.enabled", "false"))).doesNotThrowAnyException();
    }

    @Test
    void theSecretComesFromAFileLikeEverySecret(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("erp-webhook-secret");
        Files.writeString(file, SECRET + "," + OTHER + "\n");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "HUB_API_CLIENTS_ERP_WEBHOOK_URL", "https://erp.example.vn/hooks",
                "HUB_API_CLIENTS_ERP_WEBHOOK_SECRET_FILE", file.toString()), new Properties());
        assertThat(overrides).containsEntry("hub.api.clients.erp.webhook-secret", SECRET + "," + OTHER)
                .containsEntry("hub.api.clients.erp.webhook-url", "https://erp.example.vn/hooks");
        assertThatCode(() -> check(overrides)).doesNotThrowAnyException();
    }

    private static void assertRefused(Map<String, String> settings, String message) {
        assertThatThrownBy(() -> check(settings)).isInstanceOf(StartRefusedException.class).hasMessageContaining(message)
                .satisfies(e -> settings.values().stream().filter(v -> v.startsWith("whsec_") || v.startsWith("not-"))
                        .forEach(v -> assertThat(e.getMessage()).doesNotContain(v)));
    }

    private static void check(Map<String, String> settings) {
        SettingsCheck.check(settings.keySet(), settings::get);
    }
}
