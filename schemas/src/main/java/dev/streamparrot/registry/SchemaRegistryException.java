package dev.streamparrot.registry;

import org.apache.kafka.common.errors.SerializationException;

/** The schema registry refused a request or could not be reached. */
public class SchemaRegistryException extends SerializationException {
    private final int status;

    public SchemaRegistryException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }
}
