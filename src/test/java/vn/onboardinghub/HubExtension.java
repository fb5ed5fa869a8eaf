package vn.onboardinghub;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts the hub a test class asks for with {@link WithHub} before its tests and stops it after them (JUnit closes
 * what the class's store holds), so that a test class says which hub it needs and nothing else.
 */
public final class HubExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HubExtension.class);

    /** The started hub and its data directory, both gone once the class is done. */
    private record StartedHub(TestHub hub, Path dataDir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                hub.close();
            } finally {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        WithHub withHub = AnnotationSupport.findAnnotation(testClass, WithHub.class)
                .orElseThrow(() -> new IllegalStateException(testClass + " has no @WithHub"));
        Path dataDir = Files.createTempDirectory("hub-test");
        Map<String, String> settings = new LinkedHashMap<>(settings(withHub.value()));
        settings.putIfAbsent("hub.data-dir", dataDir.toString());
        StartedHub started = new StartedHub(TestHub.start(Path.of(settings.get("hub.data-dir")), settings), dataDir);
        context.getStore(NAMESPACE).put(TestHub.class, started);
        for (Field field : ReflectionSupport.findFields(testClass,
                field -> Modifier.isStatic(field.getModifiers()) && field.getType() == TestHub.class,
                HierarchyTraversalMode.TOP_DOWN)) {
            field.setAccessible(true);
            field.set(null, started.hub());
        }
    }

    static Map<String, String> settings(String... keyValues) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String keyValue : keyValues) {
            int equals = keyValue.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("@WithHub settings are key=value: " + keyValue);
            }
            settings.put(keyValue.substring(0, equals).strip(), keyValue.substring(equals + 1).strip());
        }
        return settings;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestHub.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(TestHub.class, StartedHub.class).hub();
    }
}
