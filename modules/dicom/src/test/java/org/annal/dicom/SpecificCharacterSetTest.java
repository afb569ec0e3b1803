// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SpecificCharacterSetTest {

  private static Dataset withName(String charset, byte[] name) {
    Dataset d = new Dataset();
    if (charset != null) {
      d.put(Element.ofBytes(Tag.SpecificCharacterSet, Vr.CS,
          charset.getBytes(StandardCharsets.US_ASCII)));
    }
    d.put(Element.ofBytes(Tag.PatientName, Vr.PN, name));
    return d;
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void latin1() {
    // PS3.5 Annex H/I style: "Buc^Jérôme" in ISO_IR 100
    Dataset d = withName("ISO_IR 100", bytes('B', 'u', 'c', '^', 'J', 0xE9, 'r', 0xF4, 'm', 'e'));
    assertEquals("Buc^Jérôme", d.getString(Tag.PatientName));
    assertEquals("Jérôme", d.getPersonName(Tag.PatientName).alphabetic().givenName());
  }

  @Test
  void utf8() {
    byte[] name = "Wang^XiaoDong=王^小東=".getBytes(StandardCharsets.UTF_8);
    Dataset d = withName("ISO_IR 192", name);
    assertEquals("Wang^XiaoDong=王^小東=", d.getString(Tag.PatientName));
    PersonName pn = d.getPersonName(Tag.PatientName);
    assertEquals("Wang", pn.alphabetic().familyName());
    assertEquals("王", pn.ideographic().familyName());
    assertEquals("小東", pn.ideographic().givenName());
    assertTrue(pn.phonetic().isEmpty());
  }

  @Test
  void otherSingleByteSets() {
    assertEquals("Διονυσιος", withName("ISO_IR 126", bytes(0xC4, 0xE9, 0xEF, 0xED, 0xF5, 0xF3, 0xE9,
        0xEF, 0xF2)).getString(Tag.PatientName)); // PS3.5 Annex H.2, Greek
    assertEquals("Люкceмбypг", withName("ISO_IR 144", bytes(0xBB, 0xEE, 0xDA, 0x63, 0x65, 0xDC,
        0xD1, 0x79, 0x70, 0xD3)).getString(Tag.PatientName)); // Cyrillic, mixed with ASCII
    assertEquals("Łódź", withName("ISO_IR 101", bytes(0xA3, 0xF3, 0x64, 0xBC))
        .getString(Tag.PatientName));
    assertEquals("שרון^דבורה", withName("ISO_IR 138", bytes(0xF9, 0xF8, 0xE5, 0xEF, '^', 0xE3,
        0xE1, 0xE5, 0xF8, 0xE4)).getString(Tag.PatientName)); // PS3.5 Annex H, Hebrew
  }

  @Test
  void gb18030AndJisX0201() {
    byte[] wang = "Wang^XiaoDong=王^小东".getBytes(java.nio.charset.Charset.forName("GB18030"));
    assertEquals("Wang^XiaoDong=王^小东", withName("GB18030", wang).getString(Tag.PatientName));
    // PS3.5 H.3.2 style: half-width Katakana in G1 with ISO 2022 IR 13: "ﾔﾏﾀﾞ^ﾀﾛｳ"
    byte[] katakana = bytes(0xD4, 0xCF, 0xC0, 0xDE, '^', 0xC0, 0xDB, 0xB3);
    assertEquals("ﾔﾏﾀﾞ^ﾀﾛｳ", withName("ISO 2022 IR 13", katakana).getString(Tag.PatientName));
  }

  @Test
  void defaultRepertoireIsReadLenientlyAsLatin1() {
    assertEquals("Müller", withName(null, bytes('M', 0xFC, 'l', 'l', 'e', 'r'))
        .getString(Tag.PatientName));
  }

  @Test
  void iso2022JapaneseFromPs35AnnexH() {
    // PS3.5 H.3.1: Yamada^Tarou=山田^太郎=やまだ^たろう with ISO 2022 IR 87 (JIS X 0208) escapes
    byte[] value = bytes(0x59, 0x61, 0x6d, 0x61, 0x64, 0x61, 0x5e, 0x54, 0x61, 0x72, 0x6f, 0x75,
        0x3d, 0x1b, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44, 0x1b, 0x28, 0x42, 0x5e, 0x1b, 0x24, 0x42,
        0x42, 0x40, 0x4f, 0x3a, 0x1b, 0x28, 0x42, 0x3d, 0x1b, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5e,
        0x24, 0x40, 0x1b, 0x28, 0x42, 0x5e, 0x1b, 0x24, 0x42, 0x24, 0x3f, 0x24, 0x6d, 0x24, 0x26,
        0x1b, 0x28, 0x42);
    Dataset d = withName("\\ISO 2022 IR 87", value);
    assertEquals("Yamada^Tarou=山田^太郎=やまだ^たろう", d.getString(Tag.PatientName));
  }

  @Test
  void iso2022KoreanFromPs35AnnexI() {
    // PS3.5 I.2: Hong^Gildong=洪^吉洞=홍^길동 with ISO 2022 IR 149 (KS X 1001 in G1)
    byte[] value = bytes(0x48, 0x6f, 0x6e, 0x67, 0x5e, 0x47, 0x69, 0x6c, 0x64, 0x6f, 0x6e, 0x67,
        0x3d, 0x1b, 0x24, 0x29, 0x43, 0xfb, 0xf3, 0x5e, 0x1b, 0x24, 0x29, 0x43, 0xd1, 0xce, 0xd4,
        0xd7, 0x3d, 0x1b, 0x24, 0x29, 0x43, 0xc8, 0xab, 0x5e, 0x1b, 0x24, 0x29, 0x43, 0xb1, 0xe6,
        0xb5, 0xbf);
    Dataset d = withName("\\ISO 2022 IR 149", value);
    assertEquals("Hong^Gildong=洪^吉洞=홍^길동", d.getString(Tag.PatientName));
  }

  @Test
  void iso2022SingleByteSwitchesAndResetsAtDelimiters() {
    // first value Latin-1; ESC - F switches G1 to Greek; '^' restores Latin-1 (PS3.5 §6.1.2.5.3)
    byte[] value = bytes(0xE9, 0x1B, '-', 'F', 0xE1, '^', 0xE9);
    Dataset d = withName("ISO 2022 IR 100\\ISO 2022 IR 126", value);
    assertEquals("éα^é", d.getString(Tag.PatientName));
  }

  @Test
  void charsetIsInheritedByItems() throws Exception {
    Dataset d = new Dataset();
    d.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100");
    Dataset item = d.newItem();
    item.put(Element.ofBytes(Tag.PatientName, Vr.PN, bytes('J', 0xE9, 'r', 0xF4, 'm', 'e')));
    d.putSequence(Tag.ReferencedPatientSequence, java.util.List.of(item));
    Dataset back = DatasetReader.read(DatasetWriter.encode(d, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
        Uid.IMPLICIT_VR_LITTLE_ENDIAN);
    assertEquals("Jérôme",
        back.getSequence(Tag.ReferencedPatientSequence).get(0).getString(Tag.PatientName));
  }

  @Test
  void encodingUsesTheDeclaredCharset() {
    Dataset d = new Dataset();
    d.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100");
    d.putString(Tag.PatientName, Vr.PN, "Jérôme");
    assertArrayEquals(bytes('J', 0xE9, 'r', 0xF4, 'm', 'e'), d.getBytes(Tag.PatientName));
    d.putString(Tag.PatientID, Vr.LO, "abc");
    assertArrayEquals(bytes('a', 'b', 'c', ' '), d.getBytes(Tag.PatientID), "padded with space");
    d.putString(Tag.StudyInstanceUID, Vr.UI, "1.2.3");
    assertArrayEquals(bytes('1', '.', '2', '.', '3', 0), d.getBytes(Tag.StudyInstanceUID));
  }

  @Test
  void personNameComponents() {
    PersonName pn = PersonName.parse("Adams^John Robert Quincy^^Rev.^B.A. M.Div.");
    assertEquals("Adams", pn.alphabetic().familyName());
    assertEquals("John Robert Quincy", pn.alphabetic().givenName());
    assertEquals("", pn.alphabetic().middleName());
    assertEquals("Rev.", pn.alphabetic().namePrefix());
    assertEquals("B.A. M.Div.", pn.alphabetic().nameSuffix());
    assertEquals("Adams^John Robert Quincy^^Rev.^B.A. M.Div.", pn.toString());
    assertEquals("Smith", PersonName.parse("Smith").toString());
  }
}
