package dev.streamparrot.ingest.license;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class LicenseDetectorTest {

    static Stream<org.junit.jupiter.params.provider.Arguments> texts() {
        return Stream.of(
                arguments("MIT", """
                        MIT License

                        Copyright (c) 2021 Jane Doe

                        Permission is hereby granted, free of charge, to any person obtaining a copy
                        of this software and associated documentation files (the "Software"), to deal
                        in the Software without restriction, including without limitation the rights
                        ...
                        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
                        """),
                arguments("Apache-2.0", """
                                                         Apache License
                                                   Version 2.0, January 2004
                                                http://www.apache.org/licenses/

                           TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
                        """),
                arguments("BSD-3-Clause", """
                        Copyright (c) 2010, The Authors. All rights reserved.

                        Redistribution and use in source and binary forms, with or without
                        modification, are permitted provided that the following conditions are met:
                        * Redistributions of source code must retain the above copyright notice.
                        * Neither the name of the copyright holder nor the names of its
                          contributors may be used to endorse or promote products derived from
                          this software without specific prior written permission.
                        """),
                arguments("BSD-2-Clause", """
                        Copyright (c) 2015, Someone
                        All rights reserved.

                        Redistribution and use in source and binary forms, with or without
                        modification, are permitted provided that the following conditions are met:

                        1. Redistributions of source code must retain the above copyright notice, this
                           list of conditions and the following disclaimer.
                        2. Redistributions in binary form must reproduce the above copyright notice.

                        THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
                        """),
                arguments("GPL-3.0", """
                                            GNU GENERAL PUBLIC LICENSE
                                               Version 3, 29 June 2007

                         Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
                        ...
                        into proprietary programs.  If your program is a subroutine library, you
                        may consider it more useful to permit linking proprietary applications with
                        the library.  If this is what you want to do, use the GNU Lesser General
                        Public License instead of this License.  But first, please read
                        """),
                arguments("GPL-2.0", """
                                            GNU GENERAL PUBLIC LICENSE
                                               Version 2, June 1991

                         Copyright (C) 1989, 1991 Free Software Foundation, Inc.
                        ...
                        software is covered by the GNU Library General Public License instead.)  You can
                        apply it to your programs, too.
                        """),
                arguments("LGPL-2.1", """
                                          GNU LESSER GENERAL PUBLIC LICENSE
                                               Version 2.1, February 1999

                         Copyright (C) 1991, 1999 Free Software Foundation, Inc.
                        [This is the first released version of the Lesser GPL.  It also counts
                         as the successor of the GNU Library Public License, version 2, hence
                         the version number 2.1.]
                        """),
                arguments("LGPL-3.0", """
                                           GNU LESSER GENERAL PUBLIC LICENSE
                                               Version 3, 29 June 2007

                          This version of the GNU Lesser General Public License incorporates
                        the terms and conditions of version 3 of the GNU General Public
                        License, supplemented by the additional permissions listed below.
                        """),
                arguments("MPL-2.0", """
                        Mozilla Public License Version 2.0
                        ==================================

                        1. Definitions
                        --------------
                        """),
                arguments("ISC", """
                        ISC License

                        Copyright (c) 2004-2010 by Internet Systems Consortium, Inc. ("ISC")

                        Permission to use, copy, modify, and/or distribute this software for any
                        purpose with or without fee is hereby granted, provided that the above
                        copyright notice and this permission notice appear in all copies.
                        """),
                arguments("Unlicense", """
                        This is free and unencumbered software released into the public domain.

                        Anyone is free to copy, modify, publish, use, compile, sell, or
                        distribute this software, either in source code form or as a compiled
                        """),
                arguments("AGPL-3.0", """
                                            GNU AFFERO GENERAL PUBLIC LICENSE
                                               Version 3, 19 November 2007
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void recognisesLicenseTexts(String spdx, String text) {
        assertEquals(Optional.of(spdx), LicenseDetector.detect(text));
    }

    @Test
    void recognisesHeaderNotices() {
        assertEquals(Optional.of("Apache-2.0"), LicenseDetector.detect(
                "# Licensed under the Apache License, Version 2.0 (the \"License\");\n# you may not use this file except"));
        assertEquals(Optional.of("GPL-2.0"), LicenseDetector.detect("""
                This program is free software; you can redistribute it and/or modify it under the terms of the
                GNU General Public License as published by the Free Software Foundation; either version 2
                of the License, or (at your option) any later version."""));
    }

    @Test
    void unknownTextIsEmpty() {
        assertTrue(LicenseDetector.detect("All rights reserved. Do not copy.").isEmpty());
        assertTrue(LicenseDetector.detect("").isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"mit,MIT", "apache-2.0,Apache-2.0", "bsd-3-clause,BSD-3-Clause", "bsd-2-clause,BSD-2-Clause",
            "gpl-3.0,GPL-3.0", "gpl-2.0,GPL-2.0", "lgpl-2.1,LGPL-2.1", "lgpl-3.0,LGPL-3.0", "agpl-3.0,AGPL-3.0",
            "mpl-2.0,MPL-2.0", "isc,ISC", "unlicense,Unlicense", "cc0-1.0,CC0-1.0", "MIT,MIT"})
    void mapsCodeParrotKeys(String key, String spdx) {
        assertEquals(Optional.of(spdx), LicenseDetector.fromCodeParrot(key));
    }

    @Test
    void licenseFileNames() {
        for (String n : new String[] {"LICENSE", "LICENCE", "COPYING", "license.md", "LICENSE.txt", "COPYING.rst"}) {
            assertTrue(LicenseDetector.isLicenseFileName(n), n);
        }
        assertFalse(LicenseDetector.isLicenseFileName("LICENSE.py"));
        assertFalse(LicenseDetector.isLicenseFileName("README.md"));
        assertTrue(LicenseDetector.fromCodeParrot("proprietary").isEmpty());
    }
}
