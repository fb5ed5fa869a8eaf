package vn.onboardinghub.channels.jms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A {@code hub.broker.url} on a free loopback port, so test brokers never meet a real one on 61616. */
final class BrokerUrls {
    private BrokerUrls() {
    }

    static String free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "tcp://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
