package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Provider credentials are secrets: in result files only with {@code hub.file.include-credentials=true}. */
class FileDropCredentialsTest {
    static final String CSV = "external_id,name,phone,email,providers,ghtk_password\n"
            + "C-1,Shop C,0912345690,c1@example.vn,ahamove;ghtk,cred-Secret-1\n";

    @Test
    void credentialsAreLeftOutOfResultFilesByDefault(@TempDir Path dataDir) throws Exception {
        JsonNode result = onboardOneRecord(dataDir, Map.of());

        assertThat(result.at("/results/ahamove/status").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.at("/results/ahamove/credentials").isMissingNode()).isTrue();
        assertThat(result.at("/results/ghtk/credentials").isMissingNode()).isTrue();
    }

    @Test
    void credentialsAreInResultFilesWhenAskedFor(@TempDir Path dataDir) throws Exception {
        JsonNode result = onboardOneRecord(dataDir, Map.of("hub.file.include-credentials", "true"));

        assertThat(result.at("/results/ahamove/credentials/token").asText()).isNotBlank();
        assertThat(result.at("/results/ghtk/credentials/shopCode").asText()).startsWith("S");
        assertThat(new FileDrop(dataDir).filesContaining("cred-Secret-1")).as("the shop's own password").isEmpty();
    }

    private static JsonNode onboardOneRecord(Path dataDir, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new java.util.HashMap<>(Map.of("hub.sandbox.enabled", "true",
                "hub.data-dir", dataDir.toString(), "hub.file.read-lock-min-age-ms", "200"));
        props.putAll(overrides);
        try (TestHub hub = TestHub.start(props)) {
            FileDrop files = new FileDrop(dataDir);
            files.drop("one.csv", CSV);
            files.awaitDone("one.csv");
            return files.results("one.csv", 1).get(1);
        }
    }
}
