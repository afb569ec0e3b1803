// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every shared test file: parse, re-encode byte for byte, convert among uncompressed syntaxes. */
class DatasetRoundTripTest {

  @TestFactory
  List<DynamicTest> reEncodingInTheSameSyntaxIsByteIdentical() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : TestFiles.wellFormed()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        byte[] original = Files.readAllBytes(p);
        DicomFile file = Part10.read(p);
        TransferSyntax ts = TransferSyntax.orAssumeEncapsulated(file.transferSyntaxUid());
        byte[] again = Part10.encode(file);
        if (ts.deflated()) {
          // A deflate stream depends on the compressor: compare the inflated data sets.
          int start = 132 + 12 + file.fileMetaInformation().getInt(Tag.FileMetaInformationGroupLength, -1);
          assertArrayEquals(Arrays.copyOf(original, start), Arrays.copyOf(again, start));
          assertArrayEquals(inflate(original, start), inflate(again, start));
        } else {
          assertArrayEquals(original, again, "mismatch at byte " + Arrays.mismatch(original, again));
        }
      }));
    }
    return tests;
  }

  /**
   * For every file in an uncompressed syntax, and every other uncompressed syntax y: encode in y,
   * read back, encode in the original syntax: byte-identical to the original. Into Implicit VR,
   * a VR the dictionary does not know is lost (it reads back as UN), which PS3.5 §6.2.2 accepts:
   * there, check that the values survive and that a second trip is stable.
   */
  @TestFactory
  List<DynamicTest> conversionAmongUncompressedSyntaxesRoundTrips() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : TestFiles.wellFormed()) {
      DicomFile file = Part10.read(p);
      TransferSyntax source = TransferSyntax.orAssumeEncapsulated(file.transferSyntaxUid());
      if (!source.isUncompressed()) {
        continue;
      }
      for (TransferSyntax target : TransferSyntax.UNCOMPRESSED) {
        if (target.equals(source)) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(p.getFileName() + " via " + target.name(), () -> {
          byte[] original = DatasetWriter.encode(file.dataset(), source.uid());
          byte[] converted = DatasetWriter.encode(file.dataset(), target.uid());
          Dataset there = DatasetReader.read(converted, target.uid());
          if (!target.explicitVr() && source.explicitVr()) {
            assertSameValues(file.dataset(), there, p.getFileName().toString());
            byte[] twice = DatasetWriter.encode(
                DatasetReader.read(DatasetWriter.encode(there, source.uid()), source.uid()),
                target.uid());
            assertArrayEquals(converted, twice, "second trip through " + target.name());
          } else {
            byte[] back = DatasetWriter.encode(there, source.uid());
            assertArrayEquals(original, back, "mismatch at byte " + Arrays.mismatch(original, back));
          }
          if (target.bigEndian() != source.bigEndian() && !target.deflated()
              && !source.deflated()) {
            assertFalse(Arrays.equals(original, converted), "byte order did not change");
          }
        }));
      }
    }
    return tests;
  }

  /**
   * Golden vectors: MR_small.dcm converted by this module must equal, byte for byte, the data
   * sets of its twins that other tools wrote in the other syntaxes (two of them lack the
   * trailing padding element (FFFC,FFFC)).
   */
  @Test
  void conversionEqualsTwinsWrittenByOtherTools() throws IOException {
    Dataset source = Part10.read(TestFiles.file("MR_small.dcm")).dataset();
    for (String twin : List.of("MR_small_expb.dcm", "MR_small_bigendian.dcm",
        "MR_small_implicit.dcm")) {
      Path p = TestFiles.file(twin);
      DicomFile file = Part10.read(p);
      byte[] bytes = Files.readAllBytes(p);
      int start = 132 + 12 + file.fileMetaInformation().getInt(Tag.FileMetaInformationGroupLength, -1);
      byte[] expected = Arrays.copyOfRange(bytes, start, bytes.length);
      Dataset converted = new Dataset();
      source.elements().stream().filter(e -> file.dataset().contains(e.tag()))
          .forEach(converted::put);
      byte[] actual = DatasetWriter.encode(converted, file.transferSyntaxUid());
      assertArrayEquals(expected, actual, twin + " differs at byte " + Arrays.mismatch(expected, actual));
    }
  }

  @Test
  void bigEndianFileHoldsTheSameValuesAsItsLittleEndianTwin() throws IOException {
    Dataset little = Part10.read(TestFiles.file("MR_small.dcm")).dataset();
    Dataset big = Part10.read(TestFiles.file("MR_small_bigendian.dcm")).dataset();
    assertEquals(little.getInt(Tag.Rows, -1), big.getInt(Tag.Rows, -2));
    assertEquals(little.getString(Tag.PixelSpacing), big.getString(Tag.PixelSpacing));
    assertArrayEquals(little.getBytes(Tag.PixelData), big.getBytes(Tag.PixelData),
        "pixel values normalised to little-endian in memory");
  }

  @Test
  void encapsulatedPixelDataKeepsOffsetTableAndFragments() throws IOException {
    Dataset d = Part10.read(TestFiles.file("SC_rgb_rle_2frame.dcm")).dataset();
    Element pixels = d.get(Tag.PixelData);
    assertTrue(pixels.isEncapsulated());
    assertEquals(3, pixels.fragments().size(), "offset table + one fragment per frame");
    assertEquals(8, pixels.fragments().get(0).length, "two 32-bit frame offsets");
  }

  @Test
  void unSequenceOfUndefinedLengthIsParsedAsImplicitLittleEndianItems() throws IOException {
    Dataset d = Part10.read(TestFiles.file("UN_sequence.dcm")).dataset();
    Element un = d.get(0x4453100C);
    assertEquals(Vr.UN, un.vr());
    assertTrue(un.isSequence());
    Dataset item = un.items().get(0);
    assertEquals("1.2.840.113619.2.327.3.185221411.476.1398588725.795",
        item.getString(Tag.StudyInstanceUID));
    Dataset series = item.getSequence(Tag.ReferencedSeriesSequence).get(0);
    assertEquals("1.2.840.113619.2.327.3.185221411.476.1398588726.276",
        series.getString(Tag.SeriesInstanceUID));
    assertEquals(Uid.CT_IMAGE_STORAGE,
        series.getSequence(Tag.ReferencedSOPSequence).get(0).getString(Tag.ReferencedSOPClassUID));
  }

  @Test
  void newDatasetWritesAndReadsBack() throws IOException {
    Dataset d = new Dataset();
    d.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
    d.putString(Tag.PatientName, Vr.PN, "Müller^Zoë");
    d.putString(Tag.StudyInstanceUID, Vr.UI, "1.2.3.4");
    d.putInts(Tag.Rows, Vr.US, 512);
    Dataset item = d.newItem();
    item.putString(Tag.ReferencedSOPInstanceUID, Vr.UI, "1.2.3.5");
    d.putSequence(Tag.ReferencedImageSequence, List.of(item));
    for (TransferSyntax ts : TransferSyntax.UNCOMPRESSED) {
      Dataset back = DatasetReader.read(DatasetWriter.encode(d, ts.uid()), ts.uid());
      assertEquals("Müller^Zoë", back.getString(Tag.PatientName), ts.name());
      assertEquals("1.2.3.4", back.getString(Tag.StudyInstanceUID));
      assertEquals(512, back.getInt(Tag.Rows, -1));
      assertEquals("1.2.3.5", back.getSequence(Tag.ReferencedImageSequence).get(0)
          .getString(Tag.ReferencedSOPInstanceUID));
    }
  }

  private static void assertSameValues(Dataset expected, Dataset actual, String where) {
    assertEquals(tagsOf(expected), tagsOf(actual), where);
    for (Element e : expected.elements()) {
      Element a = actual.get(e.tag());
      assertNotNull(a);
      String at = where + " " + ElementDictionary.toString(e.tag());
      if (e.isSequence()) {
        assertEquals(e.items().size(), a.items().size(), at);
        for (int i = 0; i < e.items().size(); i++) {
          assertSameValues(e.items().get(i), a.items().get(i), at + "[" + i + "]");
        }
      } else if (e.isEncapsulated()) {
        assertEquals(e.fragments().size(), a.fragments().size(), at);
      } else if (a.isSequence()) {
        // An explicit SQ of defined length read back as UN bytes cannot happen: UN is not parsed.
        throw new AssertionError(at + " became a sequence");
      } else {
        assertArrayEquals(e.value(), a.value(), at);
      }
    }
  }

  private static List<Integer> tagsOf(Dataset d) {
    return d.elements().stream().map(Element::tag).toList();
  }

  private static byte[] inflate(byte[] bytes, int start) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InflaterInputStream in = new InflaterInputStream(
        new ByteArrayInputStream(bytes, start, bytes.length - start), new Inflater(true))) {
      in.transferTo(out);
    }
    return out.toByteArray();
  }
}
