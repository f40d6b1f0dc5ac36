package io.marketetl.db;

/** Looks through an exception's cause chain, as drivers and Camel wrap the error that matters. */
public final class Causes {

    private Causes() {
    }

    /** The first throwable of {@code type} in {@code t}'s cause chain (t included), or null. */
    public static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
