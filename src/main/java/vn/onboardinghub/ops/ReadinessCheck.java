package vn.onboardinghub.ops;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * A readiness check on something the hub needs besides its routes (the database, the broker):
 * {@code /observe/health/ready} is DOWN while the probe fails.
 */
public class ReadinessCheck extends AbstractHealthCheck {
    /** Succeeds when the dependency answers; throws otherwise. */
    @FunctionalInterface
    public interface Probe {
        void check() throws Exception;
    }

    private final Probe probe;

    public ReadinessCheck(String name, Probe probe) {
        super("hub", name);
        this.probe = probe;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            probe.check();
            builder.up();
        } catch (Exception e) {
            builder.message(getId() + " is not reachable: " + e.getClass().getSimpleName()).down();
        }
    }
}
