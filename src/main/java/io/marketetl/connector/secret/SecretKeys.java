package io.marketetl.connector.secret;

import io.marketetl.connector.secret.SecretException.Reason;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Loads the {@link KeyRing} from the settings and generates keys.
 *
 * <ul>
 * <li>{@value #KEY_VARIABLE}: base64 (RFC 4648, standard alphabet, padding optional) of exactly 32 bytes; several keys
 * comma-separated, the first being the current one (spaces around a key are ignored).</li>
 * <li>{@value #KEY_FILE_VARIABLE}: a UTF-8 file with one such key per line, the first being the current one; blank
 * lines and lines starting with {@code #} are ignored.</li>
 * </ul>
 * Setting both is an error (which one wins would be a guess); setting neither gives an empty ring. Every error is a
 * {@link SecretException} ({@link Reason#BAD_KEY_SETTING}) with a one-line message naming the variable and the key's
 * position (or the file's line), never the key text.
 */
public final class SecretKeys {

    public static final String KEY_VARIABLE = "MARKET_ETL_SECRET_KEY";
    public static final String KEY_FILE_VARIABLE = "MARKET_ETL_SECRET_KEY_FILE";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretKeys() {
    }

    /**
     * The key ring of these settings.
     *
     * @param keys the value of {@value #KEY_VARIABLE}, or null/blank
     * @param keyFile the value of {@value #KEY_FILE_VARIABLE} (a path), or null/blank
     * @return the keys, current first; {@link KeyRing#empty()} when neither is set
     * @throws SecretException (BAD_KEY_SETTING) when a key is not base64 or not 32 bytes, a key is repeated, the file
     *         cannot be read or holds no key, or both settings are given
     */
    public static KeyRing fromSettings(String keys, String keyFile) {
        boolean haveKeys = keys != null && !keys.isBlank();
        boolean haveFile = keyFile != null && !keyFile.isBlank();
        if (haveKeys && haveFile) {
            throw bad("set either " + KEY_VARIABLE + " or " + KEY_FILE_VARIABLE + ", not both");
        }
        if (haveKeys) {
            return fromKeyList(keys);
        }
        if (haveFile) {
            return fromKeyFile(keyFile.strip());
        }
        return KeyRing.empty();
    }

    /** Base64 of 32 fresh random bytes from {@link SecureRandom}: a new key for {@value #KEY_VARIABLE}. */
    public static String generate() {
        byte[] key = new byte[KeyRing.KEY_BYTES];
        RANDOM.nextBytes(key);
        try {
            return Base64.getEncoder().encodeToString(key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private static KeyRing fromKeyList(String value) {
        String[] parts = value.split(",", -1);
        List<byte[]> keys = new ArrayList<>();
        try {
            for (int i = 0; i < parts.length; i++) {
                keys.add(decode(parts[i].strip(), KEY_VARIABLE + ": key " + (i + 1) + " of " + parts.length));
            }
            return ring(keys, KEY_VARIABLE);
        } finally {
            wipe(keys);
        }
    }

    private static KeyRing fromKeyFile(String file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (InvalidPathException e) {
            throw bad(KEY_FILE_VARIABLE + ": not a valid path: " + file);
        } catch (NoSuchFileException e) {
            throw bad(KEY_FILE_VARIABLE + ": cannot read " + file + " (no such file)");
        } catch (AccessDeniedException e) {
            throw bad(KEY_FILE_VARIABLE + ": cannot read " + file + " (permission denied)");
        } catch (MalformedInputException e) {
            throw bad(KEY_FILE_VARIABLE + ": cannot read " + file + " (not UTF-8 text)");
        } catch (IOException e) {
            throw bad(KEY_FILE_VARIABLE + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        List<byte[]> keys = new ArrayList<>();
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                keys.add(decode(line, KEY_FILE_VARIABLE + ": line " + (i + 1) + " of " + file));
            }
            if (keys.isEmpty()) {
                throw bad(KEY_FILE_VARIABLE + ": " + file + " holds no key (one base64 key per line)");
            }
            return ring(keys, KEY_FILE_VARIABLE);
        } finally {
            wipe(keys);
        }
    }

    private static byte[] decode(String text, String where) {
        if (text.isEmpty()) {
            throw bad(where + " is empty");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            // e's message quotes the offending character: not repeated here
            throw bad(where + " is not base64");
        }
        if (key.length != KeyRing.KEY_BYTES) {
            int length = key.length;
            Arrays.fill(key, (byte) 0);
            throw bad(where + " is " + length + " bytes, a key must be exactly " + KeyRing.KEY_BYTES
                    + " (base64 of 32 random bytes)");
        }
        return key;
    }

    private static KeyRing ring(List<byte[]> keys, String variable) {
        try {
            return KeyRing.of(keys);
        } catch (IllegalArgumentException e) {
            throw bad(variable + ": " + e.getMessage());
        }
    }

    private static void wipe(List<byte[]> keys) {
        for (byte[] k : keys) {
            Arrays.fill(k, (byte) 0);
        }
    }

    private static SecretException bad(String message) {
        return new SecretException(Reason.BAD_KEY_SETTING, message);
    }
}
