package dev.streamparrot.ingest.service;

import java.util.ArrayList;
import java.util.List;

/**
 * Python modules over numbered identifiers, so that tests choose the Jaccard similarity of two files'
 * token sets: identifiers {@code from..to-1} of one family make up one module.
 */
final class SyntheticCode {
    private SyntheticCode() {}

    /** A module whose token set is "def", "return" and the identifiers {@code family_from .. family_(to-1)}. */
    static String module(String family, int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) lines.add("def " + family + "_" + i + "():\n    return " + family + "_" + i + "\n");
        return String.join("\n", lines);
    }

    /** Jaccard of two {@link #module} ranges of one family ("def" and "return" are in both). */
    static double jaccard(int fromA, int toA, int fromB, int toB) {
        int common = Math.max(0, Math.min(toA, toB) - Math.max(fromA, fromB));
        int union = (toA - fromA) + (toB - fromB) - common;
        return (common + 2.0) / (union + 2.0);
    }
}
