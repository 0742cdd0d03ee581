package dev.streamparrot.model.generate;

/** Why a sequence ended, spelled as the OpenAI API spells it. */
public enum FinishReason {
    /** A stop sequence or the end-of-text token. */
    STOP("stop"),
    /** max_tokens reached. */
    LENGTH("length");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
