package io.marketetl.connector.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 of UTF-8 text with a UTF-8 text key, as exchanges sign requests. */
public final class HmacSha256 {

    private HmacSha256() {
    }

    public static byte[] sign(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // no cause: nothing about the key belongs in a log
            throw new IllegalStateException("HMAC-SHA256 failed (" + e.getClass().getSimpleName() + ")");
        }
    }
}
