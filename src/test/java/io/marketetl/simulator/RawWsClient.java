package io.marketetl.simulator;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A bare RFC 6455 client over a plain socket that never answers pings by itself (every library client does),
 * so tests can watch the server's pong timeout.
 */
final class RawWsClient implements AutoCloseable {

    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** Close code of a close frame, -1 when absent. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    static final int TEXT = 1;
    static final int CLOSE = 8;
    static final int PING = 9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final int status;

    RawWsClient(int port, String path) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nUser-Agent: market-etl/raw\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = readLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        while (!readLine().isEmpty()) {
            // skip headers
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** Next frame (server frames are not masked); null on end of stream or after {@code timeoutMs}. */
    Frame read(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, payload);
        } catch (SocketTimeoutException | java.io.EOFException e) {
            return null;
        }
    }

    void sendText(String text) throws IOException {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        if (p.length > 125) {
            throw new IllegalArgumentException("keep raw test frames short");
        }
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + p.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | p.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < p.length; i++) {
            frame[6 + i] = (byte) (p[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
