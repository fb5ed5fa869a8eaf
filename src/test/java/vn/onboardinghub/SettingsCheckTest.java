package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings of the wrong form, out of range, or weak secrets outside sandbox mode: refused by name, never by value. */
class SettingsCheckTest {
    static final String STRONG = "k".repeat(32);

    @Test
    void numbersOfTheWrongFormOrOutOfRangeAreRefusedNamingTheSettingNotTheValue() {
        assertRefused(Map.of("hub.jms.concurrency", "s3cret-token"), "hub.jms.concurrency (HUB_JMS_CONCURRENCY) must be a whole number of at least 1");
        assertRefused(Map.of("hub.http.max-connections", "0"), "hub.http.max-connections (HUB_HTTP_MAX_CONNECTIONS) must be a whole number of at least 1");
        assertRefused(Map.of("camel.management.port", "65536"), "camel.management.port (CAMEL_MANAGEMENT_PORT) must be a whole number from 0 to 65535");
        assertRefused(Map.of("hub.file.concurrency", "99999999999"), "hub.file.concurrency (HUB_FILE_CONCURRENCY) must be a whole number of at least 1");
        assertRefused(Map.of("hub.providers.ghtk.rate-limit", "-1"), "hub.providers.ghtk.rate-limit (HUB_PROVIDERS_GHTK_RATE_LIMIT) must be a whole number of at least 0");
        assertRefused(Map.of("hub.api.clients.erp.rate-limit", "fast"), "hub.api.clients.erp.rate-limit (HUB_API_CLIENTS_ERP_RATE_LIMIT) must be a whole number of at least 0");
        assertRefused(Map.of("hub.broker.max-connections", "0"), "hub.broker.max-connections (HUB_BROKER_MAX_CONNECTIONS) must be a whole number of at least 1");
        assertRefused(Map.of("hub.outage.max-wait-seconds", "ten minutes"), "hub.outage.max-wait-seconds (HUB_OUTAGE_MAX_WAIT_SECONDS) must be a whole number of at least 1");
        assertRefused(Map.of("hub.circuit-breaker.failure-rate", "0"), "hub.circuit-breaker.failure-rate (HUB_CIRCUIT_BREAKER_FAILURE_RATE) must be a number above 0 and at most 100");
        assertRefused(Map.of("hub.circuit-breaker.failure-rate", "NaN"), "hub.circuit-breaker.failure-rate");
    }

    @Test
    void trueOrFalseOnly() {
        assertRefused(Map.of("hub.sandbox.enabled", "yes"), "hub.sandbox.enabled (HUB_SANDBOX_ENABLED) must be true or false");
        assertRefused(Map.of("hub.providers.its.enabled", "on"), "hub.providers.its.enabled (HUB_PROVIDERS_ITS_ENABLED) must be true or false");
        assertRefused(Map.of("hub.api.clients.ops.read-all", "1"), "hub.api.clients.ops.read-all (HUB_API_CLIENTS_OPS_READ_ALL) must be true or false");
        assertThatCode(() -> check(Map.of("hub.broker.embedded", "FALSE", "hub.jms.concurrency", " 4 "))).doesNotThrowAnyException();
    }

    @Test
    void outsideSandboxModeSecretsMustBeLongAndNoPlaceholder() {
        assertRefused(outside("hub.callback.secret", "x"), "hub.callback.secret (HUB_CALLBACK_SECRET) must be at least 32 bytes outside sandbox mode");
        assertRefused(outside("hub.broker.password", "k".repeat(31)), "hub.broker.password (HUB_BROKER_PASSWORD) must be at least 32 bytes");
        assertRefused(outside("hub.broker.client-password", "short"), "hub.broker.client-password (HUB_BROKER_CLIENT_PASSWORD) must be at least 32 bytes");
        assertRefused(outside("hub.bus.clients.erp.password", "erp-pass"), "hub.bus.clients.erp.password (HUB_BUS_CLIENTS_ERP_PASSWORD) must be at least 32 bytes");
        assertRefused(outside("hub.api.clients.erp.webhook-secret", "hook"), "hub.api.clients.erp.webhook-secret (HUB_API_CLIENTS_ERP_WEBHOOK_SECRET) must be at least 32 bytes");
        assertRefused(outside("hub.broker.client-password", "change_me_0123456789abcdef0123456789"), "hub.broker.client-password (HUB_BROKER_CLIENT_PASSWORD) still holds a placeholder");
        assertRefused(outside("hub.broker.client-password", "replace_me_0123456789abcdef0123456789"), "hub.broker.client-password (HUB_BROKER_CLIENT_PASSWORD) still holds a placeholder");
        assertRefused(outside("hub.bus.clients.x.password", " ".repeat(36)), "hub.bus.clients.x.password (HUB_BUS_CLIENTS_X_PASSWORD) must be at least 32 bytes");
        assertRefused(outside("hub.callback.secret", "replace-with-openssl-rand-base64-32"), "hub.callback.secret (HUB_CALLBACK_SECRET) still holds a placeholder");
        assertRefused(outside("hub.api.keys", "team-a-key-0123456789abcdef, replace-with-the-api-keys"), "hub.api.keys (HUB_API_KEYS) still holds a placeholder");
        assertRefused(outside("hub.db.password", "replace-with-the-database-password"), "hub.db.password (HUB_DB_PASSWORD) still holds a placeholder");
        assertRefused(outside("hub.providers.ghtk.token", "replace-me"), "hub.providers.ghtk.token (HUB_PROVIDERS_GHTK_TOKEN) still holds a placeholder");
        assertRefused(outside("hub.hawtio.users", "admin:changeme"), "hub.hawtio.users (HUB_HAWTIO_USERS) still holds a placeholder");
        assertRefused(outside("hub.db.password", "..."), "hub.db.password (HUB_DB_PASSWORD) still holds a placeholder");
        assertRefused(Map.of("hub.crypto.key", "replace-with-openssl-rand-base64-32"), "hub.crypto.key (HUB_CRYPTO_KEY) key 1 of 1 must be base64 of 32 bytes");
        assertRefused(Map.of("hub.crypto.key", "A".repeat(43) + "=, bmV3LWtleQ=="), "hub.crypto.key (HUB_CRYPTO_KEY) key 2 of 2 must be base64 of 32 bytes");

        // long enough; API keys have no length rule (TestHub's is "test-key"); sandbox mode has no secret rules
        assertThatCode(() -> check(Map.of("hub.sandbox.enabled", "false", "hub.callback.secret", STRONG,
                "hub.broker.password", STRONG, "hub.api.keys", "test-key", "hub.crypto.key", "A".repeat(43) + "=")))
                .doesNotThrowAnyException();
        assertThatCode(() -> check(Map.of("hub.callback.secret", "x", "hub.api.keys", "replace-me"))).doesNotThrowAnyException();
        // a real value that only begins like a placeholder word
        assertThatCode(() -> check(Map.of("hub.sandbox.enabled", "false", "hub.db.password", "Replacement-Horse-Battery",
                "hub.hawtio.users", "admin:changemeNOT-really-0123"))).doesNotThrowAnyException();
    }

    @Test
    void theDefaultProvidersMustBeProvidersOfTheCatalog() {
        Set<String> known = new LinkedHashSet<>(List.of("ahamove", "ghtk", "its", "socdo"));

        assertThat(SettingsCheck.providerNames("hub.providers.default", " ghtk, ahamove,,ghtk ", known))
                .containsExactly("ghtk", "ahamove");
        assertThatThrownBy(() -> SettingsCheck.providerNames("hub.providers.default", "ahamove,viettelpost", known))
                .isInstanceOf(StartRefusedException.class).hasMessage("hub.providers.default (HUB_PROVIDERS_DEFAULT) names"
                        + " viettelpost, which is not a provider of this hub (known: ahamove, ghtk, its, socdo)");
        // what is not even shaped like a provider's name (a secret pasted into the wrong setting) is not quoted
        assertThatThrownBy(() -> SettingsCheck.providerNames("hub.providers.default", "ahamove, S3cret-Value!", known))
                .isInstanceOf(StartRefusedException.class).hasMessage("hub.providers.default (HUB_PROVIDERS_DEFAULT) holds"
                        + " a name that is not a provider of this hub (known: ahamove, ghtk, its, socdo)");
        assertThatThrownBy(() -> SettingsCheck.providerNames("hub.providers.default", " , ", known))
                .isInstanceOf(StartRefusedException.class)
                .hasMessage("hub.providers.default (HUB_PROVIDERS_DEFAULT) must name at least one provider (of ahamove, ghtk, its, socdo)");
    }

    private static Map<String, String> outside(String key, String value) {
        return Map.of("hub.sandbox.enabled", "false", key, value);
    }

    private static void check(Map<String, String> settings) {
        SettingsCheck.check(settings.keySet(), settings::get);
    }

    private static void assertRefused(Map<String, String> settings, String message) {
        Map<String, String> all = new HashMap<>(settings);
        assertThatThrownBy(() -> check(all)).isInstanceOf(StartRefusedException.class).hasMessageStartingWith(message)
                .satisfies(e -> settings.values().stream().filter(v -> v.length() > 5 && !v.equals("false"))
                        .filter(v -> !v.isBlank()).forEach(v -> assertThat(e.getMessage()).doesNotContain(v.strip())));
    }
}
