package vn.onboardinghub.ops;

import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.TabularData;
import java.util.List;
import java.util.Map;

/** Hawtio's JMX security MBean interface ({@code io.hawt.jmx.JMXSecurityMBean}) in plain JMX types: see {@link ConsolePolicy}. */
public interface ConsolePolicyMBean {
    boolean canInvoke(String objectName);

    boolean canInvoke(String objectName, String methodName);

    boolean canInvoke(String objectName, String methodName, String[] argumentTypes);

    TabularData canInvoke(Map<String, List<String>> bulkQuery) throws OpenDataException;
}
