package io.marketetl.testsupport;

/** Closing a test class's shared resources in order, skipping the ones never opened. */
public final class Closing {

    private Closing() {
    }

    /** Closes each non-null resource in the given order; the first failure ends it, as an unchecked exception. */
    public static void inOrder(AutoCloseable... resources) {
        for (AutoCloseable c : resources) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
