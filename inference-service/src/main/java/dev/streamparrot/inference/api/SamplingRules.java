package dev.streamparrot.inference.api;

import io.micronaut.core.annotation.AnnotationValue;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.validation.validator.constraints.ConstraintValidator;
import io.micronaut.validation.validator.constraints.ConstraintValidatorContext;
import jakarta.inject.Singleton;

/** Micronaut's check of {@link SamplingField}: a broken rule is a violation with the rule's message. */
@Singleton
final class SamplingRules implements ConstraintValidator<SamplingField, Double> {

    @Override
    public boolean isValid(@Nullable Double value, AnnotationValue<SamplingField> annotation, ConstraintValidatorContext context) {
        SamplingField.Rule rule = annotation.enumValue(SamplingField.Rule.class).orElseThrow();
        if (value == null || rule.allows(value)) return true;
        context.messageTemplate(rule.message());
        return false;
    }
}
