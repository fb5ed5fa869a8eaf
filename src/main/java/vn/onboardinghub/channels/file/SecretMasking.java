package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps a processed file without its secrets: the copy that goes to {@code .done/} or {@code .error/} has every
 * password replaced by {@value #MASK} — CSV columns named {@code ghtk_password} (or any other {@code *password}),
 * NDJSON fields named {@code password} at any depth. Everything else is kept byte for byte where possible: a CSV
 * without a password column and NDJSON lines without a password are copied unchanged. A file that is not UTF-8 is
 * masked as ISO-8859-1 text, which leaves its other bytes intact.
 */
final class SecretMasking {
    static final String MASK = "***";
    /** For a line that is not JSON: {@code "password": "…"} (or a bare value), up to the closing quote or line end. */
    private static final Pattern PASSWORD_IN_BROKEN_JSON =
            Pattern.compile("(\"password\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,}\\]\\s]+)", Pattern.CASE_INSENSITIVE);

    private final ObjectMapper mapper;

    SecretMasking(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Writes the masked copy of {@code source} to {@code target} (atomically: a hidden temporary file, then a rename). */
    void copy(Path source, BatchFormat format, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            try {
                write(source, format, temporary, true);
            } catch (IOException | UncheckedIOException e) {
                if (!BatchText.isUtf8Error(e)) {
                    throw e;
                }
                write(source, format, temporary, false);
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private void write(Path source, BatchFormat format, Path target, boolean utf8) throws IOException {
        Charset charset = utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        if (format == BatchFormat.CSV) {
            csv(source, target, utf8, charset);
        } else {
            ndjson(source, target, utf8, charset);
        }
    }

    private void csv(Path source, Path target, boolean utf8, Charset charset) throws IOException {
        try (BufferedReader text = (BufferedReader) BatchText.reader(source, utf8);
             CSVParser parser = CSVParser.builder().setReader(text).setFormat(CsvColumns.FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            CSVRecord header = records.hasNext() ? records.next() : null;
            List<Integer> secret = new ArrayList<>();
            for (int i = 0; header != null && i < header.size(); i++) {
                if (CsvColumns.isSecret(header.get(i))) {
                    secret.add(i);
                }
            }
            if (secret.isEmpty()) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                return;
            }
            try (Writer out = writer(target, charset); CSVPrinter printer = new CSVPrinter(out, CsvColumns.FORMAT)) {
                printer.printRecord(header.toList());
                while (records.hasNext()) {
                    List<String> values = records.next().toList();
                    for (int i : secret) {
                        if (i < values.size() && !values.get(i).isEmpty()) {
                            values.set(i, MASK);
                        }
                    }
                    printer.printRecord(values);
                }
            }
        }
    }

    private void ndjson(Path source, Path target, boolean utf8, Charset charset) throws IOException {
        try (BufferedReader text = (BufferedReader) BatchText.reader(source, utf8); Writer out = writer(target, charset)) {
            for (String line = text.readLine(); line != null; line = text.readLine()) {
                out.write(maskLine(line));
                out.write('\n');
            }
        }
    }

    private String maskLine(String line) {
        if (line.isBlank()) {
            return line;
        }
        try {
            JsonNode json = mapper.readTree(line);
            if (json != null && maskPasswords(json)) {
                return mapper.writeValueAsString(json);
            }
        } catch (IOException notJson) {
            // a malformed line: masked by pattern below
        }
        // also catches a password in text after a valid JSON value on the same line
        return PASSWORD_IN_BROKEN_JSON.matcher(line).replaceAll("$1\"" + MASK + "\"");
    }

    /** Replaces every {@code password} value in the tree; true when something was replaced. */
    private static boolean maskPasswords(JsonNode node) {
        boolean masked = false;
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if ("password".equalsIgnoreCase(field.getKey()) && !field.getValue().isNull()
                        && !MASK.equals(field.getValue().asText())) {
                    field.setValue(TextNode.valueOf(MASK));
                    masked = true;
                } else {
                    masked |= maskPasswords(field.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode element : node) {
                masked |= maskPasswords(element);
            }
        }
        return masked;
    }

    private static Writer writer(Path target, Charset charset) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(target), charset));
    }
}
