package vn.onboardinghub.api;

import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;

import java.io.StringReader;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The API clients example of docs/security.md configures what that file says it does. */
class ReadmeApiClientsExampleTest {

    @Test
    void theReadmeExampleGivesErpTwoKeysAndARateLimitAndOpsReadAll() throws Exception {
        Properties example = new Properties();
        example.load(new StringReader(Docs.read("docs/security.md").codeBlock("## REST API clients and keys", "properties", 0)));

        ApiClients clients = ApiClients.from(example.stringPropertyNames(), example::getProperty, false);

        ApiClients.Client byHashedKey = clients.authenticate("erp-key-1").orElseThrow();
        assertThat(byHashedKey.name()).isEqualTo("erp");
        assertThat(byHashedKey.readAll()).isFalse();
        assertThat(byHashedKey.rateLimit().getRateLimiterConfig().getLimitForPeriod()).isEqualTo(50);
        assertThat(clients.authenticate("erp-key-2").orElseThrow().name()).isEqualTo("erp");
        assertThat(clients.authenticate("ops-key").orElseThrow().readAll()).isTrue();
        assertThat(clients.authenticate("sha256:" + "4abdf73ddd1d4608c34b074364eef8b6d4aae753a09872f3b93453e058c62f9e"))
                .as("the hash itself is not a key").isEmpty();
    }
}
