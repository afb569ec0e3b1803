// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeaderParserTest {
  private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";

  private static byte[] ctDataset() throws IOException {
    byte[] all = Files.readAllBytes(Path.of("/work/shared/testdata/dicom/CT_small.dcm"));
    int groupLength = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(140);
    return Arrays.copyOfRange(all, 144 + groupLength, all.length);
  }

  @Test
  void wholeDataSetInThePrefix() throws IOException {
    byte[] ds = ctDataset();
    var header = HeaderParser.parsePrefix(ds, ds.length, EXPLICIT_LE).orElseThrow();
    assertEquals("1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322", header.sopInstanceUid());
    assertEquals("1.2.840.10008.5.1.4.1.1.2", header.sopClassUid());
    assertEquals("1.3.6.1.4.1.5962.1.2.1.20040119072730.12322", header.studyInstanceUid());
    assertEquals("CT", header.attributes().get("Modality"));
    assertEquals("ISO_IR 100", header.attributes().get("SpecificCharacterSet"));
    assertEquals("ORIGINAL\\PRIMARY\\AXIAL", header.attributes().get("ImageType"));
    assertTrue(!header.attributes().containsKey("AccessionNumber"), "empty values left out");
  }

  @Test
  void prefixEndingInsideTheHeaderAsksForTheBlob() throws IOException {
    byte[] ds = ctDataset();
    // Cut inside the header (any cut before Pixel Data), at or between elements.
    for (int cut : new int[] {100, 1024, 1031, 1500}) {
      assertTrue(HeaderParser.parsePrefix(Arrays.copyOf(ds, cut), ds.length, EXPLICIT_LE)
          .isEmpty(), "cut at " + cut);
    }
  }

  @Test
  void prefixHoldingTheWholeHeaderIsEnough() throws IOException {
    byte[] ds = ctDataset();
    // Pixel Data starts well before the end of CT_small: a prefix stopping inside it suffices.
    byte[] prefix = Arrays.copyOf(ds, ds.length - 1000);
    assertEquals("CT", HeaderParser.parsePrefix(prefix, ds.length, EXPLICIT_LE)
        .orElseThrow().attributes().get("Modality"));
  }

  @Test
  void malformedCompleteDataSetThrows() {
    byte[] garbage = {0x08, 0x00, 0x18, 0x00, 'U', 'I', (byte) 0xF0, 0x00, '1', '.', '2'};
    assertThrows(IOException.class,
        () -> HeaderParser.parsePrefix(garbage, garbage.length, EXPLICIT_LE));
  }
}
