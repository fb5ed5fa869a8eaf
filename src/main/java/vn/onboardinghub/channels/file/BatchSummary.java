package vn.onboardinghub.channels.file;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import vn.onboardinghub.model.OnboardingResult;
import vn.onboardinghub.model.ProviderResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Map<String, ErrorDetails> errorDetails = new ConcurrentHashMap<>();

    void add(long line, OnboardingResult result) {
        count(byStatus, result.status().name());
        if (result.error() != null) {
            count(byErrorCode, result.error().code());
            details(result.error().code()).add(null, result.error().message(), line, result.externalId());
        }
        if (result.results() != null) {
            result.results().forEach((provider, r) -> {
                count(byProvider.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()), r.status().name());
                if (r.error() != null) {
                    count(byErrorCode, r.error().code().name());
                    String words = r.error().providerMessage() != null ? r.error().providerMessage() : r.error().message();
                    details(r.error().code().name()).add(provider, words, line, result.externalId());
                }
            });
        }
    }

    /** By error code: its distinct messages and the first records it hit, for the HTML report. */
    Map<String, ErrorDetails> errorDetails() {
        return new TreeMap<>(errorDetails);
    }

    private ErrorDetails details(String code) {
        return errorDetails.computeIfAbsent(code, c -> new ErrorDetails());
    }

    /**
     * What an error code looked like in this batch, bounded whatever the file size: at most {@value #MAX_MESSAGES}
     * distinct messages (the provider's own words, or the hub's for a refused record) and the first
     * {@value #MAX_RECORDS} records. Results never hold credentials, so neither does this.
     */
    static final class ErrorDetails {
        static final int MAX_MESSAGES = 10;
        static final int MAX_RECORDS = 10;
        static final int MAX_MESSAGE_LENGTH = 500;

        /** {@code provider} is null for an error of the whole record (validation). */
        record Message(String provider, String text) {
        }

        record Record(long line, String externalId, String provider) {
        }

        private final Set<Message> messages = new LinkedHashSet<>();
        private final List<Record> records = new ArrayList<>();

        synchronized void add(String provider, String text, long line, String externalId) {
            if (text != null && messages.size() < MAX_MESSAGES) {
                messages.add(new Message(provider, text.length() > MAX_MESSAGE_LENGTH
                        ? text.substring(0, MAX_MESSAGE_LENGTH) + "…" : text));
            }
            if (records.size() < MAX_RECORDS) {
                records.add(new Record(line, externalId, provider));
            }
        }

        synchronized List<Message> messages() {
            return List.copyOf(messages);
        }

        /** The first records hit, in file order. */
        synchronized List<Record> records() {
            return records.stream().sorted(Comparator.comparingLong(Record::line)).toList();
        }
    }

    ObjectNode toJson(ObjectMapper mapper, String batchId, String file, long records, Instant startedAt, Instant finishedAt) {
        ObjectNode json = mapper.createObjectNode()
                // GET /api/v1/batches/{batchId}
                .put("batchId", batchId)
                .put("file", file)
                // who the batch's onboardings belong to (their "client"), as GET /api/v1/onboardings/{id} shows it
                .put("client", "file:" + file)
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
