package vn.onboardinghub.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A request too large to be read (body, request line, headers) gets the API's JSON error body, not plain text. */
class OversizedRequestsTest {
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void tooLargeBodyLineAndHeadersAnswerJsonErrors() throws Exception {
        try (TestHub hub = TestHub.start(Map.of("camel.server.max-body-size", "1000"))) {
            int port = URI.create(hub.url("/")).getPort();

            String body = "{\"externalId\": \"" + "x".repeat(2000) + "\"}";
            assertJsonError(RawHttp.exchange(port, "POST /api/v1/onboardings HTTP/1.1\r\nHost: localhost\r\n"
                    + "X-API-Key: " + TestHub.API_KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\nConnection: close\r\n\r\n" + body), 413, "at most 1000 bytes");

            assertJsonError(RawHttp.exchange(port, "GET /api/v1/onboardings/" + "a".repeat(5000)
                    + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 414, "request line");

            assertJsonError(RawHttp.exchange(port, "GET /api/v1/batches HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                    + "b".repeat(9000) + "\r\nConnection: close\r\n\r\n"), 431, "headers");

            // the hub still serves
            assertThat(hub.get("/api/v1/batches").statusCode()).isEqualTo(200);
        }
    }

    private void assertJsonError(RawHttp.Answer answer, int status, String messagePart) throws Exception {
        assertThat(answer.status()).as(answer.head()).isEqualTo(status);
        assertThat(answer.head().toLowerCase()).as(answer.head()).contains("content-type: application/json");
        JsonNode error = mapper.readTree(answer.body()).path("error");
        assertThat(error.path("code").asText()).as(answer.body()).isEqualTo("INVALID_REQUEST");
        assertThat(error.path("message").asText()).as(answer.body()).contains(messagePart);
    }
}
