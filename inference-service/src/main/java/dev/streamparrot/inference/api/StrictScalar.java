package dev.streamparrot.inference.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.type.Argument;
import io.micronaut.serde.Decoder;
import io.micronaut.serde.Deserializer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Reads a JSON scalar into the field's type only when it has that type: Micronaut's serde would take
 * {@code true} as 1, {@code 1.5} as 1, {@code 1} as true and {@code 7} as "7", where OpenAI's API (and vLLM's
 * pydantic) answer 400. Whole floats such as {@code 16.0} are integers, as pydantic accepts them.
 * Put on a field with {@code @Serdeable.Deserializable(using = StrictScalar.class)}; a mistyped value is a 400
 * naming the field.
 */
@Singleton
public final class StrictScalar implements Deserializer<Object> {

    @Override
    public Object deserialize(Decoder decoder, DecoderContext context, Argument<? super Object> type) throws IOException {
        Object value = decoder.decodeArbitrary();
        Class<?> wanted = type.getType();
        if (wanted == String.class && value instanceof String) return value;
        if (wanted == Boolean.class && value instanceof Boolean) return value;
        if (wanted == Double.class && value instanceof Number number) return number.doubleValue();
        if ((wanted == Integer.class || wanted == Long.class) && value instanceof Number number && isWhole(number)) {
            long whole = number.longValue();
            if (wanted == Long.class) return whole;
            if (whole == (int) whole) return (int) whole;
        }
        String name = type.getAnnotationMetadata().stringValue(JsonProperty.class).orElse(type.getName());
        throw ApiException.invalid(name, name + " must be " + article(wanted) + ", got " + value + ".");
    }

    private static boolean isWhole(Number n) {
        double d = n.doubleValue();
        return !Double.isInfinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63;
    }

    private static String article(Class<?> type) {
        if (type == String.class) return "a string";
        if (type == Boolean.class) return "a boolean";
        if (type == Double.class) return "a number";
        return "an integer";
    }
}
