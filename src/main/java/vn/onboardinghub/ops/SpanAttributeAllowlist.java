package vn.onboardinghub.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What leaves the hub in a span, by allowlist: every span goes to the exporter with only the attributes named here
 * (and its events with only those too), whatever Camel's span decorators put on it. They add the endpoint's URI and
 * query string ({@code camel.uri}, {@code url.query}, {@code http.url}: Ahamove's call carries the merchant's phone,
 * name and the hub's api_key in its query), paths, file names, log lines and exception messages; none of these is
 * exported. What is kept are ids and kinds: the operation, the component, HTTP method and status, the queue's name,
 * the message and exchange ids, and whether it failed.
 */
public final class SpanAttributeAllowlist implements SpanExporter {
    /** Camel's telemetry tags (org.apache.camel.telemetry.TagConstants) that hold no merchant data or secret. */
    static final Set<String> ALLOWED = Set.of("op", "component", "exchangeId", "error", "error.kind", "url.scheme",
            "http.method", "http.status_code", "messaging.destination.name", "messaging.message.id",
            // the hub's own on an event's delivery (Traces)
            Traces.EVENT_TYPE, Traces.CHANNEL);

    private final SpanExporter exporter;

    public SpanAttributeAllowlist(SpanExporter exporter) {
        this.exporter = exporter;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        return exporter.export(spans.stream().map(SpanAttributeAllowlist::allowed).toList());
    }

    static SpanData allowed(SpanData span) {
        Attributes attributes = allowed(span.getAttributes());
        List<EventData> events = span.getEvents().stream().map(e -> {
            Attributes kept = allowed(e.getAttributes());
            return EventData.create(e.getEpochNanos(), e.getName(), kept, kept.size());
        }).toList();
        return new DelegatingSpanData(span) {
            @Override
            public Attributes getAttributes() {
                return attributes;
            }

            @Override
            public int getTotalAttributeCount() {
                return attributes.size();
            }

            @Override
            public List<EventData> getEvents() {
                return events;
            }

            @Override
            public int getTotalRecordedEvents() {
                return events.size();
            }
        };
    }

    private static Attributes allowed(Attributes attributes) {
        AttributesBuilder kept = Attributes.builder();
        attributes.forEach((key, value) -> {
            if (ALLOWED.contains(key.getKey())) {
                @SuppressWarnings("unchecked")
                AttributeKey<Object> k = (AttributeKey<Object>) key;
                kept.put(k, value);
            }
        });
        return kept.build();
    }

    @Override
    public CompletableResultCode flush() {
        return exporter.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return exporter.shutdown();
    }
}
