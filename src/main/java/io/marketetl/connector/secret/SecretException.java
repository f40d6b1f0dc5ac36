package io.marketetl.connector.secret;

/**
 * A secret could not be encrypted or decrypted, or the key settings are wrong. The message says which (see
 * {@link Reason}) and names the setting or the value's context (e.g. {@code credentials_encrypted:okx-account}),
 * never key material or plaintext. No cause is attached: the causes (base64 and crypto exceptions) could quote
 * fragments of their input.
 */
public final class SecretException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** MARKET_ETL_SECRET_KEY or MARKET_ETL_SECRET_KEY_FILE is unusable (not base64, not 32 bytes, unreadable). */
        BAD_KEY_SETTING,
        /** A value must be encrypted and no key is configured. */
        NO_KEY,
        /** The text is not {@code v1:<keyId>:<base64>} (or its base64 is not canonical, or too short). */
        MALFORMED,
        /** The text has another format version than {@code v1}. */
        UNSUPPORTED_VERSION,
        /** The text was encrypted under a key id that is not in the key ring. */
        UNKNOWN_KEY,
        /** GCM authentication failed: the value was altered, or it belongs to another context (row or column). */
        AUTHENTICATION_FAILED
    }

    private final Reason reason;

    public SecretException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
