package vn.onboardinghub.ops;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every log event of the running hub while open, as log4j hands it to the console appender (MDC included). */
public final class CapturedLogs extends AbstractAppender implements AutoCloseable {
    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final LoggerContext context;

    private CapturedLogs(LoggerContext context) {
        super("captured-logs", null, null, true, Property.EMPTY_ARRAY);
        this.context = context;
    }

    public static CapturedLogs capture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        CapturedLogs logs = new CapturedLogs(context);
        logs.start();
        Configuration config = context.getConfiguration();
        config.getRootLogger().addAppender(logs, null, null);
        context.updateLoggers();
        return logs;
    }

    @Override
    public void append(LogEvent event) {
        events.add(event.toImmutable());
    }

    public List<LogEvent> events() {
        return List.copyOf(events);
    }

    void clear() {
        events.clear();
    }

    /** The whole line as text: message, MDC and any stack trace, where a leaked secret could hide. */
    public static String text(LogEvent event) {
        StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage()).append(' ')
                .append(event.getContextData().toMap());
        for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
            text.append(' ').append(t);
        }
        return text.toString();
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(getName());
        context.updateLoggers();
        stop();
    }
}
