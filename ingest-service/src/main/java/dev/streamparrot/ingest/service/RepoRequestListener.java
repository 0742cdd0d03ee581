package dev.streamparrot.ingest.service;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Hands each request from the repo-requests topic to the tracker; poison requests become dead letters. A
 * schema registry outage dead-letters nothing: the listener stays at the request and retries with backoff.
 */
@Context
final class RepoRequestListener implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RepoRequestListener.class);
    private final RepositoryTracker tracker;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final DeadLetteringDecoder<RepositoryRequest> decoder;
    private final Thread thread = new Thread(this, "repo-requests");
    private volatile boolean running = true;

    RepoRequestListener(RepositoryTracker tracker, KafkaSettings settings, SchemaRegistryClient registry) {
        this.tracker = tracker;
        this.consumer = new KafkaConsumer<>(settings.consumer("ingest-service"));
        this.deadLetterProducer = new KafkaProducer<>(settings.producer("ingest-dead-letters"));
        this.decoder = new DeadLetteringDecoder<>(new AvroSerde<>(RepositoryRequest.class, registry),
                new DeadLetters("ingest-service", registry), deadLetterProducer, new OutageGuard(settings.bootstrapServers()));
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.REPO_REQUESTS.name()));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(500));
                SchemaOutageException outage = null;
                for (TopicPartition tp : records.partitions()) {
                    for (var record : records.records(tp)) {
                        try {
                            decoder.decode(record).ifPresent(this::handOver);
                        } catch (SchemaOutageException e) {
                            consumer.seek(tp, record.offset()); // the commit below then stops before it
                            outage = e;
                            break;
                        }
                    }
                }
                if (!records.isEmpty()) consumer.commitSync();
                if (outage != null) outage.awaitRetry();
            }
        } catch (WakeupException stopping) {
            // close() woke the consumer
        } catch (RuntimeException e) {
            LOG.error("repo-requests listener stopped: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    /**
     * Queuing records the request in repo-state; while Kafka cannot take it (an outage, not poison) the
     * request is retried, and the offset is committed only once it is taken.
     */
    private void handOver(RepositoryRequest request) {
        while (running) {
            try {
                tracker.request(request.getUrl(), request.getRef());
                return;
            } catch (RuntimeException outage) {
                LOG.warn("cannot queue {} yet, retrying: {}", request.getUrl(), outage.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new WakeupException();
                }
            }
        }
        throw new WakeupException(); // stopping: the offset stays uncommitted and the next start takes the request
    }

    @PreDestroy
    void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        deadLetterProducer.close();
    }
}
