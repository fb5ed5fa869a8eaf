package vn.onboardinghub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.onboardinghub.model.InvalidRequestException;
import vn.onboardinghub.model.OnboardingRequest;
import vn.onboardinghub.model.ProviderResult;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;
import vn.onboardinghub.providers.ProviderSettings;
import vn.onboardinghub.validation.RequestReader;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ops/new-provider}, run as docs/adding-a-provider.md writes it, into a copy of the project's root: the provider
 * it creates from {@code ops/provider-template/} compiles (its tests included) against the test class path, is found
 * by the {@link ProviderCatalog} in its package, its sandbox answers the documented success and 400 which its adapter
 * maps, a request naming no provider does not get it, and a bad or taken name is refused with nothing written.
 * No hub is started: the generated contract test is what runs the provider through the hub.
 */
class NewProviderGeneratorTest {
    static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** The generator command of the doc, e.g. {@code ops/new-provider acme Acme}. */
    static final String COMMAND = Docs.read("docs/adding-a-provider.md").codeBlock("## Adding a provider", "bash", 0).strip();
    static final String NAME = COMMAND.split("\\s+")[1];
    static final String DISPLAY = COMMAND.split("\\s+", 3)[2];
    static final String PREFIX = Character.toUpperCase(NAME.charAt(0)) + NAME.substring(1);
    static final String PACKAGE = "vn.onboardinghub.providers." + NAME;

    @TempDir
    static Path copy;
    static String output;
    static URLClassLoader generated;
    static ClassLoader before;
    static CamelContext camel;
    /** The catalog of the generated provider's package, and the hub's (its default package). */
    static ProviderCatalog own;
    static ProviderCatalog all;

    @BeforeAll
    static void generateIntoACopyAndCompile() throws Exception {
        // what the copy holds besides: a provider of the hub's own package and one of another package (both taken
        // names), and the files the generator must leave alone
        copyTree("src/main/java/vn/onboardinghub/providers/ghtk");
        copyTree("src/test/java/vn/onboardinghub/extraproviders/viettelpost");
        copyTree("application.properties");
        copyTree("README.md");
        Map<Path, String> untouched = snapshot();

        Run run = run(COMMAND);

        assertThat(run.exit()).as(run.err()).isZero();
        output = run.out();
        assertThat(generatedFiles()).containsExactlyInAnyOrder(
                "src/main/java/vn/onboardinghub/providers/" + NAME + "/" + PREFIX + "Adapter.java",
                "src/main/java/vn/onboardinghub/providers/" + NAME + "/" + PREFIX + "Sandbox.java",
                "src/test/java/vn/onboardinghub/providers/" + NAME + "/" + PREFIX + "ContractTest.java",
                "src/test/java/vn/onboardinghub/providers/" + NAME + "/" + PREFIX + "MappingTest.java",
                "src/test/resources/fixtures/" + NAME + "/201-registered.json",
                "src/test/resources/fixtures/" + NAME + "/400-invalid-phone.json");
        Map<Path, String> after = snapshot();
        untouched.forEach((file, content) -> assertThat(after.get(file)).as(file + " is left alone").isEqualTo(content));

        Path classes = Files.createDirectories(copy.resolve("classes"));
        compile(classes);
        generated = new URLClassLoader(new URL[] {classes.toUri().toURL()}, NewProviderGeneratorTest.class.getClassLoader());
        // the catalog scans the context class loader's class path
        before = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(generated);
        own = new ProviderCatalog(MAPPER, List.of(PACKAGE));
        all = new ProviderCatalog(MAPPER);
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterAll
    static void restore() throws IOException {
        if (before != null) {
            Thread.currentThread().setContextClassLoader(before);
        }
        if (camel != null) {
            camel.stop();
        }
        if (generated != null) {
            generated.close();
        }
    }

    @Test
    void theGeneratorPrintsTheSettingsBlockAndTheNextSteps() throws IOException {
        assertThat(output).contains(
                "hub.providers." + NAME + ".base-url = https://",
                "hub.providers." + NAME + ".token =",
                "| " + DISPLAY + " | phone ending in `400` | 400 `invalid_phone` → `INVALID_REQUEST` |",
                "hub.providers.default");
        // the settings block is what application.properties takes: the base URL and the adapter's settings, no more
        String block = output.substring(output.indexOf("hub.providers." + NAME + ".base-url"));
        Properties settings = new Properties();
        settings.load(new StringReader(block.substring(0, block.indexOf("\n\n"))));
        assertThat(settings.stringPropertyNames()).containsExactlyInAnyOrder(
                "hub.providers." + NAME + ".base-url", "hub.providers." + NAME + ".token");
        assertThat(settings.getProperty("hub.providers." + NAME + ".base-url")).startsWith("https://");
        assertThat(settings.getProperty("hub.providers." + NAME + ".token")).isEmpty();
    }

    @Test
    void theCatalogFindsTheGeneratedAdapterInItsPackage() {
        assertThat(own.names()).containsExactly(NAME);
        ProviderAdapter adapter = own.get(NAME);
        assertThat(adapter.getClass().getName()).isEqualTo(PACKAGE + "." + PREFIX + "Adapter");
        assertThat(adapter.displayName()).isEqualTo(DISPLAY);
        assertThat(adapter.inputFields()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("password");
            assertThat(f.isRequired()).isTrue();
            assertThat(f.isSecret()).isTrue();
            assertThat(f.format()).isEqualTo(InputField.Format.TEXT);
        });
        assertThat(adapter.settingKeys()).containsExactly("token");
        // in the hub's own package, found with the four others
        assertThat(all.names()).containsExactlyInAnyOrder("ahamove", "ghtk", "its", "socdo", NAME);
    }

    @Test
    void itsSandboxAnswersTheDocumentedSuccessAndErrorWhichTheAdapterMaps() throws Exception {
        ProviderAdapter adapter = own.get(NAME);
        WireMockServer sandbox = new WireMockServer(options().dynamicPort());
        sandbox.start();
        try {
            adapter.sandbox().register(sandbox, "/" + NAME);
            adapter.configure(new ProviderSettings(NAME, true, sandbox.baseUrl() + "/" + NAME, adapter.sandbox().credentials()), null);
            RequestReader reader = new RequestReader(MAPPER, new ProviderCatalog(List.of(adapter)), List.of());

            ProviderResult success = call(adapter, reader.read(request("0912 345 678")));
            ProviderResult refused = call(adapter, reader.read(request("0912 345 400")));

            JsonNode succeeded = MAPPER.valueToTree(success);
            assertThat(succeeded.path("status").asText()).as(succeeded.toString()).isEqualTo("SUCCEEDED");
            assertThat(succeeded.path("credentials").fieldNames()).toIterable().containsExactly("accountId", "token");
            assertThat(succeeded.at("/credentials/accountId").asText()).matches("\\d{8}");
            assertThat(succeeded.at("/credentials/token").asText()).matches("[A-Za-z0-9]{40}");
            JsonNode failed = MAPPER.valueToTree(refused);
            assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("FAILED");
            assertThat(failed.path("error")).isEqualTo(MAPPER.readTree("""
                    {"code": "INVALID_REQUEST", "retryable": false, "message": "%s refused a value in the request",
                     "providerStatus": 400, "providerCode": "invalid_phone", "providerMessage": "Số điện thoại không hợp lệ"}"""
                    .formatted(DISPLAY)));
            // the sandbox answers only the partner token its credentials give: the adapter sent it
            assertThat(sandbox.getAllServeEvents()).hasSize(2).allSatisfy(e -> assertThat(e.getWasMatched()).isTrue());
        } finally {
            sandbox.stop();
        }
    }

    @Test
    void aRequestNamingNoProviderDoesNotGetIt() throws Exception {
        Properties settings = new Properties();
        try (Reader properties = Files.newBufferedReader(copy.resolve("application.properties"))) {
            settings.load(properties);
        }
        List<String> defaults = Arrays.stream(settings.getProperty("hub.providers.default").split(",")).map(String::strip).toList();
        RequestReader reader = new RequestReader(MAPPER, all, defaults);
        String curl = Docs.readme().codeBlock("## Quick start (sandbox mode)", "bash", 0);
        int body = curl.indexOf("-d '") + 4;
        ObjectNode quickStart = (ObjectNode) MAPPER.readTree(curl.substring(body, curl.indexOf("'\n", body)));

        assertThat(defaults).containsExactlyInAnyOrder("ahamove", "ghtk", "its", "socdo");
        assertThat(reader.read(quickStart.toString()).providers()).containsExactlyInAnyOrderElementsOf(defaults);

        // named, it is asked, and its required input with it
        quickStart.putArray("providers").add(NAME);
        InvalidRequestException lacking = org.junit.jupiter.api.Assertions.assertThrows(InvalidRequestException.class,
                () -> reader.read(quickStart.toString()));
        assertThat(lacking.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo(NAME + ".password");
            assertThat(v.message()).isEqualTo("is required for " + DISPLAY);
        });
        quickStart.putObject(NAME).put("password", "merchant-Secret-1");
        assertThat(reader.read(quickStart.toString()).providers()).containsExactly(NAME);
    }

    @Test
    void aBadOrTakenNameIsRefusedWithNothingWritten() throws Exception {
        Map<Path, String> before = snapshot();
        List<String> refused = List.of("Acme", "1acme", "ac-me", "acme_2", "a".repeat(41), "merchant", "",
                NAME, "ghtk", "viettelpost");

        for (String name : refused) {
            Run run = run("ops/new-provider '" + name + "' Someone");

            assertThat(run.exit()).as("ops/new-provider '%s' exits", name).isNotZero();
            assertThat(run.err()).as("ops/new-provider '%s' says why", name).startsWith("new-provider: ");
            assertThat(snapshot()).as("ops/new-provider '%s' writes nothing", name).isEqualTo(before);
        }
        assertThat(run("ops/new-provider viettelpost").err()).contains("exists already",
                "src/test/java/vn/onboardinghub/extraproviders/viettelpost/ViettelPostAdapter.java");
        assertThat(run("ops/new-provider acme2 'Acme \"Two\"'").err()).contains("display name");
        assertThat(run("ops/new-provider " + "a".repeat(40) + " --root " + copy.resolve("nowhere")).err()).contains("not a directory");
        assertThat(snapshot()).isEqualTo(before);
    }

    /** The class prefix is the display name's words run together when they spell the name, as the doc says. */
    @Test
    void theClassesAreNamedAfterTheDisplayNameWhenItSpellsTheName(@TempDir Path other) throws Exception {
        Run words = run("ops/new-provider giaohangnhanh 'Giao Hang Nhanh'", other);
        Run unrelated = run("ops/new-provider ghn 'Giao Hang Nhanh'", other);

        assertThat(words.exit()).as(words.err()).isZero();
        assertThat(unrelated.exit()).as(unrelated.err()).isZero();
        assertThat(other.resolve("src/main/java/vn/onboardinghub/providers/giaohangnhanh/GiaoHangNhanhAdapter.java"))
                .content().contains("public class GiaoHangNhanhAdapter extends ProviderAdapter", "return \"Giao Hang Nhanh\";");
        assertThat(other.resolve("src/main/java/vn/onboardinghub/providers/ghn/GhnAdapter.java"))
                .content().contains("return \"ghn\";", "return \"Giao Hang Nhanh\";");
    }

    /** A valid request naming only the generated provider, with its password. */
    private static String request(String phone) {
        return """
                {"merchant": {"externalId": "M-1", "name": "Nguyễn Văn A", "phone": "%s", "email": "a@example.vn"},
                 "providers": ["%s"], "%s": {"password": "merchant-Secret-1"}}""".formatted(phone, NAME, NAME);
    }

    /**
     * One call as the provider's route makes it: the adapter builds it, it is sent to the URL it set, a 2xx answer
     * goes to its parser and any other to its error mapper.
     */
    private static ProviderResult call(ProviderAdapter adapter, OnboardingRequest request) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(ProviderAdapter.REQUEST, request);
        adapter.prepareRequest(exchange);
        HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(exchange.getProperty(ProviderAdapter.URL, String.class)))
                .method(exchange.getMessage().getHeader(Exchange.HTTP_METHOD).toString(),
                        HttpRequest.BodyPublishers.ofString(exchange.getMessage().getBody(String.class), StandardCharsets.UTF_8))
                .header("Content-Type", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class));
        exchange.getMessage().getHeaders().forEach((header, value) -> {
            if (!header.startsWith("Camel") && !header.equals(Exchange.CONTENT_TYPE)) {
                http.header(header, value.toString());
            }
        });
        HttpResponse<String> answer = HttpClient.newHttpClient().send(http.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            return adapter.errorResult(adapter.mapError(answer.statusCode(), answer.body()), 1);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, answer.statusCode());
        exchange.getMessage().setBody(answer.body());
        return adapter.parseResponse(exchange);
    }

    /** Compiles every generated source (the tests too) against the test class path: a broken template fails here. */
    private static void compile(Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(copy.resolve("src"))) {
            sources = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.getParent().getFileName().toString().equals(NAME)).toList();
        }
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean compiled = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-proc:none",
                            "-encoding", "UTF-8", "-Xlint:none"),
                    null, files.getJavaFileObjectsFromPaths(sources)).call();
            assertThat(compiled).as("the generated sources compile: %s", diagnostics.getDiagnostics()).isTrue();
        }
        assertThat(sources).hasSize(4);
        assertThat(classes.resolve(PACKAGE.replace('.', '/')).resolve(PREFIX + "Adapter.class")).exists();
    }

    private record Run(int exit, String out, String err) {
    }

    /** Runs a command line from the project's root, the generator writing into the copy. */
    private static Run run(String command) throws Exception {
        return run(command, copy);
    }

    /** Runs a command line from the project's root, the generator writing into {@code root}. */
    private static Run run(String command, Path root) throws Exception {
        Path out = Files.createTempFile("new-provider", ".out");
        Path err = Files.createTempFile("new-provider", ".err");
        try {
            Process process = new ProcessBuilder("sh", "-c", command + " --root '" + root + "'")
                    .directory(ROOT.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(command + " finishes").isTrue();
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static void copyTree(String path) throws IOException {
        try (Stream<Path> files = Files.walk(ROOT.resolve(path))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = copy.resolve(ROOT.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    /** The generated provider's files, relative to the copy's root. */
    private static List<String> generatedFiles() throws IOException {
        return snapshot().keySet().stream().map(Path::toString).filter(f -> f.contains("/" + NAME + "/")).toList();
    }

    /** Every file under the copy's root but the compiled classes, with its content. */
    private static Map<Path, String> snapshot() throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(copy)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path relative = copy.relativize(file);
                if (!relative.startsWith("classes")) {
                    files.put(relative, Files.readString(file));
                }
            }
        }
        return files;
    }
}
