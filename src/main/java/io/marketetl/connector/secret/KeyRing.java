package io.marketetl.connector.secret;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys secrets are encrypted with: the first is the <em>current</em> key (new values are encrypted under
 * it), the others are older keys that are only used to decrypt values not yet re-encrypted (see
 * {@link ReencryptCommand}). Immutable and thread-safe.
 *
 * <p>A key's id is derived from the key itself: the first 8 hex digits (lower case) of SHA-256 of its 32 bytes, so it
 * needs no configuration and the same key always has the same id
 * ({@code echo "$MARKET_ETL_SECRET_KEY" | base64 -d | sha256sum | cut -c1-8}). Two keys of one ring may not have
 * the same id (a 1 in 2^32 chance for two random keys; the ring refuses them, generate another key).
 *
 * <p>{@link #toString()} shows key ids only, never key material.
 */
public final class KeyRing {

    /** Bytes of an AES-256 key. */
    public static final int KEY_BYTES = 32;

    private static final KeyRing EMPTY = new KeyRing(new LinkedHashMap<>());

    /** Key id to key, in ring order: the first entry is the current key. */
    private final Map<String, SecretKeySpec> keys;

    private KeyRing(LinkedHashMap<String, SecretKeySpec> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    /** A ring without keys: nothing can be encrypted or decrypted (no key configured). */
    public static KeyRing empty() {
        return EMPTY;
    }

    /**
     * A ring of these keys, the first being the current one. Each must be exactly 32 bytes; no key may appear twice
     * and no two keys may have the same id. The arrays are copied.
     */
    public static KeyRing of(List<byte[]> keys) {
        LinkedHashMap<String, SecretKeySpec> byId = new LinkedHashMap<>();
        List<byte[]> seen = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            if (key == null || key.length != KEY_BYTES) {
                throw new IllegalArgumentException("key " + (i + 1) + " is " + (key == null ? "missing" : key.length
                        + " bytes") + ", an AES-256 key is exactly " + KEY_BYTES);
            }
            for (int j = 0; j < seen.size(); j++) {
                if (MessageDigest.isEqual(seen.get(j), key)) {
                    throw new IllegalArgumentException("key " + (i + 1) + " is the same as key " + (j + 1));
                }
            }
            String id = keyIdOf(key);
            if (byId.containsKey(id)) {
                throw new IllegalArgumentException("keys " + (new ArrayList<>(byId.keySet()).indexOf(id) + 1)
                        + " and " + (i + 1) + " have the same key id " + id + "; generate another key");
            }
            seen.add(key);
            byId.put(id, new SecretKeySpec(key, "AES"));
        }
        return byId.isEmpty() ? EMPTY : new KeyRing(byId);
    }

    /** The id of a key: the first 8 lower-case hex digits of SHA-256 of its bytes. */
    public static String keyIdOf(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 4));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public int size() {
        return keys.size();
    }

    /** The id of the key new values are encrypted under; null for an empty ring. */
    public String currentKeyId() {
        return keys.isEmpty() ? null : keys.keySet().iterator().next();
    }

    /** Every key id, current first. */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    public boolean contains(String keyId) {
        return keys.containsKey(keyId);
    }

    /** The key of that id, or null. */
    SecretKeySpec key(String keyId) {
        return keys.get(keyId);
    }

    @Override
    public String toString() {
        if (keys.isEmpty()) {
            return "KeyRing[no keys]";
        }
        List<String> ids = keyIds();
        return "KeyRing[current=" + ids.get(0) + ", older=" + ids.subList(1, ids.size()) + "]";
    }
}
