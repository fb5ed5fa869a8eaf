package vn.onboardinghub.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CPU samples ({@code jdk.ExecutionSample}) of a JFR recording, summed two ways: by the method on top of the stack
 * (where the CPU is spent) and by the code areas anywhere on the stack (what the spending is for).
 */
record JfrProfile(long samples, Map<String, Long> topFrames, Map<String, Long> areasOnStack) {

    /** Code areas by package prefix, most specific first. */
    private static final List<String[]> AREAS = List.of(
            new String[]{"org.h2.", "H2 database"},
            new String[]{"com.github.tomakehurst.wiremock.", "WireMock (sandbox)"},
            new String[]{"org.eclipse.jetty.", "Jetty (WireMock)"},
            new String[]{"jdk.internal.loader.", "class loading"},
            new String[]{"java.lang.ClassLoader", "class loading"},
            new String[]{"java.util.zip.", "jar reading (zip)"},
            new String[]{"org.apache.camel.main.", "Camel Main start-up"},
            new String[]{"com.zaxxer.hikari.", "HikariCP pool"},
            new String[]{"org.flywaydb.", "Flyway"},
            new String[]{"vn.onboardinghub.store.", "hub: result store (incl. encryption)"},
            new String[]{"javax.crypto.", "JDK crypto (AES-GCM)"},
            new String[]{"com.sun.crypto.", "JDK crypto (AES-GCM)"},
            new String[]{"vn.onboardinghub.channels.file.", "hub: file channel"},
            new String[]{"vn.onboardinghub.providers.", "hub: provider adapters"},
            new String[]{"vn.onboardinghub.", "hub: other"},
            new String[]{"org.apache.hc.", "Apache HttpClient 5 (camel-http)"},
            new String[]{"org.apache.camel.component.platform.http.", "Camel platform-http (REST)"},
            new String[]{"io.vertx.", "Vert.x (platform-http server)"},
            new String[]{"io.netty.", "Netty"},
            new String[]{"io.github.resilience4j.", "Resilience4j"},
            new String[]{"org.apache.camel.component.resilience4j.", "Resilience4j"},
            new String[]{"org.apache.camel.dsl.yaml.", "Camel YAML DSL"},
            new String[]{"org.apache.camel.language.simple.", "Camel simple language"},
            new String[]{"org.apache.camel.support.processor.", "Camel routing engine"},
            new String[]{"org.apache.camel.processor.", "Camel routing engine"},
            new String[]{"org.apache.camel.impl.engine.", "Camel routing engine"},
            new String[]{"org.apache.camel.", "Camel other"},
            new String[]{"org.apache.activemq.", "ActiveMQ Artemis"},
            new String[]{"com.fasterxml.jackson.", "Jackson JSON"},
            new String[]{"org.apache.commons.csv.", "Commons CSV"},
            new String[]{"ch.qos.logback.", "logging"},
            new String[]{"org.slf4j.", "logging"},
            new String[]{"org.apache.logging.", "logging"},
            new String[]{"sun.nio.", "JDK NIO / sockets"},
            new String[]{"java.net.", "JDK networking"},
            new String[]{"java.util.regex.", "JDK regex"},
            new String[]{"java.util.concurrent.", "JDK concurrency"});

    static JfrProfile read(Path recording, int top) throws IOException {
        Map<String, Long> frames = new HashMap<>();
        Map<String, Long> areas = new HashMap<>();
        long samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            frames.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : stack.getFrames()) {
                String type = frame.getMethod().getType().getName();
                for (String[] area : AREAS) {
                    if (type.startsWith(area[0])) {
                        seen.add(area[1]);
                        break;
                    }
                }
            }
            seen.forEach(area -> areas.merge(area, 1L, Long::sum));
        }
        return new JfrProfile(samples, topN(frames, top), topN(areas, AREAS.size()));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static Map<String, Long> topN(Map<String, Long> counts, int n) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }
}
