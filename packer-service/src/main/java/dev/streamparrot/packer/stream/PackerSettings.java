package dev.streamparrot.packer.stream;

/**
 * How the packer stream runs.
 *
 * @param applicationId Kafka Streams application id: the consumer group, and the prefix of its changelog topics
 * @param stateDir      where the remainder store lives on disk
 * @param seqLength     ids per chunk
 * @param validShare    share of repositories that go to chunks-valid
 * @param threads       stream threads in this instance (at most one per input partition does work)
 */
public record PackerSettings(String applicationId, String stateDir, int seqLength, double validShare, int threads) {
    public static final String DEFAULT_APPLICATION_ID = "packer";
}
