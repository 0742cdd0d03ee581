package dev.streamparrot.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The bytes are not a Confluent wire-format Avro record (no cause), or its schema id is unknown to the
 * registry (the registry's 4xx answer as the cause).
 */
public final class WireFormatException extends SerializationException {
    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
