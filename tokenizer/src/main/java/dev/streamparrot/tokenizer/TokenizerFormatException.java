package dev.streamparrot.tokenizer;

import java.io.IOException;

/** A tokenizer file that cannot be loaded; the message says what is wrong with it. */
public final class TokenizerFormatException extends IOException {
    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
