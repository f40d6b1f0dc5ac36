package io.marketetl.normalise;

/**
 * A frame the normalise step cannot turn into {@link MarketMessage}s: not JSON, not the expected shape, or missing a
 * required field. It carries a short machine-readable {@link #reason()} (e.g. {@code invalid_json},
 * {@code missing_field:px}, {@code unsupported_channel:books5}) and the whole frame text, so the application can
 * route the frame aside (it is never silently dropped).
 */
public class MalformedFrameException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_TEXT_IN_MESSAGE = 200;

    private final String reason;
    private final String frameText;

    public MalformedFrameException(String reason, String frameText) {
        this(reason, frameText, null);
    }

    public MalformedFrameException(String reason, String frameText, Throwable cause) {
        super("malformed frame (" + reason + "): " + abbreviate(frameText), cause);
        this.reason = reason;
        this.frameText = frameText;
    }

    /** Short machine-readable reason, e.g. {@code invalid_json} or {@code missing_field:px}. */
    public String reason() {
        return reason;
    }

    /** The complete text of the frame that could not be normalised. */
    public String frameText() {
        return frameText;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= MAX_TEXT_IN_MESSAGE ? text : text.substring(0, MAX_TEXT_IN_MESSAGE) + "...";
    }
}
