// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomFilesTest {
  @TempDir Path temp;

  /** A minimal PS3.10 file: zero preamble, "DICM", some bytes. */
  private static byte[] part10(int extra) {
    byte[] b = new byte[132 + extra];
    b[128] = 'D';
    b[129] = 'I';
    b[130] = 'C';
    b[131] = 'M';
    return b;
  }

  @Test
  void walksDirectoriesSortedAndSkipsNonDicomWithANote() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("in/sub"));
    Files.write(temp.resolve("in/b.dcm"), part10(10));
    Files.write(dir.resolve("a.dcm"), part10(20));
    Files.writeString(temp.resolve("in/readme.txt"), "not dicom at all");
    Files.write(temp.resolve("in/short.dcm"), new byte[50]);
    Path single = Files.write(temp.resolve("single"), part10(0));

    StringWriter notes = new StringWriter();
    DicomFiles.Found found = DicomFiles.scan(List.of(temp.resolve("in"), single),
        new PrintWriter(notes, true));

    assertEquals(List.of(temp.resolve("in/b.dcm"), dir.resolve("a.dcm"), single), found.files());
    assertEquals(142 + 152 + 132, found.totalBytes());
    assertEquals(2, found.skipped());
    assertTrue(notes.toString().contains("readme.txt"), notes.toString());
    assertTrue(notes.toString().contains("short.dcm"), notes.toString());
  }

  @Test
  void realTestFilesAreRecognised() {
    Path ct = Path.of("/work/shared/testdata/dicom/CT_small.dcm");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(ct), "shared test data not here");
    assertTrue(DicomFiles.isPart10(ct));
  }

  @Test
  void missingArgumentIsAnError() {
    assertThrows(IOException.class, () -> DicomFiles.scan(List.of(temp.resolve("nope")),
        new PrintWriter(new StringWriter())));
  }
}
