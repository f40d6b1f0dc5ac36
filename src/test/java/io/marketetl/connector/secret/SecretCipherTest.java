package io.marketetl.connector.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.connector.secret.SecretException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private static final String CONTEXT = "credentials_encrypted:okx-account";
    private static final String SECRET = "{\"api_key\":\"k-123\",\"secret\":\"very-secret-value\"}";

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i * 7);
        }
        return k;
    }

    private static SecretCipher cipher(byte[]... keys) {
        return new SecretCipher(KeyRing.of(List.of(keys)));
    }

    @Test
    void roundTripsAnyTextIncludingEmptyAndNonAscii() {
        SecretCipher c = cipher(key(1));
        for (String plain : List.of(SECRET, "", "ß ü € 😀 日本", "x".repeat(100_000))) {
            String text = c.encrypt(plain, CONTEXT);
            assertThat(c.decrypt(text, CONTEXT)).isEqualTo(plain);
            assertThat(SecretCipher.isEncryptedText(text)).isTrue();
        }
    }

    @Test
    void nullStaysNull() {
        SecretCipher c = cipher(key(1));
        assertThat(c.encrypt(null, CONTEXT)).isNull();
        assertThat(c.decrypt(null, CONTEXT)).isNull();
        assertThat(c.reencrypt(null, CONTEXT)).isNull();
        assertThat(c.needsReencryption(null)).isFalse();
        assertThat(SecretCipher.isEncryptedText(null)).isFalse();
    }

    @Test
    void textIsVersionKeyIdOfSha256AndBase64OfNonceCiphertextTag() throws Exception {
        byte[] k = key(1);
        String text = cipher(k).encrypt(SECRET, CONTEXT);
        String[] parts = text.split(":");
        assertThat(parts).hasSize(3);
        assertThat(parts[0]).isEqualTo("v1");
        String expectedId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(k)).substring(0, 8);
        assertThat(parts[1]).isEqualTo(expectedId).isEqualTo(KeyRing.keyIdOf(k));
        byte[] blob = Base64.getDecoder().decode(parts[2]);
        assertThat(blob).hasSize(12 + SECRET.getBytes(StandardCharsets.UTF_8).length + 16);
        assertThat(text).doesNotContain("very-secret-value");
    }

    @Test
    void decryptsATextBuiltIndependentlyFromTheDocumentedFormat() throws Exception {
        byte[] k = key(5);
        String keyId = KeyRing.keyIdOf(k);
        byte[] nonce = HexFormat.of().parseHex("cafebabefacedbaddecaf888");
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(("v1:" + keyId + ":" + CONTEXT).getBytes(StandardCharsets.UTF_8));
        byte[] sealed = gcm.doFinal("hello".getBytes(StandardCharsets.UTF_8));
        String text = "v1:" + keyId + ":" + Base64.getEncoder().encodeToString(
                ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
        assertThat(cipher(k).decrypt(text, CONTEXT)).isEqualTo("hello");
    }

    @Test
    void everyValueGetsAFreshNonce() {
        SecretCipher c = cipher(key(1));
        Set<String> texts = new HashSet<>();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            String text = c.encrypt(SECRET, CONTEXT);
            texts.add(text);
            byte[] blob = Base64.getDecoder().decode(text.substring(text.lastIndexOf(':') + 1));
            nonces.add(HexFormat.of().formatHex(blob, 0, 12));
        }
        assertThat(texts).hasSize(2_000);
        assertThat(nonces).hasSize(2_000);
    }

    @Test
    void alteringAnyByteOfNonceCiphertextOrTagFailsAuthentication() {
        SecretCipher c = cipher(key(1));
        String text = c.encrypt("short secret", CONTEXT);
        String prefix = text.substring(0, text.lastIndexOf(':') + 1);
        byte[] blob = Base64.getDecoder().decode(text.substring(prefix.length()));
        for (int i = 0; i < blob.length; i++) {
            for (int bit = 0; bit < 8; bit += 7) {
                byte[] altered = blob.clone();
                altered[i] ^= (byte) (1 << bit);
                String tampered = prefix + Base64.getEncoder().encodeToString(altered);
                assertFails(() -> c.decrypt(tampered, CONTEXT), Reason.AUTHENTICATION_FAILED);
            }
        }
        // truncated (tag cut short) or extended
        assertFails(() -> c.decrypt(prefix + Base64.getEncoder().encodeToString(Arrays.copyOf(blob, blob.length - 1)),
                CONTEXT), Reason.AUTHENTICATION_FAILED);
        assertFails(() -> c.decrypt(prefix + Base64.getEncoder().encodeToString(Arrays.copyOf(blob, blob.length + 1)),
                CONTEXT), Reason.AUTHENTICATION_FAILED);
        assertFails(() -> c.decrypt(prefix + Base64.getEncoder().encodeToString(Arrays.copyOf(blob, 27)), CONTEXT),
                Reason.MALFORMED);
    }

    @Test
    void alteringAnyCharacterOfTheTextIsNoticed() {
        byte[] k = key(1);
        SecretCipher c = cipher(k);
        // 13 plaintext bytes: 41-byte blob, whose last base64 character carries unused bits
        String text = c.encrypt("thirteen byte", CONTEXT);
        assertThat(text).endsWith("=");
        for (int i = 0; i < text.length(); i++) {
            for (char replacement : new char[] {'A', 'b', '9', '+', '=', ':', 'g'}) {
                if (text.charAt(i) == replacement) {
                    continue;
                }
                String tampered = text.substring(0, i) + replacement + text.substring(i + 1);
                assertThatThrownBy(() -> c.decrypt(tampered, CONTEXT))
                        .as("character %d replaced by %s", i, replacement)
                        .isInstanceOf(SecretException.class)
                        .hasMessageNotContaining("thirteen");
            }
        }
    }

    @Test
    void aValueOnlyDecryptsInItsOwnContext() {
        SecretCipher c = cipher(key(1));
        String text = c.encrypt(SECRET, SecretContexts.apiConnector("okx-account", SecretContexts.CREDENTIALS));
        for (String other : List.of(SecretContexts.apiConnector("okx-other", SecretContexts.CREDENTIALS),
                SecretContexts.apiConnector("okx-account", SecretContexts.HEADERS), "credentials_encrypted:okx-accoun",
                "x")) {
            assertThatThrownBy(() -> c.decrypt(text, other))
                    .isInstanceOf(SecretException.class)
                    .satisfies(e -> assertThat(((SecretException) e).reason()).isEqualTo(Reason.AUTHENTICATION_FAILED))
                    .hasMessageContaining(other)
                    .hasMessageContaining("authentication failed")
                    .hasMessageNotContaining("very-secret-value");
        }
        assertThat(c.decrypt(text, "credentials_encrypted:okx-account")).isEqualTo(SECRET);
    }

    @Test
    void aValueOfAKeyNotInTheRingIsAnUnknownKey() {
        String text = cipher(key(1)).encrypt(SECRET, CONTEXT);
        SecretCipher other = cipher(key(2), key(3));
        assertThatThrownBy(() -> other.decrypt(text, CONTEXT))
                .isInstanceOf(SecretException.class)
                .satisfies(e -> assertThat(((SecretException) e).reason()).isEqualTo(Reason.UNKNOWN_KEY))
                .hasMessageContaining(KeyRing.keyIdOf(key(1)))
                .hasMessageContaining("not among the configured keys")
                .hasMessageNotContaining("very-secret-value");
        SecretCipher empty = new SecretCipher(KeyRing.empty());
        assertFails(() -> empty.decrypt(text, CONTEXT), Reason.UNKNOWN_KEY);
    }

    @Test
    void textsNotInTheFormatAreRefused() {
        SecretCipher c = cipher(key(1));
        String good = c.encrypt(SECRET, CONTEXT);
        String id = KeyRing.keyIdOf(key(1));
        assertFails(() -> c.decrypt(SECRET, CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt("", CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt("v1:" + id + ":", CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt("v1:" + id.toUpperCase() + good.substring(11), CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt(good + " ", CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt(good.replace('/', '_').replace('+', '-') + "_", CONTEXT), Reason.MALFORMED);
        assertFails(() -> c.decrypt("v2" + good.substring(2), CONTEXT), Reason.UNSUPPORTED_VERSION);
        assertFails(() -> c.decrypt("v10:anything", CONTEXT), Reason.UNSUPPORTED_VERSION);
        assertThatThrownBy(() -> c.decrypt(SECRET, CONTEXT)).hasMessageNotContaining("very-secret-value");

        assertThat(SecretCipher.isEncryptedText(good)).isTrue();
        assertThat(SecretCipher.isEncryptedText(SECRET)).isFalse();
        assertThat(SecretCipher.isEncryptedText("v2" + good.substring(2))).isFalse();
        assertThat(SecretCipher.isEncryptedText(good.substring(0, good.length() - 1))).isFalse();
        assertThat(SecretCipher.isEncryptedText("v1:" + id + ":" + "A".repeat(40))).isTrue();
        assertThat(SecretCipher.isEncryptedText("v1:" + id + ":" + "A".repeat(36))).isFalse();
    }

    @Test
    void encryptingNeedsAKeyAndAContext() {
        SecretCipher empty = new SecretCipher(KeyRing.empty());
        assertThatThrownBy(() -> empty.encrypt(SECRET, CONTEXT))
                .isInstanceOf(SecretException.class)
                .satisfies(e -> assertThat(((SecretException) e).reason()).isEqualTo(Reason.NO_KEY))
                .hasMessageContaining("MARKET_ETL_SECRET_KEY")
                .hasMessageNotContaining("very-secret-value");
        SecretCipher c = cipher(key(1));
        assertThatThrownBy(() -> c.encrypt(SECRET, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.encrypt(SECRET, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.decrypt(c.encrypt(SECRET, CONTEXT), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterRotationOldValuesStillDecryptAndNeedReencryption() {
        byte[] oldKey = key(1);
        byte[] newKey = key(2);
        SecretCipher before = cipher(oldKey);
        String old = before.encrypt(SECRET, CONTEXT);
        assertThat(before.needsReencryption(old)).isFalse();
        assertThat(before.reencrypt(old, CONTEXT)).isSameAs(old);

        SecretCipher after = cipher(newKey, oldKey);
        assertThat(after.decrypt(old, CONTEXT)).isEqualTo(SECRET);
        assertThat(after.needsReencryption(old)).isTrue();
        String fresh = after.encrypt(SECRET, CONTEXT);
        assertThat(SecretCipher.keyIdOf(fresh)).isEqualTo(KeyRing.keyIdOf(newKey));
        assertThat(after.needsReencryption(fresh)).isFalse();

        String moved = after.reencrypt(old, CONTEXT);
        assertThat(SecretCipher.keyIdOf(moved)).isEqualTo(KeyRing.keyIdOf(newKey));
        assertThat(after.needsReencryption(moved)).isFalse();
        // the old key can go once everything is re-encrypted
        assertThat(cipher(newKey).decrypt(moved, CONTEXT)).isEqualTo(SECRET);
        assertFails(() -> cipher(newKey).decrypt(old, CONTEXT), Reason.UNKNOWN_KEY);
        // a key that is not in the ring at all also needs re-encryption (which then fails as an unknown key)
        assertThat(cipher(key(3)).needsReencryption(old)).isTrue();
        assertFails(() -> cipher(key(3)).reencrypt(old, CONTEXT), Reason.UNKNOWN_KEY);
        assertFails(() -> after.needsReencryption(SECRET), Reason.MALFORMED);
    }

    @Test
    void toStringShowsKeyIdsOnly() {
        byte[] k1 = key(1);
        byte[] k2 = key(2);
        SecretCipher c = cipher(k1, k2);
        String s = c.toString() + c.keyRing();
        assertThat(s).contains(KeyRing.keyIdOf(k1), KeyRing.keyIdOf(k2))
                .doesNotContain(Base64.getEncoder().encodeToString(k1))
                .doesNotContain(HexFormat.of().formatHex(k1));
        assertThat(KeyRing.empty().toString()).isEqualTo("KeyRing[no keys]");
    }

    @Test
    void contextsAreColumnThenConnectorId() {
        assertThat(SecretContexts.apiConnector("binance:1", SecretContexts.QUERY_PARAMS))
                .isEqualTo("query_params_encrypted:binance:1");
        assertThatThrownBy(() -> SecretContexts.apiConnector("a", "name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretContexts.apiConnector("", SecretContexts.HEADERS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertFails(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOf(SecretException.class)
                .satisfies(e -> assertThat(((SecretException) e).reason()).isEqualTo(reason));
    }
}
