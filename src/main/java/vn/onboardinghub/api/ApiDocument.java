package vn.onboardinghub.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import vn.onboardinghub.providers.InputField;
import vn.onboardinghub.providers.ProviderAdapter;
import vn.onboardinghub.providers.ProviderCatalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The OpenAPI document ({@code GET /api/v1/openapi.json}): {@code openapi.json} completed from the provider catalog
 * — the {@code providers} enum, each provider's section of the request (from its input fields), the credentials
 * each returns, and the callback path of a provider that finishes in the merchant's browser.
 */
public class ApiDocument {
    private final String json;

    /** @param defaultProviders the providers a request naming none gets ({@code hub.providers.default}, enabled ones) */
    public ApiDocument(ObjectMapper mapper, ProviderCatalog catalog, List<String> defaultProviders) {
        ObjectNode document;
        try (InputStream in = ApiDocument.class.getResourceAsStream("/openapi.json")) {
            document = (ObjectNode) mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read openapi.json", e);
        }
        ObjectNode schemas = (ObjectNode) document.path("components").path("schemas");
        ObjectNode request = (ObjectNode) schemas.path("OnboardingRequest").path("properties");
        ObjectNode providers = (ObjectNode) request.path("providers");
        ArrayNode names = ((ObjectNode) providers.path("items")).putArray("enum");
        defaultProviders.forEach(providers.putArray("default")::add);
        providers.put("description", "the providers to ask; when left out: " + (defaultProviders.isEmpty()
                ? "none, the request is refused" : String.join(", ", defaultProviders))
                + " (a provider added later is asked only when named)");
        StringBuilder credentials = new StringBuilder();
        ObjectNode callbacks = mapper.createObjectNode();
        for (ProviderAdapter provider : catalog.all()) {
            names.add(provider.name());
            request.set(provider.name(), section(mapper, provider));
            credentials.append(credentials.isEmpty() ? "" : "; ").append(provider.name())
                    .append(provider.credentialFields().stream().collect(Collectors.joining(", ", " {", "}")));
            if (!provider.callbackParameters().isEmpty()) {
                callbacks.set("/api/v1/callbacks/" + provider.name(), callback(mapper, provider));
            }
        }
        ((ObjectNode) schemas.path("ProviderResult").path("properties").path("credentials"))
                .put("description", credentials.toString());
        // the callback paths before the document's own path, which stays last
        ObjectNode paths = (ObjectNode) document.path("paths");
        ObjectNode ordered = mapper.createObjectNode();
        for (Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> path = it.next();
            if (path.getKey().equals("/api/v1/openapi.json")) {
                ordered.setAll(callbacks);
            }
            ordered.set(path.getKey(), path.getValue());
        }
        document.set("paths", ordered);
        try {
            this.json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The document, built once: the catalog does not change while the hub runs. */
    public String json() {
        return json;
    }

    /** {@code "ghtk": {"type": "object", "properties": {"email": …, "password": …}}}. */
    private static ObjectNode section(ObjectMapper mapper, ProviderAdapter provider) {
        ObjectNode section = mapper.createObjectNode().put("type", "object");
        ObjectNode properties = section.putObject("properties");
        for (InputField field : provider.inputFields()) {
            ObjectNode property = properties.putObject(field.name()).put("type", "string");
            InputField.Format format = field.format();
            if (field.isSecret()) {
                property.put("format", "password").put("writeOnly", true);
            } else if (format.schemaFormat() != null) {
                property.put("format", format.schemaFormat());
            }
            if (format.allowed() != null) {
                format.allowed().forEach(property.putArray("enum")::add);
            }
            if (format.pattern() != null) {
                property.put("pattern", format.pattern());
            }
            String description = field.isRequired() ? "required for " + provider.displayName() : null;
            if (field.description() != null) {
                description = description == null ? field.description() : description + "; " + field.description();
            }
            if (description != null) {
                property.put("description", description);
            }
        }
        return section;
    }

    private static ObjectNode callback(ObjectMapper mapper, ProviderAdapter provider) {
        ObjectNode get = mapper.createObjectNode();
        ObjectNode operation = get.putObject("get")
                .put("summary", provider.displayName() + " redirect target (the hub-signed state authenticates it, no API key)");
        operation.putArray("security");
        ArrayNode parameters = operation.putArray("parameters");
        parameters.addObject().put("name", "state").put("in", "query").put("required", true)
                .putObject("schema").put("type", "string");
        provider.callbackParameters().forEach((name, required) -> {
            ObjectNode parameter = parameters.addObject().put("name", name).put("in", "query");
            if (required) {
                parameter.put("required", true);
            }
            parameter.putObject("schema").put("type", "string");
        });
        ObjectNode responses = operation.putObject("responses");
        responses.putObject("302").put("description", "linked; browser sent to the merchant's page given in the request");
        responses.putObject("200").put("description", "linked; no page to return to was given");
        responses.putObject("400").put("description", "forged, expired or incomplete callback");
        return get;
    }

}
