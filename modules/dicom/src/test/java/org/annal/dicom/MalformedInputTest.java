// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Broken, truncated, hostile and randomly damaged input: DicomException with an offset, or success. */
class MalformedInputTest {

  @Test
  void truncatedPixelDataIsReportedWithItsOffset() {
    DicomException e = assertThrows(DicomException.class,
        () -> Part10.read(TestFiles.file("MR_truncated.dcm")));
    assertTrue(e.getMessage().contains("(7FE0,0010)") && e.getMessage().contains("offset 1488"),
        e.getMessage());
  }

  @Test
  void aDataSetCutInsideAnElementKeepsTheElementsBeforeTheCut() throws IOException {
    byte[] file = Files.readAllBytes(TestFiles.file("CT_small.dcm"));
    ByteArrayInputStream in = new ByteArrayInputStream(file);
    Dataset meta = Part10.readFileMetaDataset(in, null);
    int start = file.length - in.available();
    Dataset whole = Part10.read(TestFiles.file("CT_small.dcm")).dataset();
    // Cut 3 bytes into the value of Series Instance UID (0020,000E): the one after the study's.
    int cut = indexOf(file, whole.getString(Tag.SeriesInstanceUID).getBytes(
        java.nio.charset.StandardCharsets.US_ASCII)) + 3;
    Dataset head = new Dataset();
    assertThrows(DicomException.class, () -> DatasetReader.readUntilPixelData(
        new ByteArrayInputStream(file, start, cut - start), meta.getString(Tag.TransferSyntaxUID),
        DatasetReader.DEFAULT_LIMITS, head));
    assertEquals(whole.getString(Tag.StudyInstanceUID), head.getString(Tag.StudyInstanceUID));
    assertEquals(whole.getString(Tag.SOPInstanceUID), head.getString(Tag.SOPInstanceUID));
    assertEquals(null, head.get(Tag.SeriesInstanceUID));
  }

  @Test
  void truncatedPixelDataDoesNotMatterWhenReadingUpToIt() throws IOException {
    try (InputStream in = new BufferedInputStream(
        Files.newInputStream(TestFiles.file("MR_truncated.dcm")))) {
      FileMetaInformation meta = Part10.readFileMetaInformation(in);
      Dataset d = DatasetReader.readUntilPixelData(in, meta.transferSyntaxUid());
      assertEquals("1.3.6.1.4.1.5962.1.2.4.20040826185059.5457", d.getString(Tag.StudyInstanceUID));
      assertEquals(64, d.getInt(Tag.Rows, -1));
    }
  }

  @Test
  void bareDataSetCutMidElementIsRejected() {
    DicomException e = assertThrows(DicomException.class,
        () -> Part10.read(TestFiles.file("no_meta.dcm")));
    assertTrue(e.getMessage().contains("offset 0"), e.getMessage());
  }

  @Test
  void invalidValueIsToleratedAndReadAsText() throws IOException {
    Dataset d = Part10.read(TestFiles.file("badVR.dcm")).dataset();
    assertEquals("1A", d.getString(Tag.NumberOfFrames));
    assertEquals(-1, d.getInt(Tag.NumberOfFrames, -1), "not an integer string");
    assertEquals("RTDOSE", d.getString(Tag.Modality));
  }

  @Test
  void unknownVrCodeIsReadAsUnWithFourByteLength() throws IOException {
    byte[] bytes = {
        0x10, 0x00, 0x10, 0x00, 'Z', 'Z', 0, 0, 4, 0, 0, 0, 'A', 'B', 'C', 'D',
        0x10, 0x00, 0x20, 0x00, 'L', 'O', 2, 0, 'I', 'D'};
    Dataset d = DatasetReader.read(bytes, Uid.EXPLICIT_VR_LITTLE_ENDIAN);
    assertEquals(Vr.UN, d.get(Tag.PatientName).vr());
    assertEquals("ID", d.getString(Tag.PatientID));
  }

  @Test
  void valueLongerThanTheCapIsRejectedBeforeAllocating() {
    byte[] bytes = {0x10, 0x00, 0x10, 0x00, 'P', 'N', 8, 0, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'};
    DatasetReader.Limits tight = new DatasetReader.Limits(4, 8);
    DicomException e = assertThrows(DicomException.class, () -> DatasetReader.read(
        new ByteArrayInputStream(bytes), -1, 0, Uid.EXPLICIT_VR_LITTLE_ENDIAN, tight, false));
    assertTrue(e.getMessage().contains("cap"), e.getMessage());
  }

  @Test
  void hugeLengthOnAStreamOfUnknownSizeFailsWithoutExhaustingMemory() {
    // OB, length 0x7FFFFFF0, then only 4 bytes: must not try to allocate 2 GiB.
    byte[] bytes = {0x09, 0x00, 0x10, 0x10, 'O', 'B', 0, 0, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF,
        0x7F, 1, 2, 3, 4};
    DicomException e = assertThrows(DicomException.class, () -> DatasetReader.read(
        new ByteArrayInputStream(bytes), Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    assertTrue(e.getMessage().contains("Truncated"), e.getMessage());
  }

  @Test
  void lengthBeyondTheEnclosingItemIsRejected() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // (0008,1115) SQ, defined length 20: one item of length 12 holding a UI claiming 100 bytes
    out.writeBytes(new byte[] {0x08, 0x00, 0x15, 0x11, 'S', 'Q', 0, 0, 20, 0, 0, 0});
    out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 12, 0, 0, 0});
    out.writeBytes(new byte[] {0x20, 0x00, 0x0E, 0x00, 'U', 'I', 100, 0, '1', '.', '2', 0});
    DicomException e = assertThrows(DicomException.class,
        () -> DatasetReader.read(out.toByteArray(), Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    assertTrue(e.getMessage().contains("left in its item"), e.getMessage());
  }

  @Test
  void nestingDeeperThanTheCapIsRejected() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int depth = 40;
    for (int i = 0; i < depth; i++) { // SQ, undefined length; item, undefined length
      out.writeBytes(new byte[] {0x08, 0x00, 0x15, 0x11, 'S', 'Q', 0, 0, -1, -1, -1, -1});
      out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, -1, -1, -1, -1});
    }
    DicomException e = assertThrows(DicomException.class,
        () -> DatasetReader.read(out.toByteArray(), Uid.EXPLICIT_VR_LITTLE_ENDIAN));
    assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
  }

  @Test
  void readUntilPixelDataNeverReadsPixels() throws IOException {
    Path p = TestFiles.file("MR_small.dcm");
    byte[] bytes = Files.readAllBytes(p);
    int pixelTag = indexOf(bytes, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W'});
    assertTrue(pixelTag > 0);
    InputStream guarded = new BufferedInputStream(new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        int n = super.read(b, off, len);
        if (pos > pixelTag + 4 + 8192) { // BufferedInputStream reads ahead at most 8 KiB
          throw new AssertionError("read into pixel data");
        }
        return n;
      }
    }, 8192);
    FileMetaInformation meta = Part10.readFileMetaInformation(guarded);
    Dataset d = DatasetReader.readUntilPixelData(guarded, meta.transferSyntaxUid());
    assertTrue(d.contains(Tag.Rows));
    assertTrue(!d.contains(Tag.PixelData));
    // exactly the tag was consumed: what follows is the VR of Pixel Data
    assertEquals('O', guarded.read());
    assertEquals('W', guarded.read());
  }

  @Test
  void truncatedDeflateStreamIsADicomException() throws IOException {
    byte[] bytes = Files.readAllBytes(TestFiles.file("image_dfl.dcm"));
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 100);
    assertThrows(DicomException.class, () -> Part10.read(new ByteArrayInputStream(cut), cut.length));
  }

  /**
   * Random damage to every file: flipped bytes, truncation, overwritten 32-bit lengths. Whatever
   * happens, the reader either succeeds or throws DicomException: never an OOM, NPE, AIOOBE.
   */
  @TestFactory
  List<DynamicTest> randomDamageOnlyEverRaisesDicomException() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : TestFiles.all()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        byte[] original = Files.readAllBytes(p);
        Random random = new Random(p.getFileName().toString().hashCode());
        int[] outcomes = new int[2]; // [rejected, accepted]
        for (int round = 0; round < 300; round++) {
          byte[] damaged = damage(original, random);
          int r = round;
          outcomes[check(() -> Part10.read(new ByteArrayInputStream(damaged), damaged.length), p, r)]++;
          check(() -> {
            InputStream in = new BufferedInputStream(new ByteArrayInputStream(damaged));
            FileMetaInformation meta = Part10.readFileMetaInformation(in);
            String ts = meta != null ? meta.transferSyntaxUid() : Part10.guessTransferSyntax(in);
            Dataset d = DatasetReader.readUntilPixelData(in, ts);
            assertNotNull(d);
            for (Element e : d.elements()) { // getters must not blow up on damaged values
              d.getString(e.tag());
              d.getInts(e.tag());
            }
            return d;
          }, p, r);
        }
        // The damage must actually exercise the error paths, and not everything may be refused.
        assertTrue(outcomes[0] > 30, "only " + outcomes[0] + " damaged copies rejected");
        assertTrue(outcomes[1] > 0 || TestFiles.MALFORMED.contains(p.getFileName().toString()),
            "no damaged copy accepted");
      }));
    }
    return tests;
  }

  private interface Parse {
    Object run() throws IOException;
  }

  /** 0 if the input was rejected with a DicomException, 1 if it was read. */
  private static int check(Parse parse, Path p, int round) {
    try {
      parse.run();
      return 1;
    } catch (DicomException expected) {
      assertNotNull(expected.getMessage());
      return 0;
    } catch (Throwable t) {
      return fail(p.getFileName() + " round " + round + ": " + t, t);
    }
  }

  private static byte[] damage(byte[] original, Random random) {
    byte[] b = original.clone();
    switch (random.nextInt(3)) {
      case 0 -> {
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
          b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length));
      default -> {
        int at = random.nextInt(Math.max(1, b.length - 4));
        int value = random.nextBoolean() ? random.nextInt() : 0xFFFFFFFF;
        for (int i = 0; i < 4 && at + i < b.length; i++) {
          b[at + i] = (byte) (value >>> (8 * i));
        }
      }
    }
    return b;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
