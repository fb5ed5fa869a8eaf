package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import vn.onboardinghub.model.OnboardingResult;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code <name>.results.ndjson}: one line {@code {"line": n, ...result}} per record, appended by the record threads
 * as each record finishes (so in any order), and flushed at once so that progress is visible in the file.
 */
final class ResultsWriter implements Closeable {
    private final BufferedWriter out;
    private final ObjectMapper mapper;
    private final boolean includeCredentials;

    ResultsWriter(Path file, ObjectMapper mapper, boolean includeCredentials) throws IOException {
        // created new, never written through a link left at its name (rewritten from the start on a resume)
        this.out = new BufferedWriter(new OutputStreamWriter(PrivateFiles.createNew(file), StandardCharsets.UTF_8));
        this.mapper = mapper;
        this.includeCredentials = includeCredentials;
    }

    void write(long line, OnboardingResult result) throws IOException {
        ObjectNode json = mapper.createObjectNode().put("line", line);
        // provider credentials stay out of files unless hub.file.include-credentials=true (docs/contract.md "Result")
        json.setAll((ObjectNode) mapper.valueToTree(includeCredentials ? result : result.withoutCredentials()));
        String text = NdjsonLines.line(mapper.writeValueAsString(json));
        synchronized (this) {
            out.write(text);
            out.write('\n');
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
