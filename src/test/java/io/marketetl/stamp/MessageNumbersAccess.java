package io.marketetl.stamp;

/** Test access to the package-private seeding query. */
public final class MessageNumbersAccess {

    private MessageNumbersAccess() {
    }

    public static String seedSql() {
        return MessageNumbers.SEED_SQL;
    }
}
