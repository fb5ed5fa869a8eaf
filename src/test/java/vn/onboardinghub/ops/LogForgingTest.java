package vn.onboardinghub.ops;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Input logged by the hub (ids, names, file names) cannot forge a log line or send escape codes to a terminal. */
class LogForgingTest {

    @Test
    void newlinesAndEscapeCodesInLoggedInputStayInsideOneLine() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Layout<?> layout = context.getConfiguration().getAppender("pattern").getLayout();
        String forged = "M-1\r\n12:00:00.000 INFO  [main] Api - client=ops GET /admin 200\u001b[31m red\u0007\u2028end";
        String line = (String) layout.toSerializable(Log4jLogEvent.newBuilder().setLoggerName("vn.onboardinghub.core.Onboardings")
                .setLevel(Level.INFO).setMessage(new ParameterizedMessage("onboarding accepted for merchant {}", forged)).build());

        assertThat(line).endsWith(System.lineSeparator());
        String body = line.substring(0, line.length() - System.lineSeparator().length());
        assertThat(body).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u001b").doesNotContain("\u0007")
                .doesNotContain("\u2028");
        assertThat(body).contains("M-1\\r\\n12:00:00.000 INFO").contains("\uFFFD[31m red\uFFFD\uFFFDend");
    }
}
