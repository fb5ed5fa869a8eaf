package vn.onboardinghub.ops;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.apache.camel.Exchange;
import org.apache.camel.telemetry.SpanStorageManagerExchange;

import java.util.HashMap;

import java.util.Map;

/**
 * Carries a trace across the event outbox (docs/operations.md "Traces"): the W3C {@code traceparent} of the span a
 * change is stored in goes with its queued events, and each delivery attempt is a span of that trace whose own
 * {@code traceparent} travels with the webhook or bus message. With tracing off there is no span: nothing is stored,
 * nothing is sent.
 */
public final class Traces {
    /** Attributes the hub sets on a delivery span (exported: {@link SpanAttributeAllowlist}). */
    static final String EVENT_TYPE = "hub.event.type";
    static final String CHANNEL = "hub.channel";

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Traces() {
    }

    /** The hub's tracer, looked up when first needed (it is bound once tracing is configured); null when tracing is off. */
    public static java.util.function.Supplier<Tracer> hubTracer(org.apache.camel.CamelContext context) {
        return () -> context.getRegistry().lookupByNameAndType(TracingConfiguration.TRACER, Tracer.class);
    }

    /**
     * Makes the exchange's active span (Camel's telemetry keeps it on the exchange) the current one of this thread until
     * the scope is closed, for work that reads {@link #currentTraceparent} on a thread where Camel did not make it
     * current (e.g. the fan-out's completion). A no-op when tracing is off, or a span is current already.
     */
    public static Scope activate(Exchange exchange) {
        if (Span.current().getSpanContext().isValid()) {
            return Scope.noop();
        }
        org.apache.camel.telemetry.Tracer camel = exchange.getContext().getRegistry()
                .lookupByNameAndType(TracingConfiguration.CAMEL_TRACER, org.apache.camel.telemetry.Tracer.class);
        org.apache.camel.telemetry.Span active = camel == null ? null : new SpanStorageManagerExchange().peek(exchange);
        if (active == null) {
            return Scope.noop();
        }
        Map<String, String> carrier = new HashMap<>();
        camel.getSpanLifecycleManager().inject(active, carrier::put, false);
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, GETTER).makeCurrent();
    }

    /** The {@code traceparent} of the span current on this thread, or null (no span: tracing off, or none started). */
    public static String currentTraceparent() {
        return traceparent(Span.current().getSpanContext());
    }

    private static String traceparent(SpanContext context) {
        return context.isValid()
                ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex() : null;
    }

    /** One delivery attempt as a span; {@link #NONE} when tracing is off or the event was stored outside a trace. */
    public interface Delivery extends AutoCloseable {
        /** The attempt's own {@code traceparent} for the receiver, or null. */
        String traceparent();

        void outcome(Integer status, String error);

        @Override
        void close();
    }

    public static final Delivery NONE = new Delivery() {
        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public void outcome(Integer status, String error) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Starts the span of one attempt at delivering event {@code eventId} on {@code channel}, a child of the span its
     * change was stored in ({@code parent}). {@code tracer}: the hub's, null when tracing is off.
     */
    public static Delivery delivery(Tracer tracer, String parent, String channel, String eventId, String type) {
        if (tracer == null || parent == null) {
            return NONE;
        }
        Context parentContext = W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", parent), GETTER);
        Span span = tracer.spanBuilder(channel + " delivery").setParent(parentContext).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(CHANNEL, channel).setAttribute(EVENT_TYPE, type).setAttribute("messaging.message.id", eventId)
                .startSpan();
        return new Delivery() {
            @Override
            public String traceparent() {
                return Traces.traceparent(span.getSpanContext());
            }

            @Override
            public void outcome(Integer status, String error) {
                if (status != null) {
                    span.setAttribute("http.status_code", status);
                }
                if (error != null) {
                    span.setAttribute("error", true);
                    span.setStatus(StatusCode.ERROR);
                }
            }

            @Override
            public void close() {
                span.end();
            }
        };
    }
}
