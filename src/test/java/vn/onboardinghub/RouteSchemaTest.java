package vn.onboardinghub;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.i18n.MessageSource;
import com.networknt.schema.path.PathType;
import com.networknt.schema.serialization.node.TokenStreamLocationAware;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every YAML route the hub ships is valid against the YAML DSL's own JSON schema (schema/camelYamlDsl.json, inside
 * camel-yaml-dsl), so editors and route tools that read that schema understand the routes as Camel does.
 */
class RouteSchemaTest {

    /** Where the YAML DSL ships its schema, on the classpath. */
    private static final String SCHEMA = "classpath:schema/camelYamlDsl.json";

    /** The folders whose *.camel.yaml files are routes (the top-level routes/ and any under the main resources). */
    private static final List<Path> ROUTE_FOLDERS = List.of(Path.of("routes"), Path.of("src/main/resources"));

    private static Schema schema;

    @BeforeAll
    static void loadSchema() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH)
                .messageSource(validatorsOwnMessages()).build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4,
                builder -> builder.schemaRegistryConfig(config).nodeReader(reader -> reader.locationAware()));
        schema = registry.getSchema(SchemaLocation.of(SCHEMA));
        schema.initializeValidators();
    }

    /**
     * The validator's messages from its own jar: another test dependency (the provider simulators' standalone jar)
     * carries an older copy of the same bundle name, whose placeholders do not match this version's arguments.
     */
    private static MessageSource validatorsOwnMessages() {
        URL jar = SchemaRegistry.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader onlyTheValidator = new URLClassLoader(new URL[] {jar}, null)) {
            ResourceBundle bundle = ResourceBundle.getBundle("jsv-messages", Locale.ROOT, onlyTheValidator);
            return (key, defaultMessage, locale, arguments) -> bundle.containsKey(key)
                    ? new MessageFormat(bundle.getString(key), Locale.ROOT).format(arguments)
                    : defaultMessage.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> routeFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path folder : ROUTE_FOLDERS) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void theRoutesAreFound() throws IOException {
        assertThat(routeFiles()).as("YAML routes under %s", ROUTE_FOLDERS)
                .contains(Path.of("routes/api.camel.yaml"), Path.of("routes/onboarding.camel.yaml"),
                        Path.of("routes/providers/its.camel.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void everyRouteFileIsValidAgainstTheYamlDslSchema(Path file) {
        List<String> errors = validate(read(file));
        assertThat(errors).as("%s against %s:%n%s", file, SCHEMA, String.join("\n", errors)).isEmpty();
    }

    static Stream<Arguments> brokenRoutes() {
        return Stream.of(
                Arguments.of("a constant written as a YAML boolean (the schema wants a string)",
                        """
                        - route:
                            id: broken
                            from:
                              uri: direct:broken
                              steps:
                                - setHeader:
                                    name: accepted
                                    constant: true
                        """,
                        "$[0].route.from.steps[0].setHeader.constant"),
                Arguments.of("a boolean option written as a string",
                        """
                        - route:
                            id: broken
                            from:
                              uri: direct:broken
                              steps:
                                - split:
                                    simple: ${body}
                                    parallelProcessing: "true"
                                    steps:
                                      - to: mock:part
                        """,
                        "$[0].route.from.steps[0].split.parallelProcessing"),
                Arguments.of("a step the DSL does not know",
                        """
                        - route:
                            id: broken
                            from:
                              uri: direct:broken
                              steps:
                                - sendTo: mock:nowhere
                        """,
                        "$[0].route.from.steps[0]"),
                Arguments.of("a placeholder where the schema wants a number",
                        """
                        - route:
                            id: broken
                            from:
                              uri: direct:broken
                              steps:
                                - circuitBreaker:
                                    resilience4jConfiguration:
                                      bulkheadMaxConcurrentCalls: "{{maxConcurrency}}"
                                    steps:
                                      - to: mock:guarded
                        """,
                        "$[0].route.from.steps[0].circuitBreaker.resilience4jConfiguration.bulkheadMaxConcurrentCalls"));
    }

    /** The check cannot pass by validating nothing: routes the DSL rejects are reported where they go wrong. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRoutes")
    void aBrokenRouteIsReported(String what, String yaml, String where) {
        List<String> errors = validate(yaml);
        assertThat(errors).as(what).isNotEmpty().anySatisfy(e -> assertThat(e).contains(" " + where + ": "));
    }

    @Test
    void aValidSnippetPasses() {
        assertThat(validate("""
                - route:
                    id: fine
                    from:
                      uri: direct:fine
                      steps:
                        - setHeader:
                            name: accepted
                            constant: "true"
                        - to: mock:fine
                """)).isEmpty();
    }

    /**
     * The schema's errors for a YAML text, as "line N: $.path: message". A value the DSL rejects fails every branch of
     * the schema's oneOf/anyOf choices, each reported at the enclosing node too; only the innermost errors are kept
     * (those under which no other error lies), which name the offending value itself.
     */
    private static List<String> validate(String yaml) {
        List<Error> errors = schema.validate(yaml, InputFormat.YAML);
        List<String> locations = errors.stream().map(e -> e.getInstanceLocation().toString()).distinct().toList();
        return errors.stream()
                .filter(e -> locations.stream().noneMatch(other -> isInside(other, e.getInstanceLocation().toString())))
                .map(RouteSchemaTest::describe).distinct().collect(Collectors.toList());
    }

    private static boolean isInside(String path, String parent) {
        return path.startsWith(parent + ".") || path.startsWith(parent + "[");
    }

    /** "line N: $.path: message" for one error, the line being where the offending YAML node starts. */
    private static String describe(Error error) {
        String line = error.getInstanceNode() instanceof TokenStreamLocationAware located
                && located.tokenStreamLocation() != null
                        ? "line " + located.tokenStreamLocation().getLineNr() + ": "
                        : "";
        return line + error.getInstanceLocation() + ": " + error.getMessage();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
