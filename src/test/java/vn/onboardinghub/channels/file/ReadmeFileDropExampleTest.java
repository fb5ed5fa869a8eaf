package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.Docs;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file-drop example of docs/contract.md, exactly as written there (read out of that file): the CSV goes into the inbox of a
 * real hub in sandbox mode, and comes out as that file says: one result line per record, the record without a phone
 * refused in plain words, the summary, the input in {@code .done/} with its password masked.
 */
@WithHub({"hub.sandbox.enabled=true", "hub.file.read-lock-min-age-ms=500"})
class ReadmeFileDropExampleTest {
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void files() {
        files = new FileDrop(hub.dataDir());
    }

    @Test
    void theReadmeCsvOnboardsTwoMerchantsAndRefusesTheOneWithoutPhone() throws Exception {
        String script = Docs.read("docs/contract.md").codeBlock("## File drop (batches)", "bash", 0);
        int start = script.indexOf("<<'CSV'\n") + "<<'CSV'\n".length();
        String csv = script.substring(start, script.indexOf("\nCSV\n", start) + 1);
        assertThat(script).contains("mv /tmp/merchants.csv data/inbox/");

        files.drop("merchants.csv", csv);
        files.awaitDone("merchants.csv");

        Map<Integer, JsonNode> results = files.results("merchants.csv", 3);
        JsonNode first = results.get(1);
        assertThat(first.path("externalId").asText()).isEqualTo("M-001");
        assertThat(first.path("status").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
        assertThat(first.path("results").fieldNames()).toIterable().containsExactlyInAnyOrder("ahamove", "ghtk");
        assertThat(first.path("results").findValues("credentials")).as("credentials stay out of result files").isEmpty();
        JsonNode second = results.get(2);
        assertThat(second.path("externalId").asText()).isEqualTo("M-002");
        assertThat(second.path("status").asText()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(second.at("/results/socdo/status").asText()).isEqualTo("SUCCEEDED");
        JsonNode third = results.get(3);
        assertThat(third.path("status").asText()).isEqualTo("FAILED");
        assertThat(third.at("/error/code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(third.at("/error/violations").findValuesAsText("field")).contains("merchant.phone");
        // M-003 names no provider, so the default ones are asked: the violations say which and how to choose
        assertThat(third.at("/error/violations").findValuesAsText("message"))
                .anySatisfy(m -> assertThat(m).contains("providers defaults to ahamove, ghtk, its, socdo"));

        JsonNode summary = files.summary("merchants.csv");
        assertThat(summary.path("records").asInt()).isEqualTo(3);
        // no record waits for the merchant: the worklist is its header alone (after the byte order mark)
        assertThat(Files.readString(files.outbox.resolve("merchants.actions.csv"))).isEqualTo(
                "\uFEFF\"line\",\"external_id\",\"name\",\"phone\",\"providers\",\"merchant_link\",\"link_expires_at\"\r\n");
        assertThat(Files.readString(files.done("merchants.csv"))).doesNotContain("shop-password");
    }
}
