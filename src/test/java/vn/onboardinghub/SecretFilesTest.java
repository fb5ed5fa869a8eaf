package vn.onboardinghub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secrets from files: {@code <VARIABLE>_FILE} names a file holding the value (Docker and Kubernetes secrets). */
class SecretFilesTest {
    @TempDir
    Path dir;

    @Test
    void aVariablesFileGivesItsValueWithoutTheTrailingLineBreak() throws Exception {
        Path cryptoKey = Files.writeString(dir.resolve("crypto"), "bmV3LWtleQ==,b2xkLWtleQ==\n");
        Path dbPassword = Files.writeString(dir.resolve("db"), "pa ss:word\r\n");
        Path ghtkToken = Files.writeString(dir.resolve("ghtk"), "ghtk-token-without-newline");

        Map<String, String> overrides = SettingSources.overridesFromEnvironment(Map.of(
                "HUB_CRYPTO_KEY_FILE", cryptoKey.toString(),
                "HUB_DB_PASSWORD_FILE", dbPassword.toString(),
                "HUB_PROVIDERS_GHTK_TOKEN_FILE", ghtkToken.toString(),
                "HUB_API_KEYS", "from-variable"), new Properties());

        assertThat(overrides).containsEntry("hub.crypto.key", "bmV3LWtleQ==,b2xkLWtleQ==")
                .containsEntry("hub.db.password", "pa ss:word")
                .containsEntry("hub.providers.ghtk.token", "ghtk-token-without-newline")
                .containsEntry("hub.api.keys", "from-variable")
                .doesNotContainKey("hub.callback.secret");
    }

    @Test
    void aSystemPropertyWinsAndTheFileIsThenNotRead() {
        Properties system = new Properties();
        system.setProperty("hub.api.keys", "from-d");
        Map<String, String> overrides = SettingSources.overridesFromEnvironment(
                Map.of("HUB_API_KEYS_FILE", dir.resolve("absent").toString()), system);

        assertThat(overrides).containsEntry("hub.api.keys", "from-d");
    }

    @Test
    void aVariableAndItsFileBothSetIsRefusedWithoutShowingEither() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "key-in-file");
        assertThatThrownBy(() -> SettingSources.overridesFromEnvironment(
                Map.of("HUB_API_KEYS", "key-in-variable", "HUB_API_KEYS_FILE", file.toString()), new Properties()))
                .hasMessage("both HUB_API_KEYS and HUB_API_KEYS_FILE are set: set only one");
        // an empty variable counts as unset
        assertThat(SettingSources.overridesFromEnvironment(
                Map.of("HUB_API_KEYS", "", "HUB_API_KEYS_FILE", file.toString()), new Properties()))
                .containsEntry("hub.api.keys", "key-in-file");
    }

    @Test
    void anUnreadableFileIsOneLineNamingTheVariableNeverTheContent() throws Exception {
        assertThatThrownBy(() -> SettingSources.overridesFromEnvironment(
                Map.of("HUB_CRYPTO_KEY_FILE", dir.resolve("crypto").toString()), new Properties()))
                .hasMessage("cannot read HUB_CRYPTO_KEY_FILE (" + dir.resolve("crypto") + "): no such file");

        Path notText = Files.write(dir.resolve("binary"), new byte[]{'s', 'e', 'c', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> SettingSources.overridesFromEnvironment(
                Map.of("HUB_DB_PASSWORD_FILE", notText.toString()), new Properties()))
                .hasMessage("cannot read HUB_DB_PASSWORD_FILE (" + notText + "): not UTF-8 text");

        // a line break in the path cannot start a forged log line
        assertThatThrownBy(() -> SettingSources.overridesFromEnvironment(
                Map.of("HUB_DB_PASSWORD_FILE", dir + "/x\nERROR forged"), new Properties()))
                .hasMessage("cannot read HUB_DB_PASSWORD_FILE (" + dir + "/x\\u000aERROR forged): no such file");
    }

    @Test
    void aDirectoryInsteadOfAFileIsRefusedToo() {
        assertThatThrownBy(() -> SettingSources.overridesFromEnvironment(
                Map.of("HUB_CALLBACK_SECRET_FILE", dir.toString()), new Properties()))
                .isInstanceOf(SettingSources.InvalidSettingException.class)
                .hasMessageStartingWith("cannot read HUB_CALLBACK_SECRET_FILE (" + dir + "): ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
