package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.TestHub;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.providers.ProviderAdapter;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live owner whose batch is stuck (a record that never finishes) is treated like a dead one: after
 * {@code hub.file.stalled-after-seconds} it gives the batch up and releases the inbox, and the batch resumes from what
 * is stored (here, alone, by the same instance once it takes the inbox again); the stuck record's provider is called
 * again, and that repeat is counted.
 */
class StalledOwnerTest {

    @Test
    void stuckBatchIsGivenUpAndResumed(@TempDir Path dataDir) throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        try (TestHub hub = TestHub.start(Map.of("hub.sandbox.enabled", "true", "hub.data-dir", dataDir.toString(),
                "hub.file.read-lock-min-age-ms", "200", "hub.file.stalled-after-seconds", "2",
                "hub.file.takeover-after-seconds", "2"))) {
            // record X-2's providers answered, but its onboarding never gets to store the result (a thread stuck for good)
            AtomicBoolean first = new AtomicBoolean(true);
            AdviceWith.adviceWith(hub.context(), "onboarding", route -> route.weaveById("aggregate-and-store").before()
                    .process(exchange -> {
                        OnboardingRequest request = exchange.getProperty(ProviderAdapter.REQUEST, OnboardingRequest.class);
                        if (request.merchant().externalId().equals("X-2") && first.getAndSet(false)) {
                            stuck.await();
                        }
                    }));
            FileDrop files = new FileDrop(dataDir);

            files.drop("stuck.csv", "external_id,name,phone,providers\nX-1,One,0912345601,ahamove\n"
                    + "X-2,Two,0912345602,ahamove\nX-3,Three,0912345603,ahamove\n");

            files.awaitDone("stuck.csv");
            Map<Integer, JsonNode> results = files.results("stuck.csv", 3);
            assertThat(results.values()).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED"));
            assertThat(files.summary("stuck.csv").at("/byStatus/SUCCEEDED").asInt()).isEqualTo(3);
            // X-2 was left PENDING by the stuck run: the resumed batch took it over and called Ahamove again
            assertThat(hub.get(hub.managementUrl("/observe/metrics"), null).body())
                    .contains("hub_provider_repeated_calls_total{provider=\"ahamove\"} 1.0");
            // the stuck thread goes on now: what it does (its result, the end of its run) changes nothing
            stuck.countDown();
            assertThat(files.results("stuck.csv", 3)).isEqualTo(results);
        } finally {
            stuck.countDown();
        }
    }
}
