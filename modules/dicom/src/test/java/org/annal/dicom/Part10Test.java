// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Part10Test {

  private static final FileMetaInformation META = FileMetaInformation.of(
      Uid.CT_IMAGE_STORAGE, "1.2.3.4.5", Uid.EXPLICIT_VR_LITTLE_ENDIAN, "MODALITY");

  @Test
  void headerLayoutFollowsPs310() {
    byte[] h = META.encode();
    assertArrayEquals(new byte[128], Arrays.copyOf(h, 128), "zero preamble");
    assertEquals("DICM", new String(h, 128, 4, StandardCharsets.US_ASCII));
    // (0002,0000) UL 4 <group length>, then (0002,0001) OB 00 00 0002 0000 00 01
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'U', 'L', 4, 0}, Arrays.copyOfRange(h, 132, 140));
    int groupLength = (h[140] & 0xFF) | (h[141] & 0xFF) << 8 | (h[142] & 0xFF) << 16 | h[143] << 24;
    assertEquals(h.length - 144, groupLength);
    assertArrayEquals(new byte[] {2, 0, 1, 0, 'O', 'B', 0, 0, 2, 0, 0, 0, 0, 1},
        Arrays.copyOfRange(h, 144, 158));
    assertEquals(0, h.length % 2);
  }

  @Test
  void headerReadsBackAndLeavesTheStreamAtTheDataSet() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(META.encode());
    out.writeBytes(new byte[] {0x08, 0x00, 0x18, 0x00, 'U', 'I', 2, 0, '1', 0});
    InputStream in = new BufferedInputStream(new ByteArrayInputStream(out.toByteArray()));
    FileMetaInformation read = Part10.readFileMetaInformation(in);
    assertEquals(META, read);
    Dataset d = DatasetReader.readUntilPixelData(in, read.transferSyntaxUid());
    assertEquals("1", d.getString(Tag.SOPInstanceUID));
  }

  @Test
  void noPrefixMeansNullAndAnUntouchedStream() throws IOException {
    byte[] bare = {0x08, 0x00, 0x18, 0x00, 2, 0, 0, 0, '1', 0};
    InputStream in = new BufferedInputStream(new ByteArrayInputStream(bare));
    assertNull(Part10.readFileMetaInformation(in));
    assertEquals(Uid.IMPLICIT_VR_LITTLE_ENDIAN, Part10.guessTransferSyntax(in));
    assertEquals("1", DatasetReader.read(in, Uid.IMPLICIT_VR_LITTLE_ENDIAN)
        .getString(Tag.SOPInstanceUID));
  }

  @Test
  void guessesTheSyntaxOfBareDataSets() throws IOException {
    Dataset d = Part10.read(TestFiles.file("MR_small.dcm")).dataset();
    for (TransferSyntax ts : new TransferSyntax[] {TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN,
        TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.EXPLICIT_VR_BIG_ENDIAN}) {
      byte[] bare = DatasetWriter.encode(d, ts.uid());
      InputStream in = new BufferedInputStream(new ByteArrayInputStream(bare));
      assertEquals(ts.uid(), Part10.guessTransferSyntax(in), ts.name());
      DicomFile f = Part10.read(new ByteArrayInputStream(bare), bare.length);
      assertNull(f.fileMetaInformation());
      assertEquals(d.getString(Tag.PatientName), f.dataset().getString(Tag.PatientName));
      assertArrayEquals(bare, Part10.encode(f), "bare data set written back as such");
    }
  }

  @Test
  void rtstructWithoutMetaIsImplicitLittleEndian() throws IOException {
    DicomFile f = Part10.read(TestFiles.file("rtstruct.dcm"));
    assertNull(f.preamble());
    assertEquals(Uid.IMPLICIT_VR_LITTLE_ENDIAN, f.transferSyntaxUid());
    assertEquals("Test^Phantom30sep", f.dataset().getString(Tag.PatientName));
  }

  @Test
  void malformedMetaIsADicomException() {
    byte[] h = META.encode();
    h[136] = 'Z'; // the VR of (0002,0000)
    h[137] = 'Z';
    assertThrows(DicomException.class, () -> Part10.readFileMetaInformation(
        new BufferedInputStream(new ByteArrayInputStream(h))));
  }

  @Test
  void writeAndReadAFileInAnotherSyntax(@TempDir Path dir) throws IOException {
    DicomFile original = Part10.read(TestFiles.file("CT_small.dcm"));
    DicomFile big = new DicomFile(original.preamble(), original.fileMetaInformation(),
        Uid.EXPLICIT_VR_BIG_ENDIAN, original.dataset());
    Path p = dir.resolve("big.dcm");
    big.write(p);
    DicomFile back = DicomFile.read(p);
    assertEquals(Uid.EXPLICIT_VR_BIG_ENDIAN, back.meta().transferSyntaxUid());
    assertEquals(original.dataset().getString(Tag.SOPInstanceUID),
        back.dataset().getString(Tag.SOPInstanceUID));
    assertArrayEquals(original.dataset().getBytes(Tag.PixelData),
        back.dataset().getBytes(Tag.PixelData));
    assertEquals(Files.size(TestFiles.file("CT_small.dcm")), Files.size(p));
  }
}
