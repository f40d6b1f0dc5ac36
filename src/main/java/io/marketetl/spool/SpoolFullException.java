package io.marketetl.spool;

import java.io.IOException;

/** The record does not fit the spool's disk budget; nothing was written. */
public final class SpoolFullException extends IOException {

    public SpoolFullException(String message) {
        super(message);
    }
}
