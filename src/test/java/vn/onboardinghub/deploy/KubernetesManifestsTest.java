package vn.onboardinghub.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import vn.onboardinghub.SettingsCheck;
import vn.onboardinghub.StartRefusedException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The manifests under {@code deploy/kubernetes}, checked without a cluster: every document is read into Kubernetes'
 * own typed model (fabric8 kubernetes-model), a field the model does not know is an error (a typo Kubernetes would
 * drop or refuse), and the parts agree with each other and with the hub's settings.
 */
class KubernetesManifestsTest {
    private static final Path MANIFESTS = Path.of("deploy", "kubernetes");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    @Test
    void everyManifestIsAKnownKindWithOnlyKnownFields() throws IOException {
        List<HasMetadata> all = manifests();
        assertThat(all).extracting(HasMetadata::getKind)
                .contains("Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "PersistentVolumeClaim");
    }

    @Test
    void aMisspelledFieldIsRefused() {
        assertThatThrownBy(() -> read("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec: {replica: 2}
                """)).hasMessageContaining("replica");
    }

    @Test
    void severalInstancesProbedOnTheManagementPort() throws IOException {
        Deployment deployment = one(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container hub = pod.getContainers().get(0);
        int managementPort = Integer.parseInt(setting("CAMEL_MANAGEMENT_PORT", "camel.management.port"));
        int restPort = Integer.parseInt(setting("CAMEL_SERVER_PORT", "camel.server.port"));
        assertThat(probe(hub, hub.getLivenessProbe().getHttpGet(), "/observe/health/live")).isEqualTo(managementPort);
        assertThat(probe(hub, hub.getReadinessProbe().getHttpGet(), "/observe/health/ready")).isEqualTo(managementPort);
        assertThat(hub.getPorts()).extracting(ContainerPort::getContainerPort).contains(restPort, managementPort);
        // the graceful stop (camel.main.shutdown-timeout) fits in the time Kubernetes gives before SIGKILL
        assertThat(pod.getTerminationGracePeriodSeconds())
                .isGreaterThan(Long.parseLong(applicationProperties().getProperty("camel.main.shutdown-timeout")));
    }

    @Test
    void serviceAndDisruptionBudgetSelectTheDeploymentsPods() throws IOException {
        Deployment deployment = one(Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

        Service service = manifests().stream().filter(Service.class::isInstance).map(Service.class::cast)
                .filter(s -> !"ExternalName".equals(s.getSpec().getType())).findFirst().orElseThrow();
        assertThat(service.getSpec().getSelector()).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        Container hub = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        IntOrString target = service.getSpec().getPorts().get(0).getTargetPort();
        assertThat(port(hub, target)).isEqualTo(Integer.parseInt(setting("CAMEL_SERVER_PORT", "camel.server.port")));

        PodDisruptionBudget budget = one(PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isBetween(1, deployment.getSpec().getReplicas() - 1);
    }

    @Test
    void configMapHoldsHubSettingsOnlyAndSecretsComeFromFiles() throws IOException {
        Map<String, String> config = one(ConfigMap.class).getData();
        assertThat(config).containsEntry("HUB_LISTEN_ADDRESS", "0.0.0.0").containsEntry("HUB_SANDBOX_ENABLED", "false");
        Set<String> variables = applicationProperties().stringPropertyNames().stream()
                .map(KubernetesManifestsTest::variable).collect(Collectors.toSet());
        assertThat(config.keySet()).allSatisfy(name ->
                assertThat(variables).as("a setting of application.properties").contains(name.replaceAll("_FILE$", "")));
        assertThat(config.keySet()).as("no secret in the ConfigMap")
                .noneMatch(name -> name.matches(".*(PASSWORD|_KEY|_KEYS|SECRET|TOKEN.*)") && !name.endsWith("_FILE"));

        Deployment deployment = one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container hub = pod.getContainers().get(0);
        assertThat(hub.getEnvFrom()).anySatisfy(from ->
                assertThat(from.getConfigMapRef().getName()).isEqualTo(one(ConfigMap.class).getMetadata().getName()));
        Secret secret = one(Secret.class);
        Volume secretVolume = pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertThat(secretVolume.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName());
        VolumeMount secretMount = mount(hub, secretVolume.getName());
        assertThat(secretMount.getReadOnly()).isTrue();
        // each *_FILE names a key of the Secret, under its mount
        config.entrySet().stream().filter(e -> e.getKey().endsWith("_FILE")).forEach(e -> {
            Path file = Path.of(e.getValue());
            assertThat(file.getParent()).as(e.getKey()).isEqualTo(Path.of(secretMount.getMountPath()));
            assertThat(secret.getStringData()).as(e.getKey()).containsKey(file.getFileName().toString());
        });

        // the shared inbox and outbox are on the shared volume, the data dir is not
        Volume files = pod.getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow();
        PersistentVolumeClaim claim = one(PersistentVolumeClaim.class);
        assertThat(files.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getSpec().getAccessModes()).contains("ReadWriteMany");
        Path shared = Path.of(mount(hub, files.getName()).getMountPath());
        assertThat(Path.of(config.get("HUB_FILE_INBOX")).startsWith(shared)).as("inbox shared").isTrue();
        assertThat(Path.of(config.get("HUB_FILE_OUTBOX")).startsWith(shared)).as("outbox shared").isTrue();
        assertThat(Path.of(config.get("HUB_DATA_DIR")).startsWith(shared)).as("data dir per instance").isFalse();
    }

    @Test
    void noSecretOfTheManifestsIsAValueTheHubAccepts() throws IOException {
        Map<String, String> config = one(ConfigMap.class).getData();
        assertThat(config).containsEntry("HUB_SANDBOX_ENABLED", "false");
        Map<String, String> keysByVariable = applicationProperties().stringPropertyNames().stream()
                .collect(Collectors.toMap(KubernetesManifestsTest::variable, key -> key));
        Map<String, String> secrets = one(Secret.class).getStringData();
        assertThat(secrets).isNotEmpty();
        secrets.forEach((name, value) -> {
            // the setting whose _FILE variable reads this entry of the Secret
            String variable = config.entrySet().stream().filter(e -> e.getKey().endsWith("_FILE")
                            && Path.of(e.getValue()).getFileName().toString().equals(name)).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new AssertionError("no _FILE variable reads secret " + name));
            String key = keysByVariable.get(variable.substring(0, variable.length() - "_FILE".length()));
            Map<String, String> settings = Map.of("hub.sandbox.enabled", config.get("HUB_SANDBOX_ENABLED"), key, value);
            assertThatThrownBy(() -> SettingsCheck.check(settings.keySet(), settings::get)).as(name)
                    .isInstanceOf(StartRefusedException.class).hasMessageStartingWith(key + " (");
        });
    }

    /** The port a probe reaches, after checking its path. */
    private static int probe(Container container, HTTPGetAction get, String path) {
        assertThat(get.getPath()).isEqualTo(path);
        return port(container, get.getPort());
    }

    private static int port(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
    }

    private static VolumeMount mount(Container container, String volume) {
        return container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + volume + " is not mounted"));
    }

    /** The value the ConfigMap gives a setting, else its default in application.properties. */
    private static String setting(String variable, String key) throws IOException {
        String value = one(ConfigMap.class).getData().get(variable);
        return value != null ? value : applicationProperties().getProperty(key);
    }

    /** The environment variable of a key: upper-cased, "." and "-" turned into "_" (docs/configuration.md). */
    private static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private static <T extends HasMetadata> T one(Class<T> kind) throws IOException {
        List<T> found = manifests().stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(found).as(kind.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    private static List<HasMetadata> manifests() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try {
                    all.addAll(read(Files.readString(file)));
                } catch (RuntimeException e) {
                    throw new AssertionError(file + ": " + e.getMessage(), e);
                }
            }
        }
        return all;
    }

    private static List<HasMetadata> read(String yaml) {
        List<HasMetadata> documents = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (document == null) {
                continue;
            }
            Map<?, ?> map = (Map<?, ?>) document;
            String type = map.get("apiVersion") + "/" + map.get("kind");
            Class<? extends HasMetadata> kind = KINDS.get(type);
            if (kind == null) {
                throw new IllegalArgumentException("unexpected kind " + type);
            }
            HasMetadata resource = MAPPER.convertValue(map, kind);
            List<String> unknown = new ArrayList<>();
            unknownFields(resource, "", unknown, new IdentityHashMap<>());
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(type + " " + resource.getMetadata().getName() + ": unknown fields " + unknown);
            }
            documents.add(resource);
        }
        return documents;
    }

    /**
     * The model keeps what it does not know in each object's {@code additionalProperties} instead of failing: any
     * entry there, at any depth, is a field Kubernetes does not have.
     */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> type = node.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object value;
                try {
                    value = field.get(node);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (field.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                } else if (!field.getName().equals("value") || !(node instanceof IntOrString)) {
                    unknownFields(value, path + "." + field.getName(), unknown, seen);
                }
            }
        }
    }
}
