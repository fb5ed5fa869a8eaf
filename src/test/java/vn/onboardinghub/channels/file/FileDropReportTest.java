package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.WithHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code <name>.report.html} next to the summary: a self-contained page with the counts, each error code with the
 * provider's own message and the records it hit, every text HTML-escaped, no secret in it.
 */
// credentials in the results file, so the test can check that none of them reaches the report
@WithHub({"hub.sandbox.enabled=true", "hub.file.read-lock-min-age-ms=500", "hub.file.include-credentials=true"})
class FileDropReportTest {
    static TestHub hub;
    static FileDrop files;

    @BeforeAll
    static void files() {
        files = new FileDrop(hub.dataDir());
    }

    @Test
    void reportShowsCountsAndErrorsWithProviderMessagesEscapedAndWithoutSecrets() throws Exception {
        files.drop("shops <b>&.csv", String.join("\n",
                "external_id,name,phone,email,providers,ghtk_password",
                "R-1,Shop One,0912345601,r1@example.vn,ahamove;ghtk,report-Secret-1",
                "<script>alert('x')</script>,Shop <i>Two</i>,0912345602,r2@example.vn,ahamove;ghtk,wrong-password",
                "R-3,Bad Phone,0912,r3@example.vn,ahamove,",
                ""));
        files.awaitDone("shops <b>&.csv");

        Path report = files.outbox.resolve("shops <b>&.report.html");
        assertThat(report).exists();
        assertThat(files.summaryFile("shops <b>&.csv")).exists();
        String html = Files.readString(report);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "</html>")
                .as("self-contained: no script, no external resource").doesNotContain("<script", "src=", "href=", "@import", "url(")
                .contains("Batch report: shops &lt;b&gt;&amp;.csv", "3 records", "client file:shops &lt;b&gt;&amp;.csv");
        // counts by overall status and by provider, as in the summary
        assertThat(html).contains("<td>SUCCEEDED</td><td class=\"n\">1</td>", "<td>PARTIAL</td><td class=\"n\">1</td>",
                "<td>FAILED</td><td class=\"n\">1</td>", "<td>ahamove</td><td class=\"n\">2</td>",
                "<td>ghtk</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">1</td>");
        // error codes with the provider's own words and the records they hit
        assertThat(html).contains("<code>INVALID_CREDENTIALS</code>", "<b>ghtk</b>: Dữ liệu đăng nhập không hợp lệ",
                "<code>INVALID_REQUEST</code>", "<li>3: R-3</li>");
        // the merchant's own text (its externalId) is shown, escaped
        assertThat(html).contains("<li>2: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <span class=\"muted\">(ghtk)</span></li>")
                .doesNotContain("<i>Two</i>");

        List<String> secrets = new ArrayList<>(List.of("report-Secret-1", "wrong-password"));
        for (JsonNode result : files.results("shops <b>&.csv", 3).values()) {
            result.path("results").forEach(r -> r.path("credentials").forEach(c -> secrets.add(c.asText())));
        }
        assertThat(secrets).as("credentials issued, to look for").hasSizeGreaterThan(3);
        assertThat(secrets).noneMatch(html::contains);
    }
}
