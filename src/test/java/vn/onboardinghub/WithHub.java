package vn.onboardinghub;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One real hub for the whole test class ({@link HubExtension}): started before its first test with {@link TestHub}'s
 * settings plus these, stopped after its last, its data directory deleted. The tests get it in any static field of
 * type {@link TestHub} or as a {@link TestHub} parameter (also of a {@code @BeforeAll} method):
 * <pre>
 * &#64;WithHub({"hub.sandbox.enabled=true", "hub.hawtio.enabled=true", "hub.hawtio.port=" + TestHub.FREE_PORT})
 * class SomeTest {
 *     static TestHub hub;
 * </pre>
 * A test whose hub must differ per test, or which stops, kills or restarts it, starts its own with {@link TestHub#start}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(HubExtension.class)
public @interface WithHub {
    /** Settings, each {@code key=value} (the value may be empty, or {@link TestHub#FREE_PORT}). */
    String[] value() default {};
}
