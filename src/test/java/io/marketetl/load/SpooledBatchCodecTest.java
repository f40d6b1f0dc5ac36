package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.batch.Batch;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch fitted for the table, through the spool's bytes and back: every value the write needs, and its progress. */
class SpooledBatchCodecTest {

    @Test
    void aBatchComesBackWithEveryColumnValueItsFactsAndItsProgress() throws IOException {
        List<MarketMessage> messages = new MarketMessageFactory("okx-trades", Style.OKX, 2).frame(Instant.now(), 5);
        for (int i = 0; i < messages.size(); i++) {
            messages.get(i).setMessageNumber(100 + i);
        }
        Batch batch = Batch.of(messages);
        LoadState s = new LoadState(BatchFacts.of(batch, 3), messages.stream().map(Row::of).toList(), "copy");
        s.doneUpTo = 2;
        s.rejected = 1;
        s.attempts = 4;
        s.stageNanos = 12_345;
        s.rows.get(0).loadMicros = 77;
        s.inDoubt = new LoadState.InDoubt(9_000_000_001L, 42, 2, 5, 11, 1, 2, 3, true, Set.of(103L));

        LoadState back = SpooledBatchCodec.decode(SpooledBatchCodec.encode(s));

        assertThat(back.facts()).isEqualTo(s.facts());
        assertThat(back.facts().malformedFrames()).isEqualTo(3);
        assertThat(back.writer()).isEqualTo("copy");
        assertThat(back.doneUpTo).isEqualTo(2);
        assertThat(back.rejected()).isEqualTo(1);
        assertThat(back.attempts()).isEqualTo(4);
        assertThat(back.stageNanos()).isEqualTo(12_345);
        assertThat(back.inDoubt).isEqualTo(s.inDoubt);
        assertThat(back.rows()).hasSize(5);
        for (int i = 0; i < 5; i++) {
            Row a = s.rows.get(i);
            Row b = back.rows.get(i);
            assertThat(b).usingRecursiveComparison().isEqualTo(a);
        }
        assertThat(back.rows.get(0).loadMicros()).isEqualTo(77);
    }

    @Test
    void bytesThatAreNotASpooledBatchAreRefused() {
        assertThatThrownBy(() -> SpooledBatchCodec.decode(new byte[] {7, 1, 2})).isInstanceOf(IOException.class);
        List<MarketMessage> messages = new MarketMessageFactory("okx-trades", Style.OKX, 1).frame(Instant.now(), 2);
        Batch batch = Batch.of(messages);
        byte[] record = SpooledBatchCodec.encode(
                new LoadState(BatchFacts.of(batch, 0), messages.stream().map(Row::of).toList(), "copy"));
        byte[] cut = java.util.Arrays.copyOf(record, record.length - 5);
        assertThatThrownBy(() -> SpooledBatchCodec.decode(cut)).isInstanceOf(IOException.class);
    }
}
