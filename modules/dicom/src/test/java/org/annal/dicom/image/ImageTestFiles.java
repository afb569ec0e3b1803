// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.annal.dicom.DicomFile;

/** The shared real-world test files (system property {@code annal.testdata.dicom} overrides). */
final class ImageTestFiles {
  private ImageTestFiles() {}

  static final Path DIR = Path.of(System.getProperty("annal.testdata.dicom",
      "/work/shared/testdata/dicom"));

  static Path path(String name) {
    Path p = DIR.resolve(name);
    assumeTrue(Files.isRegularFile(p), "test file " + p + " not present");
    return p;
  }

  static DicomFile read(String name) {
    try {
      return DicomFile.read(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
