package dev.streamparrot.registry;

/** The registry refused a new schema version because readers of the old one could not read it. */
public final class IncompatibleSchemaException extends SchemaRegistryException {
    public IncompatibleSchemaException(String subject, String registryMessage) {
        super(409, "the schema registry refused a new schema for subject '" + subject
                + "' as incompatible with its earlier versions (compatibility BACKWARD): " + registryMessage, null);
    }
}
