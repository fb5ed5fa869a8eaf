package vn.onboardinghub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The production example of docs/configuration.md sets only settings the hub has, by their environment variables. */
class DocsConfigurationExampleTest {

    @Test
    void everyVariableOfTheProductionExampleIsASettingOfTheHub() throws IOException {
        String example = Docs.read("docs/configuration.md").codeBlock("## Production example", "bash", 0);
        List<String> variables = Pattern.compile("\\b(HUB_[A-Z0-9_]+)=").matcher(example).results().map(m -> m.group(1)).toList();

        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            properties.load(in);
        }
        // the environment variable of a key: upper-cased, "." and "-" turned into "_" (docs/configuration.md)
        Set<String> settings = properties.stringPropertyNames().stream()
                .map(key -> key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')).collect(Collectors.toSet());

        assertThat(variables).as("the example's variables").hasSizeGreaterThanOrEqualTo(10)
                .contains("HUB_SANDBOX_ENABLED", "HUB_API_KEYS", "HUB_DB_URL")
                .allSatisfy(variable -> assertThat(settings).as("settings of application.properties").contains(variable));
        assertThat(example).contains("java -jar target/onboarding-hub.jar");
    }
}
