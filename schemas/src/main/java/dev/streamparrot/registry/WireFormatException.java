package dev.streamparrot.registry;

import org.apache.kafka.common.errors.SerializationException;

/** The bytes are not a Confluent wire-format Avro record, or its schema id is unknown to the registry. */
public final class WireFormatException extends SerializationException {
    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
