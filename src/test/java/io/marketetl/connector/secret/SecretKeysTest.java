package io.marketetl.connector.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.connector.secret.SecretException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeysTest {

    @TempDir
    Path dir;

    private static String b64(int seed, int length) {
        byte[] k = new byte[length];
        Arrays.fill(k, (byte) seed);
        return Base64.getEncoder().encodeToString(k);
    }

    private static byte[] bytes(String b64) {
        return Base64.getDecoder().decode(b64);
    }

    @Test
    void noSettingGivesAnEmptyRing() {
        assertThat(SecretKeys.fromSettings(null, null).isEmpty()).isTrue();
        assertThat(SecretKeys.fromSettings("  ", "").isEmpty()).isTrue();
        assertThat(SecretKeys.fromSettings("", null).currentKeyId()).isNull();
    }

    @Test
    void commaSeparatedKeysCurrentFirst() {
        String k1 = b64(1, 32);
        String k2 = b64(2, 32);
        String k3 = b64(3, 32).replace("=", ""); // padding is optional
        KeyRing ring = SecretKeys.fromSettings(k1 + ", " + k2 + " ,\t" + k3, null);
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.currentKeyId()).isEqualTo(KeyRing.keyIdOf(bytes(k1)));
        assertThat(ring.keyIds()).containsExactly(KeyRing.keyIdOf(bytes(k1)), KeyRing.keyIdOf(bytes(k2)),
                KeyRing.keyIdOf(bytes(b64(3, 32))));
        assertThat(ring.contains(KeyRing.keyIdOf(bytes(k2)))).isTrue();
    }

    @Test
    void keyFileOneKeyPerLineIgnoringBlankLinesAndComments() throws Exception {
        String k1 = b64(1, 32);
        String k2 = b64(2, 32);
        Path file = dir.resolve("keys");
        Files.writeString(file, "# current key first\n\n  " + k1 + "  \n# rotated out 2026-01\n" + k2 + "\n\n");
        KeyRing ring = SecretKeys.fromSettings(null, file.toString());
        assertThat(ring.keyIds()).containsExactly(KeyRing.keyIdOf(bytes(k1)), KeyRing.keyIdOf(bytes(k2)));
    }

    @Test
    void keysThatAreNotBase64AreRefusedWithoutQuotingThem() {
        String secretish = "not!base64*topsecretvalue";
        expectBad(() -> SecretKeys.fromSettings(secretish, null))
                .hasMessage("MARKET_ETL_SECRET_KEY: key 1 of 1 is not base64");
        expectBad(() -> SecretKeys.fromSettings(b64(1, 32) + "," + secretish, null))
                .hasMessage("MARKET_ETL_SECRET_KEY: key 2 of 2 is not base64");
    }

    @Test
    void keysOfTheWrongLengthAreRefusedWithoutQuotingThem() {
        String short16 = b64(7, 16);
        expectBad(() -> SecretKeys.fromSettings(short16, null))
                .hasMessageStartingWith("MARKET_ETL_SECRET_KEY: key 1 of 1 is 16 bytes, a key must be exactly 32")
                .hasMessageNotContaining(short16);
        String long33 = b64(7, 33);
        expectBad(() -> SecretKeys.fromSettings(long33, null))
                .hasMessageContaining("is 33 bytes")
                .hasMessageNotContaining(long33);
        expectBad(() -> SecretKeys.fromSettings(b64(1, 32) + ",", null))
                .hasMessage("MARKET_ETL_SECRET_KEY: key 2 of 2 is empty");
    }

    @Test
    void aRepeatedKeyIsRefused() {
        String k = b64(1, 32);
        expectBad(() -> SecretKeys.fromSettings(k + "," + b64(2, 32) + "," + k, null))
                .hasMessage("MARKET_ETL_SECRET_KEY: key 3 is the same as key 1")
                .hasMessageNotContaining(k);
    }

    @Test
    void bothSettingsAtOnceAreRefused() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, b64(1, 32));
        expectBad(() -> SecretKeys.fromSettings(b64(2, 32), file.toString()))
                .hasMessage("set either MARKET_ETL_SECRET_KEY or MARKET_ETL_SECRET_KEY_FILE, not both");
    }

    @Test
    void keyFileProblemsNameTheVariableAndTheLine() throws Exception {
        Path missing = dir.resolve("nope");
        expectBad(() -> SecretKeys.fromSettings(null, missing.toString()))
                .hasMessage("MARKET_ETL_SECRET_KEY_FILE: cannot read " + missing + " (no such file)");
        expectBad(() -> SecretKeys.fromSettings(null, dir.toString()))
                .hasMessageStartingWith("MARKET_ETL_SECRET_KEY_FILE: cannot read " + dir);

        Path empty = dir.resolve("empty");
        Files.writeString(empty, "# nothing yet\n\n");
        expectBad(() -> SecretKeys.fromSettings(null, empty.toString()))
                .hasMessageStartingWith("MARKET_ETL_SECRET_KEY_FILE: " + empty + " holds no key");

        Path badLine = dir.resolve("bad");
        String wrong = b64(9, 24);
        Files.writeString(badLine, "# keys\n" + b64(1, 32) + "\n" + wrong + "\n");
        expectBad(() -> SecretKeys.fromSettings(null, badLine.toString()))
                .hasMessageStartingWith("MARKET_ETL_SECRET_KEY_FILE: line 3 of " + badLine + " is 24 bytes")
                .hasMessageNotContaining(wrong);

        Path binary = dir.resolve("binary");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41, (byte) 0xc3});
        expectBad(() -> SecretKeys.fromSettings(null, binary.toString()))
                .hasMessage("MARKET_ETL_SECRET_KEY_FILE: cannot read " + binary + " (not UTF-8 text)");
    }

    @Test
    void generatedKeysAreBase64Of32RandomBytesAndLoad() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String k = SecretKeys.generate();
            assertThat(k).hasSize(44);
            assertThat(Base64.getDecoder().decode(k)).hasSize(32);
            keys.add(k);
        }
        assertThat(keys).hasSize(100);
        String k = SecretKeys.generate();
        KeyRing ring = SecretKeys.fromSettings(k, null);
        SecretCipher c = new SecretCipher(ring);
        assertThat(c.decrypt(c.encrypt("x", "ctx"), "ctx")).isEqualTo("x");
        assertThat(new String(Base64.getDecoder().decode(k), StandardCharsets.ISO_8859_1)).hasSize(32);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> expectBad(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return assertThatThrownBy(call)
                .isInstanceOf(SecretException.class)
                .satisfies(e -> assertThat(((SecretException) e).reason()).isEqualTo(Reason.BAD_KEY_SETTING))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("topsecret"))
                .satisfies(e -> assertThat(e.getCause()).isNull());
    }
}
