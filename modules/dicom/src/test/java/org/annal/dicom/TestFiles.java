// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The shared real-world test files (system property {@code annal.testdata.dicom} overrides). */
final class TestFiles {
  private TestFiles() {}

  static final Path DIR = Path.of(System.getProperty("annal.testdata.dicom",
      "/work/shared/testdata/dicom"));

  /** Files that are malformed on purpose and must be rejected with a DicomException. */
  static final Set<String> MALFORMED = Set.of(
      "MR_truncated.dcm", // Pixel Data claims 8192 bytes, 8130 remain
      "no_meta.dcm"); // a bare data set cut one byte off an element boundary: (0820,0500)...

  static List<Path> all() throws IOException {
    assumeTrue(Files.isDirectory(DIR), "test data directory " + DIR + " not present");
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  static List<Path> wellFormed() throws IOException {
    return all().stream().filter(p -> !MALFORMED.contains(p.getFileName().toString())).toList();
  }

  static Path file(String name) {
    Path p = DIR.resolve(name);
    assumeTrue(Files.isRegularFile(p), "test file " + p + " not present");
    return p;
  }
}
