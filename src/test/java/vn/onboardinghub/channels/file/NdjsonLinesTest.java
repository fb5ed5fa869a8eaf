package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A merchant's value with Unicode line breaks stays on its line of an NDJSON output, and reads back the same. */
class NdjsonLinesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void unicodeLineBreaksInAValueAreEscapedAndReadBackUnchanged() throws Exception {
        String crafted = "M-1\u2028{\"injected\": true}\u0085x\u2029y";
        String line = NdjsonLines.line(mapper.writeValueAsString(Map.of("externalId", crafted, "name", "Nguyễn Văn A")));

        // every line break a reader may split on (Python's str.splitlines: \n \r \v \f \x1c-\x1e \x85 \u2028 \u2029)
        assertThat(line).doesNotContainPattern("[\\n\\r\\u000B\\u000C\\u001C-\\u001E\\u0085\\u2028\\u2029]");
        assertThat(mapper.readTree(line).path("externalId").asText()).isEqualTo(crafted);
        assertThat(line).as("other characters are left as they are").contains("Nguyễn Văn A");
    }
}
