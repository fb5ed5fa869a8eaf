package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;

import java.lang.reflect.InvocationTargetException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The providers the hub knows: every concrete {@link ProviderAdapter} in the catalog's packages
 * ({@code hub.providers.packages}, by default {@value #DEFAULT_PACKAGE} and its sub-packages), in name order. Adding
 * a provider is adding its package: there is no list to edit.
 */
public class ProviderCatalog {
    public static final String DEFAULT_PACKAGE = "vn.onboardinghub.providers";
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*");
    /** Top-level request fields a provider's section may not take. */
    private static final Set<String> RESERVED = Set.of("merchant", "providers", "requestid");

    private final Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();

    /** The providers of {@value #DEFAULT_PACKAGE}. */
    public ProviderCatalog(ObjectMapper mapper) {
        this(mapper, List.of(DEFAULT_PACKAGE));
    }

    public ProviderCatalog(ObjectMapper mapper, List<String> packages) {
        this(found(mapper, packages));
    }

    public ProviderCatalog(List<ProviderAdapter> providers) {
        for (ProviderAdapter adapter : providers.stream().sorted(Comparator.comparing(ProviderAdapter::name)).toList()) {
            String name = adapter.name();
            if (name == null || !NAME.matcher(name).matches() || RESERVED.contains(name)) {
                throw new IllegalStateException(adapter.getClass().getName() + ": provider name " + name
                        + " must be lower-case letters and digits, and not merchant or providers");
            }
            ProviderAdapter other = adapters.putIfAbsent(name, adapter);
            if (other != null) {
                throw new IllegalStateException("two providers are named " + name + ": " + other.getClass().getName()
                        + " and " + adapter.getClass().getName());
            }
        }
    }

    /** Scans only the named packages, reading the jar's directory rather than the whole jar. */
    private static List<ProviderAdapter> found(ObjectMapper mapper, List<String> packages) {
        try (ScanResult scan = new ClassGraph().enableClassInfo().acceptPackages(packages.toArray(String[]::new)).scan()) {
            return scan.getSubclasses(ProviderAdapter.class.getName()).stream()
                    .filter(c -> !c.isAbstract())
                    .map(ClassInfo::loadClass)
                    .map(type -> create(type, mapper))
                    .toList();
        }
    }

    private static ProviderAdapter create(Class<?> type, ObjectMapper mapper) {
        try {
            return (ProviderAdapter) type.getConstructor(ObjectMapper.class).newInstance(mapper);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException(type.getName() + " needs a public constructor taking the ObjectMapper", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot create provider " + type.getName(), e.getCause());
        }
    }

    public List<ProviderAdapter> all() {
        return List.copyOf(adapters.values());
    }

    public ProviderAdapter get(String name) {
        ProviderAdapter adapter = adapters.get(name);
        if (adapter == null) {
            throw new IllegalArgumentException("unknown provider " + name);
        }
        return adapter;
    }

    public Set<String> names() {
        return adapters.keySet();
    }

    public List<String> enabledNames() {
        return adapters.values().stream().filter(ProviderAdapter::enabled).map(ProviderAdapter::name).toList();
    }

    /**
     * The route file of a provider whose flow is more than one call per attempt ({@code routes/providers/<name>.camel.yaml},
     * defining route {@code provider-<name>}), or null: its route then comes from the {@code provider-single-call} template.
     */
    public static String routeFile(ProviderAdapter provider) {
        String path = "routes/providers/" + provider.name() + ".camel.yaml";
        return provider.getClass().getClassLoader().getResource(path) != null ? "classpath:" + path : null;
    }
}
