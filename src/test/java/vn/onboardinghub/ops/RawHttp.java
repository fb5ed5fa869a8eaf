package vn.onboardinghub.ops;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 GET written by hand, for what Java's HTTP client refuses to send: a {@code Host} header of one's
 * choosing, as a browser sends after DNS rebinding, or a request from another local address.
 */
final class RawHttp {
    private RawHttp() {
    }

    record Response(int status, String body) {
    }

    static Response get(int port, String host, String path, String authorization) throws IOException {
        return get(InetAddress.getLoopbackAddress(), port, host, path, authorization);
    }

    /** The same from a chosen local address (any of 127.0.0.0/8 reaches a console on 127.0.0.1). */
    static Response get(InetAddress from, int port, String host, String path, String authorization) throws IOException {
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, from, 0)) {
            socket.setSoTimeout(30_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (authorization != null ? "Authorization: " + authorization + "\r\n" : "")
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // "HTTP/1.1 403 Forbidden"
            int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
            int bodyStart = answer.indexOf("\r\n\r\n");
            return new Response(status, bodyStart < 0 ? "" : answer.substring(bodyStart + 4));
        }
    }

    /** What a raw exchange answered: the status, the header lines as sent, the body. */
    record Answer(int status, String head, String body) {
    }

    /**
     * Writes {@code request} as given (anything Java's HTTP client would refuse: an overlong line or header) to the
     * port on 127.0.0.1 and reads the answer until the server closes the connection.
     */
    static Answer exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4));
            int bodyStart = answer.indexOf("\r\n\r\n");
            return new Answer(status, bodyStart < 0 ? answer : answer.substring(0, bodyStart),
                    bodyStart < 0 ? "" : answer.substring(bodyStart + 4));
        }
    }
}
