package dev.streamparrot.inference.service;

import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread of each of the service's followers (checkpoints, evaluations, provenance), so that each
 * is only its handler: a daemon that runs the follower's body until it returns or the follower closes. A failure
 * of the body is logged and the body runs again after a pause: a broker that is slow or restarting never ends the
 * following for good. Closing wakes the follower's consumer (or interrupts the thread when it has none), waits
 * for the thread, and closes the consumer once.
 */
final class FollowerThread implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerThread.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final String name;
    private final KafkaConsumer<?, ?> consumer;
    private final Runnable body;
    private final Thread thread;
    private volatile boolean closed;

    /** @param consumer the consumer the body reads with (closed on this thread), or null */
    FollowerThread(String name, KafkaConsumer<?, ?> consumer, Runnable body) {
        this.name = name;
        this.consumer = consumer;
        this.body = body;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean closed() {
        return closed;
    }

    private void run() {
        try {
            while (!closed) {
                try {
                    body.run();
                    return;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (closed) return;
                    LOG.warn("{} failed, retrying in {} s: {}", name, RETRY.toSeconds(), e.toString());
                    pause(RETRY);
                }
            }
        } catch (WakeupException e) {
            if (!closed) LOG.error("{} woken up unexpectedly", name, e);
        } finally {
            if (consumer != null) consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Sleeps; an interrupt ends the pause early and stays set. */
    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            if (consumer != null) consumer.close(Duration.ofSeconds(2));
            return;
        }
        if (consumer != null) consumer.wakeup();
        else thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
