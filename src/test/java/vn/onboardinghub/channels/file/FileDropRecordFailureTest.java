package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A record whose processing crashes (not a validation or provider failure) still gets its one result line. */
class FileDropRecordFailureTest {

    @Test
    void recordThatCrashesGetsAFailedResultAndTheBatchGoesOn(@TempDir Path dataDir) throws Exception {
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.data-dir", dataDir.toString(),
                "hub.file.read-lock-min-age-ms", "200"))) {
            // an unexpected error in one record (an outage of the database is not one: DatabaseOutageBatchTest)
            AdviceWith.adviceWith(hub.context(), "intake-file", route -> route.weaveById("record-onboard").before()
                    .filter(route.body().contains("X-2")).throwException(new IllegalStateException("store unavailable")));
            FileDrop files = new FileDrop(dataDir);

            files.drop("crash.csv", "external_id,name,phone,providers\nX-1,One,0912345601,ahamove\n"
                    + "X-2,Two,0912345602,ahamove\nX-3,Three,0912345603,ahamove\n");
            files.awaitDone("crash.csv");

            Map<Integer, JsonNode> results = files.results("crash.csv", 3);
            assertThat(results.get(1).path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(results.get(2).path("status").asText()).isEqualTo("FAILED");
            assertThat(results.get(2).at("/error/code").asText()).isEqualTo(FileBatches.RECORD_FAILED);
            assertThat(results.get(3).path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(files.summary("crash.csv").at("/byErrorCode/" + FileBatches.RECORD_FAILED).asInt()).isEqualTo(1);
        }
    }
}
