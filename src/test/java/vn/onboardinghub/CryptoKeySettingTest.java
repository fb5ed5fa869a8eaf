package vn.onboardinghub;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code hub.crypto.key}: comma-separated base64 keys in order, or one generated key kept under the data dir. */
class CryptoKeySettingTest {
    @TempDir
    Path dataDir;

    @Test
    void keysAreReadInTheirOrderTheFirstBeingTheOneThatEncrypts() throws Exception {
        byte[] first = key(1);
        byte[] second = key(2);
        List<byte[]> keys = StoreConfiguration.cryptoKeys(settings(" " + encode(first) + " , " + encode(second) + ","), dataDir, false);
        assertThat(keys).containsExactly(first, second);
        assertThat(dataDir.resolve("keys")).doesNotExist();
    }

    @Test
    void aKeyThatIsNotBase64IsNamedByItsPlaceNotShown() {
        assertThatThrownBy(() -> StoreConfiguration.cryptoKeys(settings(encode(key(1)) + ",sec%ret"), dataDir, false))
                .hasMessage("hub.crypto.key: key 2 of 2 is not base64")
                .hasNoCause();
    }

    @Test
    void withoutAKeyOneIsGeneratedOnceAndKept() throws Exception {
        List<byte[]> generated = StoreConfiguration.cryptoKeys(settings(""), dataDir, true);
        assertThat(generated).hasSize(1);
        assertThat(Files.readAllBytes(dataDir.resolve("keys").resolve("results.key"))).isEqualTo(generated.get(0));
        assertThat(StoreConfiguration.cryptoKeys(settings(""), dataDir, true)).containsExactly(generated.get(0));
    }

    private static Settings settings(String cryptoKey) {
        PropertiesComponent props = new DefaultCamelContext().getPropertiesComponent();
        Properties overrides = new Properties();
        overrides.setProperty("hub.crypto.key", cryptoKey);
        props.setOverrideProperties(overrides);
        return new Settings(props);
    }

    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) seed);
        return key;
    }

    private static String encode(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
