package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.RejectReason;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which files are kept, with CodeParrot's thresholds as defaults (scripts/preprocessing.py and arguments.py).
 *
 * @param extensions              only paths ending with one of these are candidates at all (others are skipped, not counted)
 * @param minBytes                smaller files are TOO_SMALL
 * @param maxBytes                larger files are TOO_LARGE (sources refuse to read them)
 * @param allowedLicenses         SPDX ids to keep; empty turns the license filter off (CodeParrot kept every license)
 * @param maxLineLength           a longer line (in characters) means MAX_LINE_LENGTH
 * @param maxMeanLineLength       a larger mean line length means MEAN_LINE_LENGTH
 * @param minAlphanumericFraction a smaller fraction of alphanumeric characters means ALPHANUMERIC_FRACTION
 * @param scanLines               how many leading lines the keyword filters read
 * @param configOrTestCoefficient "config"/"test" occurring more than this times the newline count means CONFIG_OR_TEST
 * @param dropProbability         probability that a CONFIG_OR_TEST or NO_KEYWORDS file is actually dropped
 * @param minAssignments          a file with at most this many '=' is FEW_ASSIGNMENTS
 * @param disabled                checks to skip, named by the reason they would give
 */
public record CleaningConfig(List<String> extensions, int minBytes, int maxBytes, Set<String> allowedLicenses,
                             int maxLineLength, double maxMeanLineLength, double minAlphanumericFraction,
                             int scanLines, double configOrTestCoefficient, double dropProbability,
                             int minAssignments, Set<RejectReason> disabled) {

    public CleaningConfig {
        extensions = List.copyOf(extensions);
        allowedLicenses = Set.copyOf(allowedLicenses);
        disabled = disabled.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(disabled));
        if (minBytes < 0 || maxBytes < minBytes) throw new IllegalArgumentException("need 0 <= minBytes <= maxBytes");
        if (dropProbability < 0 || dropProbability > 1) throw new IllegalArgumentException("dropProbability in [0, 1]");
    }

    public static CleaningConfig defaults() {
        return new CleaningConfig(List.of(".py"), 1_024, 1_048_575, Set.of(),
                1_000, 100, 0.25, 5, 0.05, 0.7, 4, Set.of());
    }

    public boolean enabled(RejectReason check) {
        return !disabled.contains(check);
    }

    public CleaningConfig withExtensions(List<String> extensions) {
        return new CleaningConfig(extensions, minBytes, maxBytes, allowedLicenses, maxLineLength, maxMeanLineLength,
                minAlphanumericFraction, scanLines, configOrTestCoefficient, dropProbability, minAssignments, disabled);
    }

    public CleaningConfig withSizeRange(int minBytes, int maxBytes) {
        return new CleaningConfig(extensions, minBytes, maxBytes, allowedLicenses, maxLineLength, maxMeanLineLength,
                minAlphanumericFraction, scanLines, configOrTestCoefficient, dropProbability, minAssignments, disabled);
    }

    public CleaningConfig withAllowedLicenses(Set<String> allowedLicenses) {
        return new CleaningConfig(extensions, minBytes, maxBytes, allowedLicenses, maxLineLength, maxMeanLineLength,
                minAlphanumericFraction, scanLines, configOrTestCoefficient, dropProbability, minAssignments, disabled);
    }

    public CleaningConfig withDropProbability(double dropProbability) {
        return new CleaningConfig(extensions, minBytes, maxBytes, allowedLicenses, maxLineLength, maxMeanLineLength,
                minAlphanumericFraction, scanLines, configOrTestCoefficient, dropProbability, minAssignments, disabled);
    }

    public CleaningConfig withDisabled(RejectReason... checks) {
        Set<RejectReason> off = EnumSet.noneOf(RejectReason.class);
        off.addAll(disabled);
        off.addAll(List.of(checks));
        return new CleaningConfig(extensions, minBytes, maxBytes, allowedLicenses, maxLineLength, maxMeanLineLength,
                minAlphanumericFraction, scanLines, configOrTestCoefficient, dropProbability, minAssignments, off);
    }
}
