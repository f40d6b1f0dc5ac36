package io.marketetl.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void utf8LengthIsWhatEncodingWouldWrite() {
        List<String> samples = List.of("", "abc", "caf\u00e9", "\u20ac100", "\ud83d\ude00", "x\ud800y", "\udc00",
                "\ud800", "a\ud83d", "\u07ff\u0800\uffff");
        for (String s : samples) {
            assertThat(Json.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = switch (random.nextInt(4)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) random.nextInt(0x80, 0x800);
                    case 2 -> (char) random.nextInt(0xD800, 0xE000); // surrogates, paired or not
                    default -> (char) random.nextInt(0x800, 0x10000);
                };
            }
            String s = new String(chars);
            assertThat(Json.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
