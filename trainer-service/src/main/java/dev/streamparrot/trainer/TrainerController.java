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
            Object[] fields = {"groupId", settings.group().groupId(), "memberId", g.memberId(), "partitions", g.partitions(),
                    "coordinator", g.coordinator(), "round", g.round(), "innerStep", g.innerStep(), "innerSteps", settings.group().innerSteps(),
                    "groupSize", g.groupSize(), "lastRoundSeconds", finite(g.lastRoundSeconds()), "lastRoundBytes", g.lastRoundBytes(),
                    "bytesExchanged", g.bytesExchanged(), "contributionsRefused", g.refused(), "contributionsLate", g.lateDropped()};
            Map<String, Object> group = new LinkedHashMap<>(); // names and values in pairs: a figure may be null
            for (int i = 0; i < fields.length; i += 2) group.put((String) fields[i], fields[i + 1]);
            m.put("group", group);
        }
        return m;
    }

    /** JSON has no NaN: a figure not measured yet is null. */
    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
