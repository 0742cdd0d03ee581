package dev.streamparrot.ingest.license;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Names a repository's license (as an SPDX id) from the text of its LICENSE file, by the phrases each
 * license's text is known for. The GPL family is told apart by its title, which sits at the top: the
 * texts mention one another further down (the GPL recommends the LGPL, the GPL-2.0 preamble cites the
 * Library GPL), so only the earliest title counts.
 */
public final class LicenseDetector {
    private LicenseDetector() {}

    private static final Pattern LICENSE_FILE =
            Pattern.compile("(?i)(licen[cs]e|copying)(\\.(md|txt|rst))?");

    /** GPL-family titles with the SPDX id of each version; the earliest match in the text wins. */
    private record Title(String phrase, String versionPhrase, String spdx) {}

    private static final List<Title> TITLES = List.of(
            new Title("gnu affero general public license", "version 3", "AGPL-3.0"),
            new Title("gnu lesser general public license", "version 3", "LGPL-3.0"),
            new Title("gnu lesser general public license", "version 2.1", "LGPL-2.1"),
            new Title("gnu library general public license", "version 2", "LGPL-2.0"),
            new Title("gnu general public license", "version 3", "GPL-3.0"),
            new Title("gnu general public license", "version 2", "GPL-2.0"));

    private static final Map<String, String> CODEPARROT_TO_SPDX = Map.ofEntries(
            Map.entry("mit", "MIT"), Map.entry("apache-2.0", "Apache-2.0"),
            Map.entry("bsd-2-clause", "BSD-2-Clause"), Map.entry("bsd-3-clause", "BSD-3-Clause"),
            Map.entry("gpl-2.0", "GPL-2.0"), Map.entry("gpl-3.0", "GPL-3.0"),
            Map.entry("lgpl-2.1", "LGPL-2.1"), Map.entry("lgpl-3.0", "LGPL-3.0"), Map.entry("agpl-3.0", "AGPL-3.0"),
            Map.entry("mpl-2.0", "MPL-2.0"), Map.entry("isc", "ISC"), Map.entry("unlicense", "Unlicense"),
            Map.entry("cc0-1.0", "CC0-1.0"), Map.entry("epl-1.0", "EPL-1.0"), Map.entry("artistic-2.0", "Artistic-2.0"));

    /** Whether a file name (not path) is one a repository states its license in: LICENSE, LICENCE, COPYING (.md/.txt/.rst). */
    public static boolean isLicenseFileName(String fileName) {
        return LICENSE_FILE.matcher(fileName).matches();
    }

    /** The SPDX id of the license this text is, or empty when no known license is recognised. */
    public static Optional<String> detect(String licenseText) {
        String t = licenseText.toLowerCase(Locale.ROOT).replaceAll("[\\s*#>]+", " ");

        String gnu = earliestGnuTitle(t);
        if (gnu != null) return Optional.of(gnu);
        if (t.contains("apache license") && (t.contains("version 2.0") || t.contains("apache.org/licenses/license-2.0"))) {
            return Optional.of("Apache-2.0");
        }
        if (t.contains("mozilla public license version 2.0") || t.contains("mozilla public license, v. 2.0")) {
            return Optional.of("MPL-2.0");
        }
        if (t.contains("this is free and unencumbered software released into the public domain")) {
            return Optional.of("Unlicense");
        }
        if (t.contains("cc0 1.0 universal")) return Optional.of("CC0-1.0");
        if (t.contains("permission is hereby granted, free of charge, to any person obtaining a copy")) {
            return Optional.of("MIT");
        }
        if (t.contains("permission to use, copy, modify, and/or distribute this software for any purpose")
                || t.contains("permission to use, copy, modify, and distribute this software for any purpose with or without fee")) {
            return Optional.of("ISC");
        }
        if (t.contains("redistribution and use in source and binary forms")) {
            // The third clause is the one forbidding endorsement by name.
            boolean endorsementClause = t.contains("neither the name") || t.contains("may be used to endorse or promote");
            return Optional.of(endorsementClause ? "BSD-3-Clause" : "BSD-2-Clause");
        }
        return Optional.empty();
    }

    /** Maps CodeParrot's (GitHub's) license keys such as "mit" or "bsd-3-clause" to SPDX ids. */
    public static Optional<String> fromCodeParrot(String key) {
        if (key == null) return Optional.empty();
        return Optional.ofNullable(CODEPARROT_TO_SPDX.get(key.trim().toLowerCase(Locale.ROOT)));
    }

    private static String earliestGnuTitle(String t) {
        int bestAt = Integer.MAX_VALUE;
        String best = null;
        for (Title title : TITLES) {
            int at = t.indexOf(title.phrase());
            if (at < 0 || at > bestAt) continue;
            // The version must follow its own title closely, not be some other license's version further on.
            int version = t.indexOf(title.versionPhrase(), at);
            if (version < 0 || version - at > title.phrase().length() + 120) continue;
            if (at < bestAt) {
                bestAt = at;
                best = title.spdx();
            }
        }
        return best;
    }
}
