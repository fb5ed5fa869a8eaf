package vn.onboardinghub.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import vn.onboardinghub.providers.ahamove.AhamoveAdapter;
import vn.onboardinghub.providers.ghtk.GhtkAdapter;
import vn.onboardinghub.providers.its.ItsAdapter;
import vn.onboardinghub.providers.socdo.SocdoAdapter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The providers the hub knows. Adding a provider: a folder, one entry here, one properties block. */
public class ProviderCatalog {
    private final Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();

    public ProviderCatalog(ObjectMapper mapper) {
        for (ProviderAdapter adapter : List.of(
                new AhamoveAdapter(mapper),
                new GhtkAdapter(mapper),
                new SocdoAdapter(mapper),
                new ItsAdapter(mapper))) {
            adapters.put(adapter.name(), adapter);
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
}
