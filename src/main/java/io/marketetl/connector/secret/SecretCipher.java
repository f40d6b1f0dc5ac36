package io.marketetl.connector.secret;

import io.marketetl.connector.secret.SecretException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest (the {@code *_encrypted} columns of {@code api_connectors}) with AES-256-GCM.
 *
 * <h2>Text format</h2>
 * {@code v1:<keyId>:<base64(nonce || ciphertext || tag)>}
 * <ul>
 * <li>{@code keyId}: the id of the key it was encrypted under, 8 lower-case hex digits (see {@link KeyRing}), so
 * several keys can coexist while keys are rotated;</li>
 * <li>nonce: 12 random bytes ({@link SecureRandom}), fresh for every value; ciphertext: as long as the UTF-8
 * plaintext; tag: 16 bytes (128-bit GCM tag);</li>
 * <li>base64: RFC 4648 standard alphabet with padding, canonical (a text whose base64 does not re-encode to itself is
 * refused, so no character of a text can be altered unnoticed).</li>
 * </ul>
 *
 * <h2>Context (associated data)</h2>
 * Every value is bound to a <em>context</em>, authenticated as GCM associated data but not stored: the AAD is the
 * UTF-8 of {@code "v1:" + keyId + ":" + context}. Decrypting with another context fails, so a ciphertext copied to
 * another row or column is refused instead of being used as that row's secret. The application uses
 * {@link SecretContexts#apiConnector(String, String)}: column name and connector id, e.g.
 * {@code credentials_encrypted:okx-account}; renaming a connector therefore means re-encrypting its values.
 *
 * <p>Random 96-bit nonces are safe for up to 2^32 values per key (NIST SP 800-38D); rotate keys long before that.
 *
 * <p>Thread-safe (immutable; one {@link Cipher} per call). Never logs; exception messages name the context and the
 * key id, never the plaintext or the key. A null value encrypts and decrypts to null (a NULL column stays NULL).
 */
public final class SecretCipher {

    /** Format version written and read. */
    public static final String VERSION = "v1";

    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int TAG_BYTES = TAG_BITS / 8;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Version, key id, base64 (its length and canonical form are checked after decoding). */
    private static final Pattern FORMAT = Pattern.compile("(v\\d+):([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})");
    private static final Pattern VERSION_PREFIX = Pattern.compile("(v\\d+):.*", Pattern.DOTALL);

    private final KeyRing ring;

    public SecretCipher(KeyRing ring) {
        if (ring == null) {
            throw new IllegalArgumentException("key ring is null");
        }
        this.ring = ring;
    }

    public KeyRing keyRing() {
        return ring;
    }

    /**
     * Encrypts under the current key.
     *
     * @param plaintext the secret (null gives null)
     * @param context what the value belongs to, e.g. {@code credentials_encrypted:okx-account}; not empty
     * @throws SecretException (NO_KEY) when the ring is empty
     */
    public String encrypt(String plaintext, String context) {
        requireContext(context);
        if (plaintext == null) {
            return null;
        }
        String keyId = ring.currentKeyId();
        if (keyId == null) {
            throw new SecretException(Reason.NO_KEY, "cannot encrypt " + context + ": no secret key configured (set "
                    + SecretKeys.KEY_VARIABLE + " or " + SecretKeys.KEY_FILE_VARIABLE + ")");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] plain = plaintext.getBytes(StandardCharsets.UTF_8);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, ring.key(keyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(keyId, context));
            byte[] sealed = cipher.doFinal(plain);
            byte[] blob = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return VERSION + ":" + keyId + ":" + Base64.getEncoder().encodeToString(blob);
        } catch (GeneralSecurityException e) {
            // no cause: nothing a JCE message could say about the input belongs in a log
            throw new IllegalStateException("AES-GCM encryption is unavailable or failed ("
                    + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Decrypts a text of {@link #encrypt}, under whichever key of the ring its key id names.
     *
     * @param text the stored text (null gives null)
     * @param context the context it was encrypted with
     * @throws SecretException MALFORMED (not the format), UNSUPPORTED_VERSION, UNKNOWN_KEY (key id not in the ring),
     *         AUTHENTICATION_FAILED (altered, or encrypted for another context)
     */
    public String decrypt(String text, String context) {
        requireContext(context);
        if (text == null) {
            return null;
        }
        Parsed p = parse(text, context);
        SecretKeySpec key = ring.key(p.keyId);
        if (key == null) {
            throw new SecretException(Reason.UNKNOWN_KEY, "cannot decrypt " + context + ": it was encrypted under key "
                    + p.keyId + ", which is not among the configured keys " + ring.keyIds()
                    + " (add that key after the current one)");
        }
        byte[] plain = null;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, p.blob, 0, NONCE_BYTES));
            cipher.updateAAD(aad(p.keyId, context));
            plain = cipher.doFinal(p.blob, NONCE_BYTES, p.blob.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretException(Reason.AUTHENTICATION_FAILED, "cannot decrypt " + context
                    + ": authentication failed under key " + p.keyId
                    + " (the value was altered, or it was encrypted for another row or column)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption is unavailable or failed ("
                    + e.getClass().getSimpleName() + ")");
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    /**
     * The value under the current key: the same text when it already is, otherwise decrypted (with any key of the
     * ring) and encrypted again with a fresh nonce. Same exceptions as {@link #decrypt} and {@link #encrypt}.
     */
    public String reencrypt(String text, String context) {
        if (text == null || !needsReencryption(text)) {
            requireContext(context);
            return text;
        }
        return encrypt(decrypt(text, context), context);
    }

    /**
     * True when the text is in this format ({@code v1:<8 hex>:<canonical base64 of at least nonce and tag>}); says
     * nothing about whether it decrypts.
     */
    public static boolean isEncryptedText(String text) {
        if (text == null) {
            return false;
        }
        try {
            parse(text, "value");
            return true;
        } catch (SecretException e) {
            return false;
        }
    }

    /**
     * True when the text is encrypted under a key other than the ring's current one (an older key, or a key not in
     * the ring at all), i.e. when {@link #reencrypt} would change it. False for null.
     *
     * @throws SecretException (MALFORMED or UNSUPPORTED_VERSION) when the text is not in this format: a value that is
     *         not encrypted is not silently taken for one that merely needs re-encrypting
     */
    public boolean needsReencryption(String text) {
        if (text == null) {
            return false;
        }
        return !parse(text, "value").keyId.equals(ring.currentKeyId());
    }

    /** The key id of an encrypted text. */
    public static String keyIdOf(String text) {
        return parse(text, "value").keyId;
    }

    private record Parsed(String keyId, byte[] blob) {
    }

    private static Parsed parse(String text, String context) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            Matcher v = VERSION_PREFIX.matcher(text);
            if (v.matches() && !v.group(1).equals(VERSION)) {
                throw unsupported(v.group(1), context);
            }
            throw malformed(context, "not " + VERSION + ":<key id>:<base64>");
        }
        if (!m.group(1).equals(VERSION)) {
            throw unsupported(m.group(1), context);
        }
        byte[] blob = canonicalBase64(m.group(3));
        if (blob == null) {
            throw malformed(context, "its base64 is not canonical");
        }
        if (blob.length < NONCE_BYTES + TAG_BYTES) {
            throw malformed(context, "too short");
        }
        return new Parsed(m.group(2), blob);
    }

    /** The decoded bytes when the text is base64 that re-encodes to itself (with padding), else null. */
    private static byte[] canonicalBase64(String b64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return Base64.getEncoder().encodeToString(bytes).equals(b64) ? bytes : null;
    }

    private static byte[] aad(String keyId, String context) {
        return (VERSION + ":" + keyId + ":" + context).getBytes(StandardCharsets.UTF_8);
    }

    private static void requireContext(String context) {
        if (context == null || context.isEmpty()) {
            throw new IllegalArgumentException("a secret needs a context (what it belongs to), got none");
        }
    }

    private static SecretException malformed(String context, String why) {
        return new SecretException(Reason.MALFORMED, "cannot decrypt " + context + ": not an encrypted value (" + why
                + ")");
    }

    private static SecretException unsupported(String version, String context) {
        return new SecretException(Reason.UNSUPPORTED_VERSION, "cannot decrypt " + context + ": format " + version
                + " is not supported (this version reads " + VERSION + ")");
    }

    @Override
    public String toString() {
        return "SecretCipher[AES-256-GCM, " + ring + "]";
    }
}
