// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.Test;

/** The table and the JSON of {@code annal find}. */
class FindOutputTest {
  private static final String LONG_UID = "1.2.826.0.1.3680043.8.498.12345678901234567890123456789";

  static Dataset study(String name, String id, String description, String uid) {
    Dataset d = new Dataset();
    d.putString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY");
    d.putString(Tag.PatientName, Vr.PN, name);
    d.putString(Tag.PatientID, Vr.LO, id);
    if (description != null) {
      d.putString(Tag.StudyDescription, Vr.LO, description);
    }
    d.putString(Tag.ModalitiesInStudy, Vr.CS, "CT\\MR");
    d.putString(Tag.StudyInstanceUID, Vr.UI, uid);
    return d;
  }

  static final List<Integer> COLUMNS = List.of(Tag.PatientName, Tag.PatientID,
      Tag.StudyDescription, Tag.ModalitiesInStudy, Tag.StudyInstanceUID);

  @Test
  void theTableHasAHeadingARuleAndOneAlignedRowPerMatch() {
    String table = FindOutput.table(List.of(
        study("Doe^John", "P1", "CT HEAD", "1.2.3"),
        study("Roe^Jane", "P22", null, "1.2.3.4")), COLUMNS);
    assertEquals("""
        PatientName  PatientID  StudyDescription  ModalitiesInStudy  StudyInstanceUID
        -----------  ---------  ----------------  -----------------  ----------------
        Doe^John     P1         CT HEAD           CT\\MR              1.2.3
        Roe^Jane     P22                          CT\\MR              1.2.3.4
        """, table);
    assertEquals("", FindOutput.table(List.of(), COLUMNS));
  }

  @Test
  void longValuesAreCutButUidsNeverAndControlCharactersAreDefused() {
    String description = "A very long study description that goes on and on and on";
    Dataset match = study("Evil\u001b[2J^Name", "P1", description, LONG_UID);
    String table = FindOutput.table(List.of(match), COLUMNS);
    String row = table.lines().toList().get(2);
    assertTrue(row.contains(description.substring(0, FindOutput.MAX_CELL - 3) + "..."), row);
    assertTrue(!row.contains(description), row);
    assertTrue(row.endsWith(LONG_UID), row);
    assertTrue(row.startsWith("Evil?[2J^Name"), row);
    assertTrue(table.chars().noneMatch(c -> c == 0x1b));
  }

  @Test
  void sequencesAndBinaryValuesGetAPlaceholder() {
    Dataset d = new Dataset();
    Dataset item = d.newItem();
    item.putString(Tag.SeriesInstanceUID, Vr.UI, "1.2");
    d.putSequence(Tag.ReferencedSeriesSequence, List.of(item));
    d.putBytes(Tag.PixelData, Vr.OB, new byte[] {1, 2, 3, 4});
    assertEquals("(1 item)", FindOutput.cell(d, Tag.ReferencedSeriesSequence));
    assertEquals("(4 bytes)", FindOutput.cell(d, Tag.PixelData));
    assertEquals("", FindOutput.cell(d, Tag.PatientName));
  }

  @Test
  void jsonIsAnArrayOfKeywordMapsWithTheAskedForKeysFirst() throws Exception {
    Dataset second = study("Roe^Jane", "P22", null, "1.2.3.4");
    Dataset item = second.newItem();
    item.putString(Tag.SeriesInstanceUID, Vr.UI, "1.2.3.4.5");
    second.putSequence(Tag.ReferencedSeriesSequence, List.of(item));
    second.putString(Tag.RetrieveAETitle, Vr.AE, "ANNAL");
    String json = FindOutput.json(List.of(study("Doe^\"John\"", "P1", "CT HEAD", "1.2.3"), second),
        COLUMNS);

    JsonNode array = new ObjectMapper().readTree(json);
    assertEquals(2, array.size());
    JsonNode first = array.get(0);
    assertEquals("Doe^\"John\"", first.get("PatientName").asText());
    assertEquals("CT\\MR", first.get("ModalitiesInStudy").asText());
    assertEquals(List.of("PatientName", "PatientID", "StudyDescription", "ModalitiesInStudy",
        "StudyInstanceUID"), iterable(first.fieldNames()));
    JsonNode other = array.get(1);
    assertTrue(other.get("StudyDescription").isNull(), "asked for, not returned: null");
    assertEquals("ANNAL", other.get("RetrieveAETitle").asText(), "returned unasked: kept");
    assertEquals("1.2.3.4.5",
        other.get("ReferencedSeriesSequence").get(0).get("SeriesInstanceUID").asText());
    assertTrue(!other.has("QueryRetrieveLevel"));
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> list = new java.util.ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
