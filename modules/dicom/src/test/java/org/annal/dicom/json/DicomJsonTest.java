// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.Test;

/** Golden DICOM JSON (PS3.18 §F.2) for hand-built data sets, and reading it back. */
class DicomJsonTest {

  /** A text element from Latin-1 text, padded to even length (PS3.5 §7.1.1). */
  static Element text(int tag, Vr vr, String value) {
    byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
    if ((b.length & 1) != 0) {
      b = java.util.Arrays.copyOf(b, b.length + 1);
      b[b.length - 1] = vr.paddingByte();
    }
    return bytes(tag, vr, b);
  }

  static Element bytes(int tag, Vr vr, byte[] value) {
    return Element.ofBytes(tag, vr, value);
  }

  static byte[] le(Vr vr, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * vr.valueSize())
        .order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (vr.valueSize()) {
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  /** One element of every VR class, with padding, empty and multiple values. */
  static Dataset everyVr() {
    Dataset d = new Dataset();
    d.put(text(0x00080000, Vr.UL, "\4\0\0\0")); // group length: not written
    d.put(text(Tag.TransferSyntaxUID, Vr.UI, "1.2.840.10008.1.2.1\0")); // file meta: not written
    d.put(text(Tag.ImageType, Vr.CS, "ORIGINAL\\PRIMARY\\AXIAL "));
    d.put(text(Tag.SOPClassUID, Vr.UI, "1.2.840.10008.5.1.4.1.1.2\0"));
    d.put(text(Tag.StudyDate, Vr.DA, "20240131"));
    d.put(text(Tag.StudyTime, Vr.TM, "")); // empty: "vr" only
    d.put(text(Tag.AccessionNumber, Vr.SH, "  ")); // padding only: empty
    d.put(text(Tag.InstitutionName, Vr.LO, " General \\\\Hospital")); // empty middle value
    d.put(text(Tag.ReferringPhysicianName, Vr.PN, "^^^^")); // delimiters only: empty
    d.put(text(Tag.StudyDescription, Vr.LO, "Say \"hi\"\\C:\\"));
    d.put(text(Tag.PatientName, Vr.PN, "Doe^John^^Dr\\Roe^Jane=^"));
    d.put(text(Tag.PatientAge, Vr.AS, "042Y"));
    d.put(text(Tag.AdditionalPatientHistory, Vr.LT, "  indented\r\nline\\two\t\u0001  "));
    d.put(text(Tag.SliceThickness, Vr.DS, "+1.50 "));
    d.put(text(Tag.ContrastBolusVolume, Vr.DS, "NaN "));
    d.put(text(Tag.PatientComments, Vr.LT, ""));
    d.put(text(Tag.InstanceNumber, Vr.IS, " 007\\-3\\"));
    d.put(text(Tag.ImagePositionPatient, Vr.DS, "-125\\.5\\1e3 "));
    d.put(bytes(Tag.Rows, Vr.US, le(Vr.US, 512)));
    d.put(bytes(Tag.Columns, Vr.US, le(Vr.US, 0xFFFF)));
    d.put(text(Tag.PixelSpacing, Vr.DS, "0.5\\0.5 "));
    d.put(bytes(Tag.SmallestImagePixelValue, Vr.SS, le(Vr.SS, -2000)));
    d.put(text(Tag.WindowCenter, Vr.DS, "40\\400"));
    d.put(text(Tag.RetrieveURL, Vr.UR, "http://pacs/x?a=b "));
    d.put(bytes(0x00091010, Vr.UL, le(Vr.UL, 4_000_000_000L, 1)));
    d.put(bytes(0x00091011, Vr.SL, le(Vr.SL, -1)));
    ByteBuffer fl = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    fl.putFloat(0.1f).putFloat(-2.5e-7f).putFloat(Float.NaN);
    d.put(bytes(0x00091012, Vr.FL, fl.array()));
    ByteBuffer fd = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    fd.putDouble(0.1).putDouble(Double.NEGATIVE_INFINITY);
    d.put(bytes(0x00091013, Vr.FD, fd.array()));
    d.put(bytes(0x00091014, Vr.SV, le(Vr.SV, -42, -(1L << 60), Long.MIN_VALUE)));
    d.put(bytes(0x00091015, Vr.UV, le(Vr.UV, (1L << 53) - 1, 1L << 53, -1L)));
    d.put(bytes(0x00091016, Vr.AT, le(Vr.US, 0x0010, 0x0010, 0x7FE0, 0x0010)));
    d.put(bytes(0x00091017, Vr.OB, new byte[] {1, 2, 3, 0}));
    d.put(bytes(0x00091018, Vr.OW, le(Vr.US, 1, 0xFFFF)));
    d.put(bytes(0x00091019, Vr.UN, "AB".getBytes(StandardCharsets.US_ASCII)));
    d.put(bytes(0x0009101A, Vr.OF, new byte[0]));
    d.put(text(0x0009101B, Vr.UC, "a\\b"));
    d.put(text(0x0009101C, Vr.UT, "x\\y "));
    d.put(text(0x0009101D, Vr.ST, "\u00e9t\u00e9")); // Latin-1 bytes, default repertoire
    d.put(text(0x0009101E, Vr.DT, "20240131120000.5+0100"));
    d.put(text(0x0009101F, Vr.AE, "ANNAL "));
    Dataset item0 = d.newItem(); // empty item: {}
    Dataset item1 = d.newItem();
    item1.put(text(Tag.CodeValue, Vr.SH, "T-D1100"));
    Dataset nested = item1.newItem();
    nested.put(bytes(Tag.Rows, Vr.US, le(Vr.US, 1)));
    item1.putSequence(Tag.ConceptNameCodeSequence, List.of(nested));
    d.putSequence(Tag.AnatomicRegionSequence, List.of(item0, item1));
    d.putSequence(Tag.ReferencedImageSequence, List.of()); // empty sequence: "vr" only
    return d;
  }

  static final String EVERY_VR_JSON = "{"
      + "\"00080008\":{\"vr\":\"CS\",\"Value\":[\"ORIGINAL\",\"PRIMARY\",\"AXIAL\"]},"
      + "\"00080016\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},"
      + "\"00080020\":{\"vr\":\"DA\",\"Value\":[\"20240131\"]},"
      + "\"00080030\":{\"vr\":\"TM\"},"
      + "\"00080050\":{\"vr\":\"SH\"},"
      + "\"00080080\":{\"vr\":\"LO\",\"Value\":[\"General\",null,\"Hospital\"]},"
      + "\"00080090\":{\"vr\":\"PN\"},"
      + "\"00081030\":{\"vr\":\"LO\",\"Value\":[\"Say \\\"hi\\\"\",\"C:\",null]},"
      + "\"00081140\":{\"vr\":\"SQ\"},"
      + "\"00081190\":{\"vr\":\"UR\",\"Value\":[\"http://pacs/x?a=b\"]},"
      + "\"00082218\":{\"vr\":\"SQ\",\"Value\":[{},"
      + "{\"00080100\":{\"vr\":\"SH\",\"Value\":[\"T-D1100\"]},"
      + "\"0040A043\":{\"vr\":\"SQ\",\"Value\":[{\"00280010\":{\"vr\":\"US\",\"Value\":[1]}}]}}]},"
      + "\"00091010\":{\"vr\":\"UL\",\"Value\":[4000000000,1]},"
      + "\"00091011\":{\"vr\":\"SL\",\"Value\":[-1]},"
      + "\"00091012\":{\"vr\":\"FL\",\"Value\":[0.1,-2.5E-7,\"NaN\"]},"
      + "\"00091013\":{\"vr\":\"FD\",\"Value\":[0.1,\"-Infinity\"]},"
      + "\"00091014\":{\"vr\":\"SV\",\"Value\":[-42,\"-1152921504606846976\","
      + "\"-9223372036854775808\"]},"
      + "\"00091015\":{\"vr\":\"UV\",\"Value\":[9007199254740991,\"9007199254740992\","
      + "\"18446744073709551615\"]},"
      + "\"00091016\":{\"vr\":\"AT\",\"Value\":[\"00100010\",\"7FE00010\"]},"
      + "\"00091017\":{\"vr\":\"OB\",\"InlineBinary\":\"AQIDAA==\"},"
      + "\"00091018\":{\"vr\":\"OW\",\"InlineBinary\":\"AQD//w==\"},"
      + "\"00091019\":{\"vr\":\"UN\",\"InlineBinary\":\"QUI=\"},"
      + "\"0009101A\":{\"vr\":\"OF\"},"
      + "\"0009101B\":{\"vr\":\"UC\",\"Value\":[\"a\",\"b\"]},"
      + "\"0009101C\":{\"vr\":\"UT\",\"Value\":[\"x\\\\y\"]},"
      + "\"0009101D\":{\"vr\":\"ST\",\"Value\":[\"\u00e9t\u00e9\"]},"
      + "\"0009101E\":{\"vr\":\"DT\",\"Value\":[\"20240131120000.5+0100\"]},"
      + "\"0009101F\":{\"vr\":\"AE\",\"Value\":[\"ANNAL\"]},"
      + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Doe^John^^Dr\"},"
      + "{\"Alphabetic\":\"Roe^Jane\"}]},"
      + "\"00101010\":{\"vr\":\"AS\",\"Value\":[\"042Y\"]},"
      + "\"001021B0\":{\"vr\":\"LT\",\"Value\":[\"  indented\\r\\nline\\\\two\\t\\u0001\"]},"
      + "\"00104000\":{\"vr\":\"LT\"},"
      + "\"00180050\":{\"vr\":\"DS\",\"Value\":[1.50]},"
      + "\"00181041\":{\"vr\":\"DS\",\"Value\":[\"NaN\"]},"
      + "\"00200013\":{\"vr\":\"IS\",\"Value\":[7,-3,null]},"
      + "\"00200032\":{\"vr\":\"DS\",\"Value\":[-125,0.5,1e3]},"
      + "\"00280010\":{\"vr\":\"US\",\"Value\":[512]},"
      + "\"00280011\":{\"vr\":\"US\",\"Value\":[65535]},"
      + "\"00280030\":{\"vr\":\"DS\",\"Value\":[0.5,0.5]},"
      + "\"00280106\":{\"vr\":\"SS\",\"Value\":[-2000]},"
      + "\"00281050\":{\"vr\":\"DS\",\"Value\":[40,400]}"
      + "}";

  @Test
  void everyVrClass() {
    assertEquals(EVERY_VR_JSON, DicomJson.toJson(everyVr(), DicomJson.Options.INLINE_ALL));
  }

  @Test
  void readsBackWhatItWrites() throws IOException {
    String json = DicomJson.toJson(everyVr(), DicomJson.Options.INLINE_ALL);
    Dataset back = DicomJson.fromJson(json);
    // "\u00e9t\u00e9" without (0008,0005) is not in the default repertoire: read as ISO_IR 192
    assertEquals("{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]}," + json.substring(1),
        DicomJson.toJson(back, DicomJson.Options.INLINE_ALL));
    assertEquals("Doe^John^^Dr\\Roe^Jane", back.getString(Tag.PatientName));
    assertEquals("General\\\\Hospital", back.getString(Tag.InstitutionName));
    assertEquals("1.50", back.getString(Tag.SliceThickness));
    assertEquals("NaN", back.getString(Tag.ContrastBolusVolume));
    assertEquals("7\\-3\\", back.getString(Tag.InstanceNumber));
    assertEquals("  indented\r\nline\\two\t\u0001", back.getString(Tag.AdditionalPatientHistory));
    assertArrayEquals(new byte[] {1, 2, 3, 0}, back.getBytes(0x00091017));
    assertArrayEquals(le(Vr.UV, (1L << 53) - 1, 1L << 53, -1L), back.getBytes(0x00091015));
    assertArrayEquals(le(Vr.SV, -42, -(1L << 60), Long.MIN_VALUE), back.getBytes(0x00091014));
    assertEquals(Float.floatToIntBits(Float.NaN), ByteBuffer.wrap(back.getBytes(0x00091012))
        .order(ByteOrder.LITTLE_ENDIAN).getInt(8));
    assertEquals(0, back.getBytes(Tag.StudyTime).length);
    assertEquals(2, back.getSequence(Tag.AnatomicRegionSequence).size());
    assertEquals(0, back.getSequence(Tag.AnatomicRegionSequence).get(0).size());
    assertEquals(1, back.getSequence(Tag.AnatomicRegionSequence).get(1)
        .getSequence(Tag.ConceptNameCodeSequence).get(0).getInt(Tag.Rows, 0));
    assertEquals(0, back.getSequence(Tag.ReferencedImageSequence).size());
    assertNull(back.get(Tag.TransferSyntaxUID));
  }

  @Test
  void latin1DecodedWithIsoIr100AndWrittenAsUtf8() throws IOException {
    Dataset d = new Dataset();
    d.put(text(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100"));
    d.put(bytes(Tag.PatientName, Vr.PN, new byte[] {'M', (byte) 0xFC, 'l', 'l', 'e', 'r', '^',
        'J', (byte) 0xF6, 'r', 'g'}));
    d.put(bytes(Tag.InstitutionName, Vr.LO, new byte[] {'C', 'l', 'i', 'n', 'i', 'q', 'u', 'e',
        ' ', (byte) 0xC9, 't', 'o', 'i', 'l', 'e', ' '}));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DicomJson.write(d, out, DicomJson.Options.INLINE_ALL);
    String expected = "{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]},"
        + "\"00080080\":{\"vr\":\"LO\",\"Value\":[\"Clinique \u00c9toile\"]},"
        + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"M\u00fcller^J\u00f6rg\"}]}}";
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), out.toByteArray());

    Dataset back = DicomJson.fromJson(expected); // kept in ISO_IR 100, byte for byte
    assertEquals("ISO_IR 100", back.getString(Tag.SpecificCharacterSet));
    assertArrayEquals(d.getBytes(Tag.PatientName), Arrays.copyOf(back.getBytes(Tag.PatientName),
        11));
    assertEquals("M\u00fcller^J\u00f6rg", back.getString(Tag.PatientName));
  }

  static final String YAMADA = "Yamada^Tarou=\u5c71\u7530^\u592a\u90ce="
      + "\u3084\u307e\u3060^\u305f\u308d\u3046";

  static Dataset utf8Names() {
    Dataset d = new Dataset();
    d.put(text(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192"));
    d.putString(Tag.PatientName, Vr.PN, YAMADA + "\\=\u5c71\u7530^\u82b1\u5b50");
    d.putString(Tag.StudyDescription, Vr.LO, "\u80f8\u90e8 CT \\ \u00c9tude");
    Dataset item = d.newItem(); // inherits ISO_IR 192 (PS3.5 §7.5.2)
    item.putString(Tag.CodeMeaning, Vr.LO, "\u809d\u81d3");
    d.putSequence(Tag.AnatomicRegionSequence, List.of(item));
    return d;
  }

  static final String UTF8_NAMES_JSON = "{"
      + "\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]},"
      + "\"00081030\":{\"vr\":\"LO\",\"Value\":[\"\u80f8\u90e8 CT\",\"\u00c9tude\"]},"
      + "\"00082218\":{\"vr\":\"SQ\",\"Value\":[{\"00080104\":{\"vr\":\"LO\",\"Value\":"
      + "[\"\u809d\u81d3\"]}}]},"
      + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Yamada^Tarou\","
      + "\"Ideographic\":\"\u5c71\u7530^\u592a\u90ce\",\"Phonetic\":\"\u3084\u307e\u3060^\u305f"
      + "\u308d\u3046\"},{\"Ideographic\":\"\u5c71\u7530^\u82b1\u5b50\"}]}}";

  @Test
  void utf8PersonNameWithIdeographicAndPhoneticGroups() throws IOException {
    Dataset d = utf8Names();
    assertEquals(UTF8_NAMES_JSON, DicomJson.toJson(d, DicomJson.Options.INLINE_ALL));
    Dataset back = DicomJson.fromJson(UTF8_NAMES_JSON);
    assertArrayEquals(d.getBytes(Tag.PatientName), back.getBytes(Tag.PatientName));
    assertEquals(UTF8_NAMES_JSON, DicomJson.toJson(back, DicomJson.Options.INLINE_ALL));
  }

  /** PS3.5 §H.3.1: "Yamada^Tarou=山田^太郎=やまだ^たろう" in ISO 2022 IR 87 (JIS X 0208). */
  static Dataset iso2022Japanese() {
    byte[] name = ("Yamada^Tarou=\u001b$B;3ED\u001b(B^\u001b$BB@O:\u001b(B="
        + "\u001b$B$d$^$@\u001b(B^\u001b$B$?$m$&\u001b(B").getBytes(StandardCharsets.US_ASCII);
    Dataset d = new Dataset();
    d.put(text(Tag.SpecificCharacterSet, Vr.CS, "\\ISO 2022 IR 87"));
    d.put(bytes(Tag.PatientName, Vr.PN, name));
    return d;
  }

  @Test
  void iso2022JapaneseIsDecodedPerPs35AnnexH() {
    Dataset d = iso2022Japanese();
    assertEquals("{\"00080005\":{\"vr\":\"CS\",\"Value\":[null,\"ISO 2022 IR 87\"]},"
        + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Yamada^Tarou\","
        + "\"Ideographic\":\"\u5c71\u7530^\u592a\u90ce\",\"Phonetic\":\"\u3084\u307e\u3060^"
        + "\u305f\u308d\u3046\"}]}}", DicomJson.toJson(d, DicomJson.Options.INLINE_ALL));
  }

  @Test
  void textTheDeclaredCharacterSetCannotHoldIsReadAsUtf8() throws IOException {
    // ISO_IR 100 cannot hold 山田: the data set is re-encoded in ISO_IR 192
    Dataset d = DicomJson.fromJson("{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 100\"]},"
        + "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"M\u00fcller\","
        + "\"Ideographic\":\"\u5c71\u7530\"}]}}");
    assertEquals("ISO_IR 192", d.getString(Tag.SpecificCharacterSet));
    assertEquals("M\u00fcller=\u5c71\u7530", d.getString(Tag.PatientName));
    assertArrayEquals("M\u00fcller=\u5c71\u7530".getBytes(StandardCharsets.UTF_8),
        d.getBytes(Tag.PatientName));

    // no (0008,0005) means the default repertoire (ASCII): non-ASCII text gets ISO_IR 192 added
    Dataset e = DicomJson.fromJson("{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"\u00c9tude\"]}}");
    assertEquals("ISO_IR 192", e.getString(Tag.SpecificCharacterSet));
    assertEquals("\u00c9tude", e.getString(Tag.StudyDescription));

    // ASCII only: nothing is added
    Dataset f = DicomJson.fromJson("{\"00081030\":{\"vr\":\"LO\",\"Value\":[\"Etude\"]}}");
    assertNull(f.get(Tag.SpecificCharacterSet));
  }

  @Test
  void inlineBinaryUpToTheLimitThenBulkDataUriWithTheTagPath() throws IOException {
    Dataset d = new Dataset();
    d.put(bytes(0x00091001, Vr.OB, new byte[4])); // at the limit: inline
    d.put(bytes(0x00091002, Vr.OW, new byte[6])); // above: BulkDataURI
    d.put(bytes(0x00091003, Vr.UN, new byte[6])); // above, but the callback declines: inline
    Dataset item0 = d.newItem();
    Dataset item1 = d.newItem();
    item1.put(bytes(0x00181072, Vr.OB, new byte[8]));
    item1.put(bytes(0x00181073, Vr.OF, new byte[4]));
    d.putSequence(0x00540016, List.of(item0, item1));
    d.put(bytes(Tag.PixelData, Vr.OW, new byte[16]));
    List<String> asked = new ArrayList<>();
    DicomJson.Options options = new DicomJson.Options(4, path -> {
      asked.add(path);
      return path.equals("00091003") ? null : "http://wado/bulk/" + path;
    });
    assertEquals("{\"00091001\":{\"vr\":\"OB\",\"InlineBinary\":\"AAAAAA==\"},"
        + "\"00091002\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://wado/bulk/00091002\"},"
        + "\"00091003\":{\"vr\":\"UN\",\"InlineBinary\":\"AAAAAAAA\"},"
        + "\"00540016\":{\"vr\":\"SQ\",\"Value\":[{},{"
        + "\"00181072\":{\"vr\":\"OB\",\"BulkDataURI\":\"http://wado/bulk/00540016.1.00181072\"},"
        + "\"00181073\":{\"vr\":\"OF\",\"InlineBinary\":\"AAAAAA==\"}}]},"
        + "\"7FE00010\":{\"vr\":\"OW\",\"BulkDataURI\":\"http://wado/bulk/7FE00010\"}}",
        DicomJson.toJson(d, options));
    assertEquals(List.of("00091002", "00091003", "00540016.1.00181072", "7FE00010"), asked);

    // INLINE_ALL: everything inline, the callback-less way
    String inline = DicomJson.toJson(d, DicomJson.Options.INLINE_ALL);
    assertEquals(6, inline.split("InlineBinary", -1).length - 1);

    // reading resolves the URIs through the caller
    Dataset back = DicomJson.read(new java.io.ByteArrayInputStream(DicomJson.toJson(d, options)
        .getBytes(StandardCharsets.UTF_8)), (path, uri) -> {
          assertEquals("http://wado/bulk/" + path, uri);
          return new byte[] {7, 7};
        });
    assertArrayEquals(new byte[] {7, 7}, back.getBytes(Tag.PixelData));
    assertArrayEquals(new byte[] {7, 7}, back.getSequence(0x00540016).get(1).getBytes(0x00181072));
  }

  @Test
  void encapsulatedPixelDataIsBulkDataOrLeftOut() {
    Dataset d = new Dataset();
    d.put(bytes(Tag.Rows, Vr.US, le(Vr.US, 2)));
    d.put(Element.ofFragments(Tag.PixelData, Vr.OB, List.of(new byte[0], new byte[] {1, 2})));
    // small, but always a BulkDataURI when a callback is given
    assertEquals("{\"00280010\":{\"vr\":\"US\",\"Value\":[2]},"
        + "\"7FE00010\":{\"vr\":\"OB\",\"BulkDataURI\":\"frames/7FE00010\"}}",
        DicomJson.toJson(d, new DicomJson.Options(1 << 20, path -> "frames/" + path)));
    assertEquals("{\"00280010\":{\"vr\":\"US\",\"Value\":[2]},\"7FE00010\":{\"vr\":\"OB\"}}",
        DicomJson.toJson(d, DicomJson.Options.INLINE_ALL));
  }

  @Test
  void arrayOfDataSets() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DicomJson.writeArray(List.of(utf8Names(), new Dataset()), out, DicomJson.Options.INLINE_ALL);
    assertEquals("[" + UTF8_NAMES_JSON + ",{}]", out.toString(StandardCharsets.UTF_8));
    List<Dataset> back = DicomJson.readArray(new java.io.ByteArrayInputStream(out.toByteArray()),
        DicomJson.NO_BULK_DATA);
    assertEquals(2, back.size());
    assertEquals(UTF8_NAMES_JSON, DicomJson.toJson(back.get(0), DicomJson.Options.INLINE_ALL));
    assertEquals(0, back.get(1).size());

    out.reset();
    DicomJson.writeArray(List.of(), out, DicomJson.Options.INLINE_ALL);
    assertEquals("[]", out.toString(StandardCharsets.UTF_8));
  }
}
