package dev.streamparrot.kit;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One stream stage of a service as its runner and tests see it: the {@link StreamApp}, the stage's metrics, and
 * the side readers its topology looks things up in (tokenizer releases, activations), which close after the app
 * so that no stream thread is left looking into a closed reader.
 *
 * @param <M> the stage's metrics
 */
public abstract class StreamStage<M> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamStage.class);

    private final StreamApp app;
    private final M metrics;
    private final List<AutoCloseable> sideReaders;

    protected StreamStage(StreamApp app, M metrics, AutoCloseable... sideReaders) {
        this.app = app;
        this.metrics = metrics;
        this.sideReaders = List.of(sideReaders);
    }

    protected final StreamApp app() {
        return app;
    }

    public KafkaStreams.State state() {
        return app.state();
    }

    public M metrics() {
        return metrics;
    }

    @Override
    public void close() {
        app.close();
        for (AutoCloseable reader : sideReaders) {
            try {
                reader.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", reader, e);
            }
        }
    }
}
