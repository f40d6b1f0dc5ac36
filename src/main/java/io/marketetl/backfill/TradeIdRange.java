package io.marketetl.backfill;

/** The inclusive trade ids one received message item covers; made by the exchange modules. */
public record TradeIdRange(long firstId, long lastId) {
    public TradeIdRange {
        if (firstId > lastId) {
            throw new IllegalArgumentException("trade id range " + firstId + ".." + lastId);
        }
    }

    public static TradeIdRange single(long id) {
        return new TradeIdRange(id, id);
    }
}
