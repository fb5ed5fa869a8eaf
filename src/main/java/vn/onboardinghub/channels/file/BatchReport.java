package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.owasp.encoder.Encode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code <outbox>/<name>.report.html}: the batch summary as a page a person reads — counts by overall status (with a
 * bar chart), by provider and status, and each error code with its messages and the first records it hit. One
 * self-contained file (inline CSS and SVG, no script, no external URL), so it opens anywhere, offline, attached to
 * a mail. Every text in it, the file name and the merchants' ids included, is HTML-encoded (OWASP Encoder); a
 * Content-Security-Policy forbids scripts besides.
 */
final class BatchReport {
    private static final String[] OVERALL = {"SUCCEEDED", "PARTIAL", "ACTION_REQUIRED", "FAILED"};
    private static final String[] PROVIDER_STATUSES = {"SUCCEEDED", "ACTION_REQUIRED", "FAILED"};
    private static final Map<String, String> COLORS = Map.of("SUCCEEDED", "#2e7d32", "PARTIAL", "#f9a825",
            "ACTION_REQUIRED", "#1565c0", "FAILED", "#c62828");
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#222;max-width:72rem}
            h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
            .meta{color:#555}table{border-collapse:collapse;margin:.5rem 0}
            th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
            th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
            code{background:#f5f5f5;padding:0 .2rem}ul{margin:0;padding-left:1.1rem}.muted{color:#777}
            """;

    private BatchReport() {
    }

    /** Writes the report atomically (a reader never sees half a page). */
    static void write(Path file, JsonNode summary, BatchSummary details) throws IOException {
        byte[] page = html(summary, details.errorDetails()).getBytes(StandardCharsets.UTF_8);
        PrivateFiles.writeAtomically(file, out -> out.write(page));
    }

    static String html(JsonNode summary, Map<String, BatchSummary.ErrorDetails> errors) {
        String file = summary.path("file").asText();
        StringBuilder html = new StringBuilder(8192);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Batch report: ").append(text(file)).append("</title><style>").append(STYLE)
                .append("</style></head><body>\n");
        html.append("<h1>Batch report: ").append(text(file)).append("</h1>\n<p class=\"meta\">")
                .append(summary.path("records").asLong()).append(" records · client ")
                .append(text(summary.path("client").asText())).append(" · started ")
                .append(text(summary.path("startedAt").asText())).append(" · finished ")
                .append(text(summary.path("finishedAt").asText())).append(" (UTC)</p>\n");

        html.append("<h2>Overall status</h2>\n");
        List<Bar> bars = new ArrayList<>();
        for (String status : OVERALL) {
            bars.add(new Bar(status, summary.path("byStatus").path(status).asLong()));
        }
        html.append(barChart(bars)).append("<table><tr><th>status</th><th>records</th></tr>\n");
        for (Bar bar : bars) {
            html.append("<tr><td>").append(text(bar.label)).append("</td><td class=\"n\">").append(bar.count).append("</td></tr>\n");
        }
        html.append("</table>\n");

        html.append("<h2>By provider</h2>\n");
        JsonNode providers = summary.path("byProvider");
        if (providers.isEmpty()) {
            html.append("<p class=\"muted\">No provider was called.</p>\n");
        } else {
            html.append("<table><tr><th>provider</th>");
            for (String status : PROVIDER_STATUSES) {
                html.append("<th>").append(text(status)).append("</th>");
            }
            html.append("</tr>\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> provider = it.next();
                html.append("<tr><td>").append(text(provider.getKey())).append("</td>");
                for (String status : PROVIDER_STATUSES) {
                    html.append("<td class=\"n\">").append(provider.getValue().path(status).asLong()).append("</td>");
                }
                html.append("</tr>\n");
            }
            html.append("</table>\n");
        }

        html.append("<h2>Errors</h2>\n");
        JsonNode byCode = summary.path("byErrorCode");
        if (byCode.isEmpty()) {
            html.append("<p class=\"muted\">No errors.</p>\n");
        } else {
            html.append("<table><tr><th>code</th><th>count</th><th>messages (the provider's own words)</th>")
                    .append("<th>first records (line: externalId)</th></tr>\n");
            for (Iterator<Map.Entry<String, JsonNode>> it = byCode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> code = it.next();
                BatchSummary.ErrorDetails details = errors.get(code.getKey());
                html.append("<tr><td><code>").append(text(code.getKey())).append("</code></td><td class=\"n\">")
                        .append(code.getValue().asLong()).append("</td><td><ul>");
                if (details != null) {
                    for (BatchSummary.ErrorDetails.Message message : details.messages()) {
                        html.append("<li>").append(message.provider() == null ? "" : "<b>" + text(message.provider()) + "</b>: ")
                                .append(text(message.text())).append("</li>");
                    }
                }
                html.append("</ul></td><td><ul>");
                if (details != null) {
                    for (BatchSummary.ErrorDetails.Record record : details.records()) {
                        html.append("<li>").append(record.line()).append(": ")
                                .append(record.externalId() == null ? "<span class=\"muted\">(no externalId)</span>" : text(record.externalId()))
                                .append(record.provider() == null ? "" : " <span class=\"muted\">(" + text(record.provider()) + ")</span>")
                                .append("</li>");
                    }
                }
                html.append("</ul></td></tr>\n");
            }
            html.append("</table>\n<p class=\"muted\">Each record's full result is its line in the results file.</p>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    private record Bar(String label, long count) {
    }

    /** Horizontal bars, one per status, scaled to the largest count. */
    private static String barChart(List<Bar> bars) {
        long max = Math.max(1, bars.stream().mapToLong(Bar::count).max().orElse(1));
        int rowHeight = 28;
        int labelWidth = 140;
        int barWidth = 420;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"records by overall status\" width=\"")
                .append(labelWidth + barWidth + 80).append("\" height=\"").append(bars.size() * rowHeight + 8)
                .append("\" font-size=\"13\">");
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = 4 + i * rowHeight;
            long width = Math.round((double) bar.count * barWidth / max);
            svg.append("<text x=\"0\" y=\"").append(y + 17).append("\">").append(text(bar.label)).append("</text>")
                    .append("<rect x=\"").append(labelWidth).append("\" y=\"").append(y + 4).append("\" width=\"")
                    .append(Math.max(width, bar.count > 0 ? 2 : 0)).append("\" height=\"18\" fill=\"")
                    .append(COLORS.getOrDefault(bar.label, "#607d8b")).append("\"/>")
                    .append("<text x=\"").append(labelWidth + width + 6).append("\" y=\"").append(y + 17).append("\">")
                    .append(bar.count).append("</text>");
        }
        return svg.append("</svg>\n").toString();
    }

    /** Text in element content (OWASP Encoder: &amp; &lt; &gt; &#34; &#39; encoded). */
    private static String text(String value) {
        return Encode.forHtml(value == null ? "" : value);
    }
}
