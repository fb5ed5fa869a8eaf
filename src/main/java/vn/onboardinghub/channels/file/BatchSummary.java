package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counts of {@code <name>.summary.json}, added to by the record threads as results come in (never a list of the
 * results themselves): by overall status, by provider and provider status, and by error code (a record refused by
 * validation counts its {@code INVALID_REQUEST}; each provider error counts its own code).
 */
final class BatchSummary {
    private static final OnboardingResult.Status[] OVERALL = {OnboardingResult.Status.SUCCEEDED,
            OnboardingResult.Status.PARTIAL, OnboardingResult.Status.ACTION_REQUIRED, OnboardingResult.Status.FAILED};

    private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> byProvider = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byErrorCode = new ConcurrentHashMap<>();

    void add(OnboardingResult result) {
        count(byStatus, result.status().name());
        if (result.error() != null) {
            count(byErrorCode, result.error().code());
        }
        if (result.results() != null) {
            result.results().forEach((provider, r) -> {
                count(byProvider.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()), r.status().name());
                if (r.error() != null) {
                    count(byErrorCode, r.error().code().name());
                }
            });
        }
    }

    ObjectNode toJson(ObjectMapper mapper, String file, long records, Instant startedAt, Instant finishedAt) {
        ObjectNode json = mapper.createObjectNode()
                .put("file", file)
                .put("records", records)
                .put("startedAt", startedAt.toString())
                .put("finishedAt", finishedAt.toString());
        ObjectNode status = json.putObject("byStatus");
        for (OnboardingResult.Status s : OVERALL) {
            status.put(s.name(), total(byStatus.get(s.name())));
        }
        ObjectNode providers = json.putObject("byProvider");
        new TreeMap<>(byProvider).forEach((provider, counts) -> {
            ObjectNode p = providers.putObject(provider);
            for (ProviderResult.ProviderStatus s : ProviderResult.ProviderStatus.values()) {
                p.put(s.name(), total(counts.get(s.name())));
            }
        });
        ObjectNode errors = json.putObject("byErrorCode");
        new TreeMap<>(byErrorCode).forEach((code, count) -> errors.put(code, count.sum()));
        return json;
    }

    private static void count(Map<String, LongAdder> counts, String key) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long total(LongAdder adder) {
        return adder == null ? 0 : adder.sum();
    }
}
