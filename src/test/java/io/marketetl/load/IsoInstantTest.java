package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {

    @Test
    void sameTextAsInstantToString() {
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(-1),
                Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochMilli(1752139200123L),
                Instant.ofEpochSecond(1752139200L, 123_456_000), Instant.ofEpochSecond(1752139200L, 123_456_789),
                Instant.parse("2000-02-29T23:59:59Z"), Instant.parse("1900-03-01T00:00:00Z"),
                Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("0999-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.MIN,
                Instant.MAX);
        for (Instant t : edges) {
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-32_000_000_000L, 254_000_000_000L);
            int nano = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nano);
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
    }
}
