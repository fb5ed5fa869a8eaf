package vn.onboardinghub.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onboardinghub.Settings;
import vn.onboardinghub.StartRefusedException;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Traces (docs/operations.md "Traces"), off unless {@code hub.tracing.otlp-endpoint} is set: then Camel's own
 * telemetry (camel-opentelemetry2) makes a span of every route and endpoint an exchange passes, continuing the caller's
 * W3C {@code traceparent} (REST header, JMS message property), and an OpenTelemetry SDK of the hub's own (not the
 * global one) sends them over OTLP/HTTP, each span through {@link SpanAttributeAllowlist}. Only W3C trace context is
 * propagated: no {@code baggage}. Unset, nothing here is created: no tracer, no span, no exporter.
 */
public class TracingConfiguration implements CamelConfiguration {
    /** The registry name of the hub's tracer (also used for the outbox's delivery spans, {@link Traces}). */
    static final String TRACER = "hubTracer";
    /** The registry name of Camel's telemetry tracer (it knows each exchange's active span, {@link Traces#activate}). */
    static final String CAMEL_TRACER = "hubCamelTracer";
    private static final Logger LOG = LoggerFactory.getLogger(TracingConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = Settings.of(context);
        Optional<String> endpoint = settings.optional("hub.tracing.otlp-endpoint");
        if (endpoint.isEmpty()) {
            return;
        }
        OtlpHttpSpanExporter exporter;
        try {
            exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint.get()).build();
        } catch (IllegalArgumentException notAUrl) {
            // one line naming the setting, never the value (it may carry a collector's token)
            throw new StartRefusedException("hub.tracing.otlp-endpoint (HUB_TRACING_OTLP_ENDPOINT) must be an http or https"
                    + " URL, e.g. http://otel-collector:4318/v1/traces; empty turns tracing off");
        }
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        settings.string("hub.tracing.service-name")))))
                .addSpanProcessor(BatchSpanProcessor.builder(new SpanAttributeAllowlist(exporter)).build())
                .build();
        // camel-opentelemetry2 takes the tracer and propagators bound here rather than the global ones
        context.getRegistry().bind(TRACER, Tracer.class, tracerProvider.get("onboarding-hub"));
        context.getRegistry().bind("hubTracePropagators", ContextPropagators.class,
                ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        // stopped after the tracer (services stop in reverse order): the spans still buffered are sent
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
            }
        }, true, true);
        OpenTelemetryTracer tracer = new OpenTelemetryTracer();
        // the periodic polls (timer routes: the abandoned-onboardings sweep …) would make a trace of each tick; what
        // a poll starts (an onboarding taken over) still starts a trace of its own
        tracer.setExcludePatterns("timer:*");
        tracer.init(context);
        context.getRegistry().bind(CAMEL_TRACER, tracer);
        // the endpoint only: a collector's URL may carry a token in its query
        LOG.info("traces are sent over OTLP to {}", endpoint.get().replaceAll("[?#].*", ""));
    }
}
