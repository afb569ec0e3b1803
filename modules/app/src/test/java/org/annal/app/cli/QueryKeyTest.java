// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.Test;

/** Keys typed on the command line and the identifiers built from them. */
class QueryKeyTest {

  @Test
  void aKeywordWithAValueIsAMatchingKeyWithTheDictionaryVr() {
    QueryKey key = QueryKey.parseMatching("PatientName=Doe*");
    assertEquals(Tag.PatientName, key.tag());
    assertEquals(Vr.PN, key.vr());
    assertEquals("Doe*", key.value());
    assertEquals("PatientName", key.keyword());
  }

  @Test
  void onlyTheFirstEqualsSignSeparatesKeyAndValue() {
    assertEquals("a=b", QueryKey.parseMatching("StudyDescription=a=b").value());
    assertTrue(QueryKey.parseMatching("PatientID=").isReturnKey());
  }

  @Test
  void tagsAreAcceptedInThreeSpellings() {
    for (String spelling : List.of("00100020", "0010,0020", "(0010,0020)")) {
      QueryKey key = QueryKey.parseMatching(spelling + "=P1");
      assertEquals(Tag.PatientID, key.tag(), spelling);
      assertEquals("PatientID", key.keyword());
    }
  }

  @Test
  void unknownOrUnusableAttributesAreRefusedWithAReason() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("PatientNam=x")).getMessage()
        .contains("unknown attribute 'PatientNam'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("patientname=x")).getMessage().contains("case-sensitive"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("PatientName")).getMessage().contains("KEY=VALUE"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseReturn("PatientName=x")).getMessage().contains("-k KEY=VALUE"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("PixelData=x")).getMessage().contains("VR OW"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("00091010=x")).getMessage().contains("private"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("ReferencedSeriesSequence=x")).getMessage()
        .contains("sequence"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> QueryKey.parseMatching("Rows=many")).getMessage().contains("integer"));
  }

  @Test
  void theIdentifierHoldsTheLevelAndEachKeyEncodedInItsVr() {
    List<QueryKey> keys = QueryModelOptions.merge(List.of("PatientID", "StudyInstanceUID"),
        List.of(QueryKey.parseMatching("PatientName=Doe*"),
            QueryKey.parseMatching("PatientID=P1")),
        List.of(QueryKey.parseReturn("ReferencedSeriesSequence"), QueryKey.parseReturn("Rows")));
    Dataset id = QueryModelOptions.identifier(QueryModelOptions.Level.SERIES, keys);

    assertEquals("SERIES", id.getString(Tag.QueryRetrieveLevel));
    Element name = id.get(Tag.PatientName);
    assertEquals(Vr.PN, name.vr());
    assertArrayEquals("Doe*".getBytes(StandardCharsets.US_ASCII), name.value());
    assertEquals("P1", id.getString(Tag.PatientID));
    assertEquals(0, id.get(Tag.StudyInstanceUID).length());
    assertEquals(Vr.UI, id.get(Tag.StudyInstanceUID).vr());
    assertEquals(List.of(), id.getSequence(Tag.ReferencedSeriesSequence));
    assertEquals(Vr.US, id.get(Tag.Rows).vr());
    assertEquals(0, id.get(Tag.Rows).length());
    assertTrue(!id.contains(Tag.SpecificCharacterSet), "ASCII only: no (0008,0005)");
    // Column order: defaults, then -k, then -r; a default named again by -k keeps its place
    assertEquals(List.of(Tag.PatientID, Tag.StudyInstanceUID, Tag.PatientName,
        Tag.ReferencedSeriesSequence, Tag.Rows), QueryModelOptions.columns(keys));
  }

  @Test
  void aMatchingKeyWinsOverAReturnKeyOfTheSameAttribute() {
    List<QueryKey> keys = QueryModelOptions.merge(List.of(),
        List.of(QueryKey.parseMatching("Modality=CT")), List.of(QueryKey.parseReturn("Modality")));
    assertEquals(1, keys.size());
    assertEquals("CT", keys.get(0).value());
  }

  @Test
  void nonAsciiValuesBringUtf8AsSpecificCharacterSet() {
    Dataset id = QueryModelOptions.identifier(QueryModelOptions.Level.STUDY,
        List.of(QueryKey.parseMatching("PatientName=Müller*")));
    assertEquals("ISO_IR 192", id.getString(Tag.SpecificCharacterSet));
    assertArrayEquals("Müller*".getBytes(StandardCharsets.UTF_8), id.get(Tag.PatientName).value());
    assertEquals("Müller*", id.getString(Tag.PatientName));
  }

  @Test
  void integerKeysAreEncodedAsBinary() {
    Dataset id = QueryModelOptions.identifier(QueryModelOptions.Level.IMAGE,
        List.of(QueryKey.parseMatching("Rows=512")));
    assertArrayEquals(new int[] {512}, id.getInts(Tag.Rows));
  }

  @Test
  void levelsHaveDefaultReturnKeysThatAllExist() {
    for (QueryModelOptions.Level level : QueryModelOptions.Level.values()) {
      for (String keyword : QueryModelOptions.defaultReturnKeys(level)) {
        assertTrue(QueryKey.of(keyword, "").isReturnKey(), keyword);
      }
    }
    assertTrue(QueryModelOptions.defaultReturnKeys(QueryModelOptions.Level.STUDY)
        .containsAll(List.of("PatientName", "PatientID", "StudyDate", "StudyDescription",
            "AccessionNumber", "ModalitiesInStudy", "NumberOfStudyRelatedInstances",
            "StudyInstanceUID")));
  }
}
