package io.marketetl.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions that every stored message is there once: by its source's message number and by its trade id. */
public final class StoredOnce {

    private StoredOnce() {
    }

    /**
     * No message number twice per source (backfilled rows have none); no OKX or Binance trade id twice per instrument,
     * read from each row's own data (the stream's item, or the REST history's for a backfilled row).
     */
    public static void assertNoDuplicates(TestDatabase db) {
        assertThat(db.queryLong("SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                + " FROM websocket_messages WHERE backfilled IS NULL")).as("message numbers stored twice").isZero();
        assertThat(db.queryLong("SELECT count(*) - count(DISTINCT (instrument,"
                + " coalesce(data#>>'{data,0,tradeId}', data->>'tradeId')))"
                + " FROM websocket_messages WHERE exchange = 'okx' AND message_type = 'trade'"))
                .as("OKX trades stored twice").isZero();
        assertThat(db.queryLong("SELECT count(*) - count(DISTINCT (instrument, coalesce(data->>'t', data->>'id')))"
                + " FROM websocket_messages WHERE exchange = 'binance' AND message_type = 'trade'"))
                .as("Binance trades stored twice").isZero();
    }
}
