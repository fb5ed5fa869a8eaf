package vn.onboardinghub.providers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderAdapterTest {

    @Test
    void excerptOfAnUninterpretableAnswerMasksCredentials() {
        String body = "{\"success\": true, \"token\": \"eyJhbGciOi.secret\", \"data\": {\"refresh_token\": \"abc\", \"name\": \"Shop\"}";

        String excerpt = ProviderAdapter.excerpt(body);

        assertThat(excerpt).doesNotContain("eyJhbGciOi.secret", "abc")
                .contains("\"token\": \"***", "\"refresh_token\": \"***", "\"name\": \"Shop\"");
    }

    @Test
    void excerptIsBounded() {
        assertThat(ProviderAdapter.excerpt("x".repeat(1000))).hasSize(301);
        assertThat(ProviderAdapter.excerpt("  ")).isNull();
    }
}
