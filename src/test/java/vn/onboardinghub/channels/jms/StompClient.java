package vn.onboardinghub.channels.jms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Just enough STOMP 1.2 over a socket to be the Python or Node system of the contract: CONNECT (with login), SEND, SUBSCRIBE. */
final class StompClient implements AutoCloseable {
    record Frame(String command, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects and logs in; a null {@code login} sends a CONNECT without login and passcode. */
    StompClient(String brokerUrl, Duration readTimeout, String login, String passcode) throws IOException {
        URI uri = URI.create(brokerUrl);
        socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout((int) readTimeout.toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
        Map<String, String> headers = new LinkedHashMap<>(Map.of("accept-version", "1.2", "host", "localhost"));
        if (login != null) {
            headers.put("login", login);
            headers.put("passcode", passcode);
        }
        send("CONNECT", headers, "");
        Frame connected = read();
        if (!connected.command().equals("CONNECTED")) {
            throw new IOException("STOMP CONNECT refused: " + connected);
        }
    }

    void send(String command, Map<String, String> headers, String body) throws IOException {
        StringBuilder frame = new StringBuilder(command).append('\n');
        headers.forEach((name, value) -> frame.append(name).append(':').append(value).append('\n'));
        frame.append('\n').append(body).append('\0');
        out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next frame (heart-beat end-of-lines skipped); throws SocketTimeoutException when none comes in time. */
    Frame read() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != 0) {
            if (b == -1) {
                throw new IOException("STOMP connection closed");
            }
            if (raw.size() == 0 && (b == '\n' || b == '\r')) {
                continue;
            }
            raw.write(b);
        }
        String text = raw.toString(StandardCharsets.UTF_8);
        int headerEnd = text.indexOf("\n\n");
        String[] lines = text.substring(0, headerEnd).split("\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
        }
        return new Frame(lines[0], headers, text.substring(headerEnd + 2));
    }

    @Override
    public void close() throws IOException {
        send("DISCONNECT", Map.of(), "");
        socket.close();
    }
}
