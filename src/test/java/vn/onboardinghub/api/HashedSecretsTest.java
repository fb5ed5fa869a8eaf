package vn.onboardinghub.api;

import org.junit.jupiter.api.Test;
import vn.onboardinghub.StartRefusedException;
import vn.onboardinghub.ops.ConsoleLoginModule;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A key or console password given as its hash must be {@code sha256:<64 hex digits>}: a hash recipe that printed
 * nothing ({@code sha256:}) or something else is refused, never taken as the literal text anyone could guess.
 */
class HashedSecretsTest {
    private static final String HASH = "sha256:" + "ab".repeat(32);

    @Test
    void anApiKeyThatLooksHashedButIsNotIsRefused() {
        for (String key : new String[] {"sha256:", "sha256:zz", "SHA256:" + "ab".repeat(31)}) {
            Map<String, String> settings = Map.of("hub.api.keys", key);
            assertThatThrownBy(() -> ApiClients.from(Set.of("hub.api.keys"), settings::get, false))
                    .isInstanceOf(StartRefusedException.class)
                    .hasMessage("an API key of hub.api.keys starts with sha256: but is not sha256:<64 hex digits>");
        }
        Map<String, String> named = Map.of("hub.api.clients.erp.keys", "k1,sha256:");
        assertThatThrownBy(() -> ApiClients.from(named.keySet(), named::get, false)).isInstanceOf(StartRefusedException.class)
                .hasMessageContaining("starts with sha256: but is not sha256:<64 hex digits>");
        Map<String, String> fine = Map.of("hub.api.keys", HASH + ",plain-key");
        assertThatCode(() -> ApiClients.from(Set.of("hub.api.keys"), fine::get, false)).doesNotThrowAnyException();
    }

    @Test
    void aConsolePasswordThatLooksHashedButIsNotIsRefused() {
        assertThatThrownBy(() -> ConsoleLoginModule.Users.parse("admin:sha256:")).isInstanceOf(StartRefusedException.class)
                .hasMessage("hub.hawtio.users: the password of admin starts with sha256: but is not sha256:<64 hex digits>");
        assertThatThrownBy(() -> ConsoleLoginModule.Users.parse("w:sha256:zz")).isInstanceOf(StartRefusedException.class);
        assertThatCode(() -> ConsoleLoginModule.Users.parse("admin:" + HASH + ",ops:a-long-password")).doesNotThrowAnyException();
    }
}
