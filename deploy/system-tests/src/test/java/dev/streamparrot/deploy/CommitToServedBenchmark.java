package dev.streamparrot.deploy;

import dev.streamparrot.deploy.ContinuousLearningTest.Plan;
import dev.streamparrot.deploy.ContinuousLearningTest.Pushed;
import dev.streamparrot.deploy.ContinuousLearningTest.Trained;
import dev.streamparrot.deploy.WholeClusterRestartTest.Cluster;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 15's freshness figure: on the local cluster with the trainer as `./streamparrot up` configures it
 * (ServiceCatalog: 2 chunks per update, a checkpoint every 10 updates plus a 2-update decay branch), 10 commits
 * each adding a file, one after the other; for each, seconds from the commit to the first announced checkpoint
 * whose frontier covers its chunks, and to the served model saying so (provenance). Prints min / median / max
 * and the measured checkpoint interval. Goal: within two checkpoint intervals.
 * Run: {@code mvn -B -o -pl deploy/cluster,deploy/system-tests -am verify -Pbenchmarks -Dtest=CommitToServedBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
class CommitToServedBenchmark {
    /** 10 by default; {@code -Dbenchmark.commits=N} for a shorter run (at most 10: ContinuousLearningTest's files). */
    static final int COMMITS = Integer.getInteger("benchmark.commits", 10);
    static final Plan LOCAL_PLAN = new Plan(2, 0.5, ServiceCatalog.CHECKPOINT_STEPS, ServiceCatalog.DECAY_STEPS);

    @Test
    void commitToServed(@TempDir Path home) throws Exception {
        // the Cluster's test settings put back to the catalog's (later -D settings win)
        Cluster cluster = new Cluster(home,
                "--set", "trainer:streamparrot.trainer.train-batch-size=2",
                "--set", "trainer:streamparrot.trainer.save-checkpoint-steps=" + ServiceCatalog.CHECKPOINT_STEPS);
        try {
            cluster.up();
            cluster.ingestAndActivateTokenizer(WholeClusterRestartTest.copyPackages(home.resolve("corpus"), "json"));
            TrackedRepository repo = TrackedRepository.createInTrainSplit(home.resolve("git"), "tracked",
                    ContinuousLearningTest.VALID_SHARE, cluster.url("ingest"));
            String first = repo.commit("first file", List.<String[]>of(new String[]{"bisect_port.py", ContinuousLearningTest.stdlib("bisect.py")}));
            repo.requestIngest();
            repo.awaitIngested(first, Duration.ofMinutes(2));

            List<Double> covered = new ArrayList<>();
            List<Double> served = new ArrayList<>();
            for (int i = 0; i < COMMITS; i++) {
                Pushed pushed = ContinuousLearningTest.push(cluster, repo);
                Trained trained = ContinuousLearningTest.awaitCovered(cluster, pushed, LOCAL_PLAN, Duration.ofMinutes(10));
                ContinuousLearningTest.awaitProvenance(cluster, repo.name(), pushed.commit(), Duration.ofMinutes(5));
                long servedNanos = System.nanoTime();
                covered.add((trained.coveredNanos() - pushed.committedNanos()) / 1e9);
                served.add((servedNanos - pushed.committedNanos()) / 1e9);
                System.out.printf("commit %d: covered by step %d after %.1f s, served after %.1f s%n", i,
                        trained.announcement().getStep(), covered.get(i), served.get(i));
            }
            List<CheckpointAnnouncement> all = ContinuousLearningTest.announcements(cluster);
            double interval = all.size() < 2 ? Double.NaN
                    : (all.get(all.size() - 1).getCreatedAt().toEpochMilli() - all.get(0).getCreatedAt().toEpochMilli()) / 1e3 / (all.size() - 1);
            System.out.printf("commit -> covering checkpoint announced: %s%ncommit -> served (provenance trained): %s%n"
                            + "checkpoint interval: %d updates + %d decay, %.1f s on average over %d checkpoints%n",
                    summary(covered), summary(served), ServiceCatalog.CHECKPOINT_STEPS, ServiceCatalog.DECAY_STEPS, interval, all.size());
        } finally {
            cluster.stop();
        }
    }

    private static String summary(List<Double> seconds) {
        List<Double> sorted = seconds.stream().sorted().toList();
        return String.format("min %.1f s, median %.1f s, max %.1f s (n=%d)", sorted.get(0),
                sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2) : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2,
                sorted.get(sorted.size() - 1), sorted.size());
    }
}
