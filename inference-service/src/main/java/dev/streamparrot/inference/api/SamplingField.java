package dev.streamparrot.inference.api;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.DoublePredicate;

/**
 * A sampling field that more than one request body has ({@code POST /v1/completions}, {@code POST /v1/humaneval}),
 * with its rule written once: {@code @SamplingField(Rule.TOP_P) Double topP}. Micronaut's validator checks it
 * through {@link SamplingRules}; an absent field is valid (its default applies).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Constraint(validatedBy = {})
public @interface SamplingField {
    Rule value();

    /** Replaced by the rule's own message. */
    String message() default "invalid sampling field.";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Each message starts with the field's JSON name, as the other refusals' do. */
    enum Rule {
        TEMPERATURE(t -> t >= 0, "temperature must be non-negative."),
        TOP_P(p -> p > 0 && p <= 1, "top_p must be in (0, 1].");

        private final DoublePredicate allows;
        private final String message;

        Rule(DoublePredicate allows, String message) {
            this.allows = allows;
            this.message = message;
        }

        public boolean allows(double value) {
            return allows.test(value);
        }

        public String message() {
            return message;
        }
    }
}
