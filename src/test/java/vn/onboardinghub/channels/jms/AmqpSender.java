package vn.onboardinghub.channels.jms;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Just enough AMQP 1.0 to be a system sending one request over AMQP (no AMQP client library is on the classpath; the
 * broker's own AMQP engine, proton-j, is): SASL PLAIN login, a sender link, one settled-by-the-broker message.
 */
final class AmqpSender implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Transport transport = Proton.transport();
    private final Connection connection = Proton.connection();
    private final Sender sender;

    AmqpSender(String brokerUrl, String user, String password, String address) throws IOException {
        URI uri = URI.create(brokerUrl);
        socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(50);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        Sasl sasl = transport.sasl();
        sasl.client();
        sasl.setMechanisms("PLAIN");
        sasl.plain(user, password);
        transport.bind(connection);
        connection.setContainer("amqp-test-" + user);
        connection.setHostname(uri.getHost());
        connection.open();
        Session session = connection.session();
        session.open();
        sender = session.sender("requests");
        Target target = new Target();
        target.setAddress(address);
        sender.setTarget(target);
        sender.setSource(new Source());
        sender.open();
        pumpUntil(() -> sender.getCredit() > 0, "credit to send on " + address);
    }

    /** Sends a text body with these message properties and application properties; waits until the broker accepted it. */
    void send(String body, String correlationId, byte[] userId, Map<String, Object> applicationProperties) throws IOException {
        Message message = Proton.message();
        Properties properties = new Properties();
        properties.setCorrelationId(correlationId);
        if (userId != null) {
            properties.setUserId(new Binary(userId));
        }
        message.setProperties(properties);
        message.setDurable(true);
        message.setApplicationProperties(new ApplicationProperties(applicationProperties));
        message.setBody(new AmqpValue(body));
        byte[] buffer = new byte[64 * 1024];
        int length = message.encode(buffer, 0, buffer.length);
        Delivery delivery = sender.delivery(correlationId.getBytes(StandardCharsets.UTF_8));
        sender.send(buffer, 0, length);
        sender.advance();
        pumpUntil(() -> delivery.getRemoteState() != null, "the broker's answer to " + correlationId);
        if (!(delivery.getRemoteState() instanceof Accepted)) {
            throw new IOException("not accepted: " + delivery.getRemoteState());
        }
        delivery.settle();
    }

    private void pumpUntil(BooleanSupplier done, String what) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        byte[] chunk = new byte[16 * 1024];
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline) || connection.getRemoteCondition().getCondition() != null) {
                throw new IOException("no " + what + ": " + connection.getRemoteCondition());
            }
            while (transport.pending() > 0) {
                ByteBuffer head = transport.head();
                byte[] bytes = new byte[head.remaining()];
                head.get(bytes);
                out.write(bytes);
                transport.pop(bytes.length);
            }
            out.flush();
            try {
                int read = in.read(chunk);
                if (read < 0) {
                    throw new IOException("connection closed by the broker while waiting for " + what);
                }
                for (int offset = 0; offset < read; ) {
                    ByteBuffer tail = transport.tail();
                    int length = Math.min(tail.remaining(), read - offset);
                    tail.put(chunk, offset, length);
                    transport.process();
                    offset += length;
                }
            } catch (SocketTimeoutException nothingYet) {
                // the broker has not answered yet: write what is pending and read again
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
