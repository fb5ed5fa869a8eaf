package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a processed file without its secrets: the copy that goes to {@code .done/} or {@code .error/} has every
 * secret ({@link SecretFields}: the fields the providers declare secret, and any {@code *password}) replaced by
 * {@value #MASK} — CSV columns such as {@code ghtk_password}, NDJSON fields such as {@code ghtk.password}. A file with
 * nothing to mask (a CSV without a secret column, NDJSON without a secret) is moved unchanged. A file that is not UTF-8 is masked as ISO-8859-1 text, which leaves
 * its other bytes intact. Reading is bounded like a batch's ({@link BatchLimits}): a value over the limit is cut in
 * the copy, an NDJSON line over it is replaced by a line saying so.
 */
final class SecretMasking {
    static final String MASK = "***";

    private final ObjectMapper mapper;
    private final BatchLimits limits;
    private final SecretFields secrets;

    SecretMasking(ObjectMapper mapper, BatchLimits limits, SecretFields secrets) {
        this.mapper = mapper;
        this.limits = limits;
        this.secrets = secrets;
    }

    /**
     * Keeps {@code source} as {@code target} without its secrets, and removes {@code source}: a file with nothing to
     * mask is moved (renamed, byte for byte); otherwise its masked copy is written (atomically) first, and only then is
     * the source deleted. When the copy cannot be written, the source stays where it is.
     */
    void keep(Path source, BatchFormat format, Path target) throws IOException {
        PrivateFiles.folder(target.getParent());
        boolean masked;
        try {
            masked = write(source, format, target, true);
        } catch (IOException | UncheckedIOException e) {
            if (!BatchText.isUtf8Error(e)) {
                throw e;
            }
            masked = write(source, format, target, false);
        }
        if (masked) {
            Files.delete(source);
        } else {
            PrivateFiles.move(source, target);
        }
    }

    /** Writes the masked copy to {@code target}; false when nothing needed masking (the source is then moved). */
    private boolean write(Path source, BatchFormat format, Path target, boolean utf8) throws IOException {
        Charset charset = utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        return format == BatchFormat.CSV ? csv(source, target, utf8, charset) : ndjson(source, target, utf8, charset);
    }

    private boolean csv(Path source, Path target, boolean utf8, Charset charset) throws IOException {
        try (Reader text = new BoundedCsvText(BatchText.reader(source, utf8), limits.maxRecordChars(), limits.maxFieldChars());
             CSVParser parser = CSVParser.builder().setReader(text).setFormat(CsvColumns.FORMAT).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            CSVRecord header = records.hasNext() ? records.next() : null;
            List<Integer> secret = new ArrayList<>();
            for (int i = 0; header != null && i < header.size(); i++) {
                if (secrets.isSecretColumn(header.get(i))) {
                    secret.add(i);
                }
            }
            if (secret.isEmpty()) {
                return false;
            }
            PrivateFiles.writeAtomically(target, out -> {
                try (Writer writer = new BufferedWriter(new OutputStreamWriter(out, charset));
                     CSVPrinter printer = new CSVPrinter(writer, CsvColumns.FORMAT)) {
                    printer.printRecord(withoutMarks(header.toList()));
                    while (records.hasNext()) {
                        CSVRecord record = records.next();
                        // a value over the limits was cut there while reading: the copy keeps what was read
                        List<String> values = withoutMarks(record.toList());
                        for (int i : secret) {
                            if (i < values.size() && !values.get(i).isEmpty()) {
                                values.set(i, MASK);
                            }
                        }
                        printer.printRecord(values);
                    }
                }
            });
            return true;
        }
    }

    private static List<String> withoutMarks(List<String> values) {
        List<String> clean = new ArrayList<>(values.size());
        for (String value : values) {
            clean.add(value.replace(String.valueOf(BoundedCsvText.MARK), ""));
        }
        return clean;
    }

    private boolean ndjson(Path source, Path target, boolean utf8, Charset charset) throws IOException {
        AtomicBoolean changed = new AtomicBoolean();
        try (BoundedLines lines = new BoundedLines(BatchText.reader(source, utf8), limits.maxRecordChars())) {
            PrivateFiles.writeAtomically(target, out -> {
                try (Writer writer = new BufferedWriter(new OutputStreamWriter(out, charset))) {
                    for (BoundedLines.Line line = lines.next(); line != null; line = lines.next()) {
                        String kept = line.tooLong()
                                // never held in memory, so not kept: a JSON text that says so, still one record
                                ? "\"line " + line.number() + " was longer than the limit of " + limits.maxRecordChars()
                                        + " characters and is not kept\""
                                : maskLine(line.text());
                        changed.compareAndSet(false, line.tooLong() || !kept.equals(line.text()));
                        writer.write(kept);
                        writer.write('\n');
                    }
                }
            });
        }
        return changed.get();
    }

    private String maskLine(String line) {
        if (line.isBlank()) {
            return line;
        }
        try {
            JsonNode json = mapper.readTree(line);
            if (json != null && secrets.mask(json, MASK)) {
                return mapper.writeValueAsString(json);
            }
        } catch (IOException notJson) {
            // a malformed line: masked by pattern below
        }
        // also catches a secret in text after a valid JSON value on the same line
        return secrets.maskBrokenJson(line, MASK);
    }
}
