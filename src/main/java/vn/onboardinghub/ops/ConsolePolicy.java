package vn.onboardinghub.ops;

import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import javax.security.auth.Subject;
import java.security.AccessController;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the Hawtio console's Jolokia may read and invoke, named positively; everything else is refused.
 * <p>
 * The war's Jolokia asks it through Hawtio's {@code RBACRestrictor} (its {@code restrictorClass}), which asks the
 * JMX security MBean it finds, {@value #OBJECT_NAME}, for every attribute read ({@code get<Attribute>} with no
 * arguments), attribute write ({@code set<Attribute>}, never allowed) and operation, on one concrete MBean, with
 * the logged-in user's JAAS subject. So this class is the whole MBean policy, written in plain JMX types: the hub
 * need not compile against the war's Jolokia, and Jolokia parses the requests itself.
 * <p>
 * Allowed, to every console user (a <em>reader</em>): the simple attributes (strings, numbers, booleans, dates) of
 * the Camel context, its routes, processors and consumers; a few named {@code java.lang} attributes (memory,
 * threads, operating system, run time — not system properties nor JVM arguments); the route diagrams and
 * statistics operations the console's Camel views invoke; Hawtio's own tree and permission questions. To the
 * users named in {@code hub.hawtio.operators} (<em>operators</em>) only: starting and stopping a route. Never: an
 * endpoint, component or bean MBean, any attribute holding an object (the file-drop endpoint's {@code Endpoint} leads to
 * every setting of the hub), any write.
 */
public final class ConsolePolicy implements ConsolePolicyMBean {
    /** Found by Hawtio's {@code RBACMBeanInvoker} ({@code *:type=security,area=jmx,*}, not named "HawtioDummy…"). */
    static final String OBJECT_NAME = "hawtio:type=security,area=jmx,name=OnboardingHubConsolePolicy";

    /** The types of the attribute values a reader may see. */
    private static final Set<String> SIMPLE_TYPES = Set.of("boolean", "byte", "short", "int", "long", "float",
            "double", "char", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Integer",
            "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Character", "java.lang.String",
            "java.util.Date");
    private static final Predicate<MBeanAttributeInfo> SIMPLE = attribute -> SIMPLE_TYPES.contains(attribute.getType());

    private static final List<Family> FAMILIES = List.of(
            // the Camel views: the context, its routes (start and stop for operators), diagrams and statistics
            new Family("org.apache.camel", Map.of("type", "context"), SIMPLE,
                    Set.of("dumpRoutesAsXml()", "dumpRoutesStatsAsXml(boolean,boolean)"), Set.of()),
            new Family("org.apache.camel", Map.of("type", "routes"), SIMPLE,
                    Set.of("dumpRouteAsXml()", "dumpRouteStatsAsXml(boolean,boolean)", "isUpdateRouteEnabled()"),
                    Set.of("start()", "stop()")),
            new Family("org.apache.camel", Map.of("type", "processors"), SIMPLE, Set.of(), Set.of()),
            new Family("org.apache.camel", Map.of("type", "consumers"), SIMPLE, Set.of(), Set.of()),
            new Family("org.apache.camel", Map.of("type", "services", "name", "DefaultRestRegistry"), named(),
                    Set.of("listRestServices()"), Set.of()),
            // the JVM's health; not Runtime's SystemProperties, InputArguments or class paths
            new Family("java.lang", Map.of("type", "Memory"),
                    named("HeapMemoryUsage", "NonHeapMemoryUsage", "ObjectPendingFinalizationCount"), Set.of(), Set.of()),
            new Family("java.lang", Map.of("type", "Threading"),
                    named("ThreadCount", "PeakThreadCount", "DaemonThreadCount", "TotalStartedThreadCount"), Set.of(), Set.of()),
            new Family("java.lang", Map.of("type", "OperatingSystem"), SIMPLE, Set.of(), Set.of()),
            new Family("java.lang", Map.of("type", "Runtime"), named("Name", "VmName", "VmVendor", "VmVersion",
                    "SpecName", "SpecVendor", "SpecVersion", "StartTime", "Uptime", "Pid"), Set.of(), Set.of()),
            // the console's own MBeans: its MBean tree (names and types, no values) and which buttons to show
            new Family("hawtio", Map.of("type", "security", "name", "RBACRegistry"), named(),
                    Set.of("list()", "list(java.lang.String)"), Set.of()),
            new Family("hawtio", Map.of("type", "security", "area", "jmx"), named(), Set.of("canInvoke(*)"), Set.of()),
            // what the console polls to know when to reload its tree
            new Family("hawtio", Map.of("type", "Registry"), named("UpdateCounter"), Set.of(), Set.of()),
            new Family("hawtio", Map.of("type", "TreeWatcher"), named("Counter"), Set.of(), Set.of()));

    private final MBeanServer server;
    private final Set<String> operators;

    /**
     * @param server    where the MBeans the console reaches are
     * @param operators the users who may also start and stop routes ({@code hub.hawtio.operators})
     */
    ConsolePolicy(MBeanServer server, Set<String> operators) {
        this.server = server;
        this.operators = Set.copyOf(operators);
    }

    /** Whether any of the MBean may be reached: it belongs to an allowed family. */
    @Override
    public boolean canInvoke(String objectName) {
        ObjectName name = parse(objectName);
        return name != null && family(name) != null;
    }

    /** {@code methodName} as a client names it: {@code stop}, {@code stop()}, {@code dump(boolean,boolean)}. */
    @Override
    public boolean canInvoke(String objectName, String methodName) {
        int open = methodName.indexOf('(');
        if (open < 0) {
            return canInvoke(objectName, methodName.strip(), new String[0]);
        }
        if (!methodName.endsWith(")")) {
            return false;
        }
        String[] types = Arrays.stream(methodName.substring(open + 1, methodName.length() - 1).split(","))
                .map(String::strip).filter(type -> !type.isEmpty()).toArray(String[]::new);
        return canInvoke(objectName, methodName.substring(0, open).strip(), types);
    }

    /**
     * The decision. Hawtio asks an attribute read as its getter ({@code getState}, {@code isTracing}, no
     * arguments) and an operation as the client names it; a name without its signature ({@code stop}) comes
     * with no argument types, and Jolokia then invokes the one operation of that name: that one is checked.
     */
    @Override
    public boolean canInvoke(String objectName, String methodName, String[] argumentTypes) {
        ObjectName name = parse(objectName);
        Family family = name == null || name.isPattern() ? null : family(name);
        if (family == null) {
            return false;
        }
        MBeanInfo info;
        try {
            info = server.getMBeanInfo(name);
        } catch (JMException e) {
            return false;
        }
        if (argumentTypes.length == 0) {
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                if (attribute.isReadable() && (methodName.equals("get" + attribute.getName())
                        || attribute.isIs() && methodName.equals("is" + attribute.getName()))) {
                    return family.readable().test(attribute);
                }
            }
        }
        String[] signature = argumentTypes;
        List<MBeanOperationInfo> overloads = Arrays.stream(info.getOperations())
                .filter(operation -> operation.getName().equals(methodName)).toList();
        if (signature.length == 0 && overloads.size() == 1) {
            signature = Arrays.stream(overloads.get(0).getSignature()).map(MBeanParameterInfo::getType).toArray(String[]::new);
        }
        String operation = methodName + "(" + String.join(",", signature) + ")";
        if (family.allows(family.readerOperations(), methodName, operation)) {
            return true;
        }
        return family.allows(family.operatorOperations(), methodName, operation) && isOperator();
    }

    /** The bulk form the console's JMX tree asks: for each MBean, each method (none: the MBean itself). */
    @Override
    public TabularData canInvoke(Map<String, List<String>> bulkQuery) throws OpenDataException {
        TabularData answer = new TabularDataSupport(TABLE);
        for (Map.Entry<String, List<String>> entry : bulkQuery.entrySet()) {
            if (entry.getValue() == null || entry.getValue().isEmpty()) {
                answer.put(row(entry.getKey(), "", canInvoke(entry.getKey())));
            } else {
                for (String method : entry.getValue()) {
                    answer.put(row(entry.getKey(), method, canInvoke(entry.getKey(), method)));
                }
            }
        }
        return answer;
    }

    /** Whether the user of this request (the JAAS subject Hawtio runs Jolokia with) is an operator. */
    private boolean isOperator() {
        @SuppressWarnings("removal")
        Subject subject = Subject.getSubject(AccessController.getContext());
        return subject != null && subject.getPrincipals(ConsoleLoginModule.UserPrincipal.class).stream()
                .anyMatch(user -> operators.contains(user.getName()));
    }

    private static Family family(ObjectName name) {
        for (Family family : FAMILIES) {
            if (family.matches(name)) {
                return family;
            }
        }
        return null;
    }

    private static ObjectName parse(String objectName) {
        try {
            return objectName == null ? null : new ObjectName(objectName);
        } catch (MalformedObjectNameException e) {
            return null;
        }
    }

    private static Predicate<MBeanAttributeInfo> named(String... attributes) {
        Set<String> names = Set.of(attributes);
        return attribute -> names.contains(attribute.getName());
    }

    /**
     * MBeans of one domain whose name has the given keys (others may follow), what a reader may read and invoke,
     * and what an operator may invoke besides. An operation is {@code name(type,…)}, or {@code name(*)} for every
     * overload.
     */
    private record Family(String domain, Map<String, String> keys, Predicate<MBeanAttributeInfo> readable,
                          Set<String> readerOperations, Set<String> operatorOperations) {
        boolean matches(ObjectName name) {
            return domain.equals(name.getDomain())
                    && keys.entrySet().stream().allMatch(key -> key.getValue().equals(name.getKeyProperty(key.getKey())));
        }

        boolean allows(Set<String> operations, String methodName, String operation) {
            return operations.contains(operation) || operations.contains(methodName + "(*)");
        }
    }

    private static final String[] COLUMNS = {"ObjectName", "Method", "CanInvoke"};
    private static final CompositeType ROW;
    private static final TabularType TABLE;

    static {
        try {
            // the row and table types of Hawtio's own JMX security MBean, which the console reads
            ROW = new CompositeType("CanInvokeRowType", "The rows of a CanInvokeTabularType table.", COLUMNS,
                    new String[] {"The ObjectName of the MBean checked", "The Method to checked",
                            "true if the method or mbean can potentially be invoked by the current user."},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.BOOLEAN});
            TABLE = new TabularType("CanInvokeTabularType", "Result of canInvoke() bulk operation", ROW,
                    new String[] {"ObjectName", "Method"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static CompositeDataSupport row(String objectName, String method, boolean allowed) throws OpenDataException {
        return new CompositeDataSupport(ROW, COLUMNS, new Object[] {objectName, method, allowed});
    }
}
