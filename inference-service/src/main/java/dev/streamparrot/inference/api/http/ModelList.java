package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamparrot.inference.service.LoadedModel;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** {@code GET /v1/models}: the served model, as vLLM lists it (empty until one is loaded). */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS) // data is [] before a model is loaded, never left out
record ModelList(String object, List<Model> data) {
    ModelList(List<Model> data) {
        this("list", data);
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS) // parent is written as null, as vLLM does
    record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy, String root,
                 String parent, @JsonProperty("max_model_len") int maxModelLen) {
        static Model of(LoadedModel m) {
            return new Model(m.id(), "model", m.loadedAt().getEpochSecond(), "streamparrot", m.id(), null,
                    m.model().contextLength());
        }
    }
}
