package dev.streamparrot.trainer;

import ai.djl.pytorch.jni.JniUtils;
import dev.streamparrot.trainer.group.GroupStatus;
import dev.streamparrot.trainer.loop.LiveStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

import java.util.LinkedHashMap;
import java.util.Map;

/** GET /trainer/status: where the run is (figures are null until they exist). */
@Controller("/trainer")
final class TrainerController {
    private final TrainerService service;

    TrainerController(TrainerService service) {
        this.service = service;
    }

    @Get("/status")
    Map<String, Object> status() {
        LiveStatus.Snapshot s = service.job().status().snapshot();
        TrainerSettings settings = service.job().settings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", settings.runId());
        m.put("model", settings.args().model());
        m.put("state", s.state());
        m.put("step", s.step());
        m.put("maxTrainSteps", settings.args().endless() ? null : settings.args().maxTrainSteps()); // null: endless
        m.put("loss", finite(s.loss()));
        m.put("lr", finite(s.lr()));
        m.put("tokensPerSecond", finite(s.tokensPerSecond()));
        m.put("samples", s.samples());
        m.put("evalLoss", finite(s.evalLoss()));
        m.put("perplexity", Double.isInfinite(s.perplexity()) ? "Infinity" : finite(s.perplexity()));
        m.put("lastCheckpoint", s.lastCheckpoint());
        // what a throughput comparison needs (deploy/bench-trainer.sh): where and how the updates run
        m.put("device", service.enabled() ? service.job().device().toString() : null);
        m.put("libtorchThreads", service.enabled() ? JniUtils.getNumThreads() : null);
        m.put("trainBatchSize", settings.args().trainBatchSize());
        m.put("seqLength", settings.args().seqLength());
        m.put("tokensPerUpdate", settings.args().tokensPerUpdate());
        if (settings.group() != null) {
            GroupStatus.Snapshot g = service.job().groupStatus().snapshot();
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("groupId", settings.group().groupId());
            group.put("memberId", g.memberId());
            group.put("partitions", g.partitions());
            group.put("coordinator", g.coordinator());
            group.put("round", g.round());
            group.put("innerStep", g.innerStep());
            group.put("innerSteps", settings.group().innerSteps());
            group.put("groupSize", g.groupSize());
            group.put("lastRoundSeconds", finite(g.lastRoundSeconds()));
            group.put("lastRoundBytes", g.lastRoundBytes());
            group.put("bytesExchanged", g.bytesExchanged());
            group.put("contributionsRefused", g.refused());
            group.put("contributionsLate", g.lateDropped());
            m.put("group", group);
        }
        return m;
    }

    /** JSON has no NaN: a figure not measured yet is null. */
    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
