// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileToSendTest {
  private static final Path TESTDATA = Path.of("/work/shared/testdata/dicom");
  @TempDir Path temp;

  @BeforeEach
  void data() {
    Assumptions.assumeTrue(Files.isDirectory(TESTDATA), "shared test data not here");
  }

  @Test
  void datasetStartsRightAfterGroup0002() throws Exception {
    Path ct = TESTDATA.resolve("CT_small.dcm");
    FileToSend f = FileToSend.read(ct);
    byte[] bytes = Files.readAllBytes(ct);
    // (0002,0000) UL at byte 132: tag 4, VR 2, length 2, then the group length (PS3.10 §7.1).
    int groupLength = ByteBuffer.wrap(bytes, 140, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertEquals(144 + groupLength, f.datasetOffset());
    assertEquals(bytes.length, f.size());
    assertEquals("1.2.840.10008.5.1.4.1.1.2", f.sopClassUid());
    assertEquals("1.2.840.10008.1.2.1", f.transferSyntaxUid());
  }

  @Test
  void theDataSetsOwnSopInstanceUidWinsOverTheMetaHeader() throws Exception {
    Path rtplan = TESTDATA.resolve("rtplan.dcm");
    Assumptions.assumeTrue(Files.exists(rtplan));
    // rtplan.dcm's meta says 1.2.999..., its data set 1.2.777... (checked with dcmdump).
    assertEquals("1.2.777.777.77.7.7777.7777.20030903150023", FileToSend.read(rtplan).sopInstanceUid());
  }

  @Test
  void fileWithoutUidsAnywhereIsRefused() {
    Path nested = TESTDATA.resolve("nested_priv_SQ.dcm");
    Assumptions.assumeTrue(Files.exists(nested));
    assertThrows(IOException.class, () -> FileToSend.read(nested));
  }

  @Test
  void nonDicomIsRefused() throws Exception {
    Path text = Files.writeString(temp.resolve("t.dcm"), "x".repeat(300));
    assertThrows(IOException.class, () -> FileToSend.read(text));
  }
}
