// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ElementDictionaryTest {

  @Test
  void knownEntries() {
    assertEquals(Vr.UI, ElementDictionary.vrOf(0x0020000D));
    assertEquals("StudyInstanceUID", ElementDictionary.keywordOf(0x0020000D));
    assertEquals(0x0020000D, ElementDictionary.tagOf("StudyInstanceUID"));
    assertEquals(0x0020000D, Tag.StudyInstanceUID);
    assertEquals(0x00080018, Tag.SOPInstanceUID);
    assertEquals(0x7FE00010, Tag.PixelData);
    assertEquals(Vr.PN, ElementDictionary.vrOf(Tag.PatientName));
    assertEquals(Vr.SQ, ElementDictionary.vrOf(Tag.ReferencedSeriesSequence));
    assertEquals(Vr.CS, ElementDictionary.vrOf(Tag.SpecificCharacterSet));
    assertEquals("1-n", ElementDictionary.entryOf(Tag.SpecificCharacterSet).vm());
    assertEquals(-1, ElementDictionary.tagOf("NoSuchKeyword"));
  }

  @Test
  void ambiguousVrsListAlternativesAndUseTheFirstForImplicitVr() {
    ElementDictionary.Entry pixelData = ElementDictionary.entryOf(Tag.PixelData);
    assertEquals(List.of(Vr.OW, Vr.OB), pixelData.vrs());
    assertEquals(Vr.OW, ElementDictionary.vrOf(Tag.PixelData));
    assertEquals(List.of(Vr.US, Vr.SS), ElementDictionary.entryOf(Tag.SmallestImagePixelValue).vrs());
  }

  @Test
  void repeatingGroupsAndRanges() {
    assertEquals("OverlayRows", ElementDictionary.keywordOf(0x60000010));
    assertEquals("OverlayRows", ElementDictionary.keywordOf(0x601E0010));
    assertEquals(Vr.US, ElementDictionary.vrOf(0x60FE0010));
    // odd groups are private, not overlays
    assertNull(ElementDictionary.keywordOf(0x60010010));
    assertEquals("OverlayData", ElementDictionary.keywordOf(0x60023000));
    assertEquals("CurveData", ElementDictionary.keywordOf(0x50103000));
    assertEquals("SourceImageIDs", ElementDictionary.keywordOf(0x002031A5));
    assertEquals(Vr.CS, ElementDictionary.vrOf(0x002031A5));
  }

  @Test
  void retiredFlag() {
    assertTrue(ElementDictionary.isRetired(0x50103000)); // CurveData
    assertTrue(ElementDictionary.isRetired(0x00080040)); // DataSetType
    assertFalse(ElementDictionary.isRetired(Tag.PatientID));
  }

  @Test
  void groupLengthAndPrivateRules() {
    assertEquals(Vr.UL, ElementDictionary.vrOf(0x00080000));
    assertEquals(Vr.UL, ElementDictionary.vrOf(0x00290000));
    assertEquals(Vr.LO, ElementDictionary.vrOf(0x00290010)); // private creator
    assertEquals(Vr.LO, ElementDictionary.vrOf(0x004300FF));
    assertEquals(Vr.UN, ElementDictionary.vrOf(0x00291010)); // private data element
    assertTrue(ElementDictionary.isPrivate(0x00291010));
    assertFalse(ElementDictionary.isPrivate(Tag.PatientName));
    assertEquals(Vr.UN, ElementDictionary.vrOf(0x0008FFF0)); // unassigned standard element
  }

  @Test
  void itemTagsHaveNoVr() {
    assertEquals("Item", ElementDictionary.keywordOf(0xFFFEE000));
    assertNull(ElementDictionary.entryOf(0xFFFEE000).vr());
  }

  @Test
  void vrProperties() {
    assertTrue(Vr.OB.hasLongLength());
    assertTrue(Vr.UT.hasLongLength());
    assertTrue(Vr.SV.hasLongLength());
    assertFalse(Vr.US.hasLongLength());
    assertFalse(Vr.PN.hasLongLength());
    assertEquals(' ', Vr.PN.paddingByte());
    assertEquals(0, Vr.UI.paddingByte());
    assertEquals(0, Vr.OB.paddingByte());
    assertEquals(2, Vr.OW.swapUnit());
    assertEquals(2, Vr.AT.swapUnit());
    assertEquals(8, Vr.FD.swapUnit());
    assertEquals(0, Vr.OB.swapUnit());
    assertEquals(Vr.PN, Vr.of("PN"));
    assertNull(Vr.of("ZZ"));
  }

  @Test
  void storageSopClassesAndTransferSyntaxes() {
    assertTrue(StorageSopClasses.isStorage(Uid.CT_IMAGE_STORAGE));
    assertTrue(StorageSopClasses.isStorage("1.2.840.10008.5.1.4.1.1.481.2")); // RT Dose
    assertTrue(StorageSopClasses.isStorage("1.2.840.10008.5.1.4.1.1.5")); // retired NM
    assertTrue(StorageSopClasses.of("1.2.840.10008.5.1.4.1.1.5").retired());
    assertEquals("MRImageStorage", StorageSopClasses.keywordOf(Uid.MR_IMAGE_STORAGE));
    assertFalse(StorageSopClasses.isStorage(Uid.VERIFICATION));
    assertFalse(StorageSopClasses.isStorage("1.2.840.10008.1.3.10")); // DICOMDIR
    assertTrue(StorageSopClasses.ALL.size() > 150);

    TransferSyntax be = TransferSyntax.of(Uid.EXPLICIT_VR_BIG_ENDIAN);
    assertTrue(be.bigEndian() && be.explicitVr() && be.retired() && !be.encapsulated());
    TransferSyntax jpeg = TransferSyntax.of("1.2.840.10008.1.2.4.50");
    assertTrue(jpeg.encapsulated() && jpeg.explicitVr() && !jpeg.bigEndian());
    assertTrue(TransferSyntax.of(Uid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN).deflated());
    assertFalse(TransferSyntax.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN).explicitVr());
    assertTrue(TransferSyntax.of("1.2.840.10008.1.2.4.52").retired());
    assertEquals(TransferSyntax.ALL_STANDARD.size(),
        TransferSyntax.ALL_STANDARD.stream().map(TransferSyntax::uid).distinct().count());
    assertNull(TransferSyntax.of("1.2.3"));
    assertTrue(TransferSyntax.orAssumeEncapsulated("1.2.3").encapsulated());
  }
}
