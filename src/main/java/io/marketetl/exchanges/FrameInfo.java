package io.marketetl.exchanges;

/**
 * What a dialect found in a received frame, decided cheaply on the I/O thread.
 *
 * @param kind   data (goes to the route) or one of the control kinds (handled in the source)
 * @param stream for data: the stream key (channel + instrument, e.g. {@code trades:BTC-USDT} or
 *               {@code btcusdt@trade}) used by the stale-data watchdog; null when unknown
 * @param detail for control frames: a short description (error code and message, notice text, ...)
 */
public record FrameInfo(Kind kind, String stream, String detail) {

    public enum Kind {
        /** Market data, or anything unrecognisable: handed to the route. */
        DATA,
        /** Reply to the text keepalive. */
        PONG,
        /** Subscribe/unsubscribe acknowledgement. */
        ACK,
        /** Subscribe (or other request) error reported by the exchange. */
        ERROR,
        /** The exchange announces an imminent close: reconnect now. */
        RECONNECT_NOTICE,
        /** Any other control frame (notices, login, connection counts). */
        CONTROL
    }

    public static final FrameInfo PONG_FRAME = new FrameInfo(Kind.PONG, null, "pong");
    public static final FrameInfo UNKNOWN_DATA = new FrameInfo(Kind.DATA, null, null);

    public static FrameInfo data(String stream) {
        return stream == null ? UNKNOWN_DATA : new FrameInfo(Kind.DATA, stream, null);
    }

    public static FrameInfo control(Kind kind, String detail) {
        return new FrameInfo(kind, null, detail);
    }

    public boolean isData() {
        return kind == Kind.DATA;
    }
}
