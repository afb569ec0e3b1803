// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.Test;

class FramesTest {
  private static final String RLE = "1.2.840.10008.1.2.5";
  private static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
  private static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

  @Test
  void countsFrames() {
    assertEquals(1, Frames.count(ImageTestFiles.read("CT_small.dcm").dataset()));
    assertEquals(2, Frames.count(ImageTestFiles.read("SC_rgb_rle_2frame.dcm").dataset()));
    assertEquals(15, Frames.count(ImageTestFiles.read("rtdose.dcm").dataset()));
    Dataset d = new Dataset();
    d.putString(Tag.NumberOfFrames, Vr.IS, "0");
    assertThrows(IllegalArgumentException.class, () -> Frames.count(d));
    d.putString(Tag.NumberOfFrames, Vr.IS, "two");
    assertThrows(IllegalArgumentException.class, () -> Frames.count(d));
  }

  @Test
  void nativeSingleFrameIsTheWholeValue() {
    DicomFile ct = ImageTestFiles.read("CT_small.dcm");
    byte[] frame = Frames.frame(ct.dataset(), ct.transferSyntaxUid(), 1);
    assertEquals(128 * 128 * 2, frame.length);
    assertArrayEquals(ct.dataset().getBytes(Tag.PixelData), frame);
  }

  @Test
  void nativeMultiFrameSlicesTheValue() {
    DicomFile dose = ImageTestFiles.read("rtdose.dcm"); // 15 frames of 10 x 10 x 32 bits
    byte[] all = dose.dataset().getBytes(Tag.PixelData);
    for (int n = 1; n <= 15; n++) {
      byte[] frame = Frames.frame(dose.dataset(), dose.transferSyntaxUid(), n);
      assertEquals(400, frame.length);
      assertArrayEquals(Arrays.copyOfRange(all, 400 * (n - 1), 400 * n), frame, "frame " + n);
    }
  }

  @Test
  void nativeFramesAreLittleEndianInEverySyntax() {
    DicomFile le = ImageTestFiles.read("MR_small.dcm");
    byte[] expected = Frames.frame(le.dataset(), le.transferSyntaxUid(), 1);
    assertEquals(64 * 64 * 2, expected.length);
    assertEquals(0x89, expected[0] & 0xFF); // 0x0389, the first value dcmdump prints
    assertEquals(0x03, expected[1] & 0xFF);
    for (String name : List.of("MR_small_implicit.dcm", "MR_small_bigendian.dcm",
        "MR_small_expb.dcm")) {
      DicomFile f = ImageTestFiles.read(name);
      assertArrayEquals(expected, Frames.frame(f.dataset(), f.transferSyntaxUid(), 1), name);
    }
  }

  @Test
  void singleBitFramesAreRealignedToAByte() {
    // two 3 x 3 frames of 1 bit: 9 bits each, the second starting at bit 1 of byte 1
    Dataset d = image(3, 3, 1, 2);
    boolean[] bits = {true, false, true, false, true, false, true, false, true, // frame 1
        false, true, true, false, false, true, true, true, false}; // frame 2
    byte[] packed = new byte[4];
    for (int i = 0; i < bits.length; i++) {
      if (bits[i]) {
        packed[i / 8] |= (byte) (1 << (i % 8)); // PS3.5 §8.1.1: first pixel in the lowest bit
      }
    }
    d.putBytes(Tag.PixelData, Vr.OB, packed);
    byte[] second = Frames.frame(d, Uid.EXPLICIT_VR_LITTLE_ENDIAN, 2);
    assertEquals(2, second.length);
    for (int i = 0; i < 9; i++) {
      assertEquals(bits[9 + i], (second[i / 8] >> (i % 8) & 1) == 1, "bit " + i);
    }
    assertEquals(0, second[1] & 0xFE, "bits past the frame are cleared");
    assertEquals(512 * 512 / 8, Frames.frame(ImageTestFiles.read("liver_1frame.dcm").dataset(),
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, 1).length);
  }

  @Test
  void encapsulatedFramesWithABasicOffsetTableAreTheirFragments() {
    DicomFile rle = ImageTestFiles.read("SC_rgb_rle_2frame.dcm");
    List<byte[]> fragments = rle.dataset().get(Tag.PixelData).fragments();
    assertEquals(3, fragments.size()); // the offset table (0, 672) and one fragment per frame
    assertArrayEquals(fragments.get(1), Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 1));
    assertArrayEquals(fragments.get(2), Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 2));
  }

  @Test
  void encapsulatedSingleFrameWithAnEmptyTable() {
    DicomFile j2k = ImageTestFiles.read("JPEG2000.dcm");
    List<byte[]> fragments = j2k.dataset().get(Tag.PixelData).fragments();
    assertEquals(0, fragments.get(0).length);
    assertArrayEquals(fragments.get(1), Frames.frame(j2k.dataset(), j2k.transferSyntaxUid(), 1));
    DicomFile jpeg = ImageTestFiles.read("SC_rgb_jpeg_dcmtk.dcm");
    byte[] frame = Frames.frame(jpeg.dataset(), jpeg.transferSyntaxUid(), 1);
    assertEquals(0xFFD8, (frame[0] & 0xFF) << 8 | frame[1] & 0xFF);
  }

  @Test
  void aSingleFrameJoinsAllItsFragments() {
    Dataset d = encapsulated(1, new byte[0], bytes(1, 2, 3, 4), bytes(5, 6));
    assertArrayEquals(bytes(1, 2, 3, 4, 5, 6), Frames.frame(d, JPEG_BASELINE, 1));
  }

  @Test
  void basicOffsetTableSpanningFragments() {
    // frame 1 in fragments 1 and 2 (8+4 and 8+2 bytes), frame 2 from offset 22 in fragment 3
    Dataset d = encapsulated(2, uls(0, 22), bytes(1, 2, 3, 4), bytes(5, 6), bytes(7, 8));
    assertArrayEquals(bytes(1, 2, 3, 4, 5, 6), Frames.frame(d, RLE, 1));
    assertArrayEquals(bytes(7, 8), Frames.frame(d, RLE, 2));
  }

  @Test
  void extendedOffsetTableWinsOverTheBasicOne() {
    Dataset d = encapsulated(2, new byte[0], bytes(1, 2), bytes(3, 4), bytes(5, 6));
    ByteBuffer eot = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(10);
    d.putBytes(Tag.ExtendedOffsetTable, Vr.OV, eot.array());
    assertArrayEquals(bytes(1, 2), Frames.frame(d, RLE, 1));
    assertArrayEquals(bytes(3, 4, 5, 6), Frames.frame(d, RLE, 2));
  }

  @Test
  void withoutATableJpegStartMarkersSplitTheFrames() {
    Dataset d = encapsulated(2, new byte[0], bytes(0xFF, 0xD8, 1), bytes(2, 0xFF, 0xD9),
        bytes(0xFF, 0xD8, 3), bytes(4));
    assertArrayEquals(bytes(0xFF, 0xD8, 1, 2, 0xFF, 0xD9), Frames.frame(d, JPEG_BASELINE, 1));
    assertArrayEquals(bytes(0xFF, 0xD8, 3, 4), Frames.frame(d, JPEG_BASELINE, 2));
    Dataset j2k = encapsulated(2, new byte[0], bytes(0xFF, 0x4F, 1), bytes(2),
        bytes(0xFF, 0x4F, 3));
    assertArrayEquals(bytes(0xFF, 0x4F, 3), Frames.frame(j2k, JPEG_2000, 2));
    // RLE frames carry no start marker: ambiguous, refused
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Frames.frame(d, RLE, 1));
    assertTrue(e.getMessage().contains("cannot tell the 2 frames apart in 4 fragments"),
        e.getMessage());
  }

  @Test
  void badRequestsAndBadDataFailClearly() {
    DicomFile rle = ImageTestFiles.read("SC_rgb_rle_2frame.dcm");
    assertMessage("frame 3 is out of range: the data set has 2 frame(s)",
        () -> Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 3));
    assertMessage("frame 0 is out of range",
        () -> Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 0));
    assertMessage("no Pixel Data", () -> Frames.frame(new Dataset(), Uid.EXPLICIT_VR_LITTLE_ENDIAN,
        1));

    Dataset shortData = image(64, 64, 16, 2);
    shortData.putBytes(Tag.PixelData, Vr.OW, new byte[64 * 64 * 2 + 10]);
    assertMessage("frame 2 of 64 x 64 x 1 samples of 16 bits needs 16384",
        () -> Frames.frame(shortData, Uid.EXPLICIT_VR_LITTLE_ENDIAN, 2));
    assertEquals(8192, Frames.frame(shortData, Uid.EXPLICIT_VR_LITTLE_ENDIAN, 1).length);

    Dataset noRows = image(64, 64, 16, 1);
    noRows.remove(Tag.Rows);
    noRows.putBytes(Tag.PixelData, Vr.OW, new byte[8192]);
    assertMessage("Rows (0028,0010) is missing",
        () -> Frames.frame(noRows, Uid.EXPLICIT_VR_LITTLE_ENDIAN, 1));

    Dataset wrongTable = encapsulated(2, uls(0), bytes(1, 2), bytes(3, 4));
    assertMessage("Basic Offset Table has 1 offsets for 2 frames",
        () -> Frames.frame(wrongTable, RLE, 1));
    Dataset offsetInsideAFragment = encapsulated(2, uls(0, 5), bytes(1, 2), bytes(3, 4));
    assertMessage("is not the start of a fragment",
        () -> Frames.frame(offsetInsideAFragment, RLE, 2));
    Dataset nativeForJpeg = image(2, 2, 8, 1);
    nativeForJpeg.putBytes(Tag.PixelData, Vr.OB, new byte[4]);
    assertMessage("requires encapsulated Pixel Data",
        () -> Frames.frame(nativeForJpeg, JPEG_BASELINE, 1));
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' lacks '" + part + "'");
  }

  static Dataset image(int rows, int columns, int bits, int frames) {
    Dataset d = new Dataset();
    d.putInts(Tag.SamplesPerPixel, Vr.US, 1);
    d.putString(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME2");
    d.putString(Tag.NumberOfFrames, Vr.IS, Integer.toString(frames));
    d.putInts(Tag.Rows, Vr.US, rows);
    d.putInts(Tag.Columns, Vr.US, columns);
    d.putInts(Tag.BitsAllocated, Vr.US, bits);
    d.putInts(Tag.BitsStored, Vr.US, bits);
    d.putInts(Tag.HighBit, Vr.US, bits - 1);
    d.putInts(Tag.PixelRepresentation, Vr.US, 0);
    return d;
  }

  private static Dataset encapsulated(int frames, byte[] table, byte[]... fragments) {
    Dataset d = image(8, 8, 8, frames);
    List<byte[]> items = new java.util.ArrayList<>();
    items.add(table);
    items.addAll(List.of(fragments));
    d.put(Element.ofFragments(Tag.PixelData, Vr.OB, items));
    return d;
  }

  static byte[] bytes(int... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int v : values) {
      out.write(v);
    }
    return out.toByteArray();
  }

  private static byte[] uls(int... offsets) {
    ByteBuffer b = ByteBuffer.allocate(4 * offsets.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int o : offsets) {
      b.putInt(o);
    }
    return b.array();
  }
}
