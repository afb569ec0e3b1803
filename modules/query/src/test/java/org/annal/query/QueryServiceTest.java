// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matching (PS3.4 C.2.2.2) against the generated archive of {@link TestStudies}: exact answers. */
class QueryServiceTest {
  @TempDir static Path dir;
  static QueryIndex index;
  static QueryService service;
  static final QueryOptions CI = new QueryOptions(false, true);
  static final QueryOptions CS = new QueryOptions(false, false);
  static final QueryOptions COMBINED = new QueryOptions(true, true);

  @BeforeAll
  static void load() {
    index = QueryIndex.open(dir.resolve("index"));
    index.apply(TestStudies.events());
    service = new QueryService(index, settings(1000));
  }

  @AfterAll
  static void close() {
    index.close();
  }

  static QuerySettings settings(int max) {
    return new QuerySettings(dir, max, true, 100, Duration.ofMillis(50), Duration.ofSeconds(1),
        QueryIndex.REFRESH_SPACING,
        "pekko.persistence.cassandra.query", Duration.ofMinutes(1));
  }

  /** An identifier from keyword/value pairs (VR from the dictionary). */
  static Dataset id(String... kv) {
    Dataset ds = new Dataset();
    ds.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
    for (int i = 0; i < kv.length; i += 2) {
      int tag = ElementDictionary.tagOf(kv[i]);
      if (tag == -1) {
        throw new IllegalArgumentException(kv[i]);
      }
      Vr vr = ElementDictionary.vrOf(tag);
      if (vr.isText()) {
        ds.putString(tag, vr, kv[i + 1]);
      } else {
        ds.put(Element.ofBytes(tag, vr, new byte[0]));
      }
    }
    return ds;
  }

  static List<String> values(FindResult r, String keyword) {
    int tag = ElementDictionary.tagOf(keyword);
    return r.matches().stream().map(d -> d.getString(tag)).toList();
  }

  static List<String> studies(QueryOptions o, String... kv) {
    Dataset q = id(kv);
    if (!q.contains(Tag.StudyInstanceUID)) {
      q.putString(Tag.StudyInstanceUID, Vr.UI, "");
    }
    return values(service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, q, 0, o),
        "StudyInstanceUID");
  }

  @Test
  void singleValueAndUniversal() {
    assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.6"), studies(CI, "PatientID", "PAT001"));
    assertEquals(List.of("1.2.3.6"),
        studies(CI, "PatientID", "PAT001", "IssuerOfPatientID", "HOSP-B"));
    assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.3", "1.2.3.4", "1.2.3.5", "1.2.3.6"),
        studies(CI, "PatientName", ""));
    assertEquals(6, studies(CI, "PatientName", "*").size());
    assertEquals(List.of(), studies(CI, "PatientID", "PAT00"));
    assertEquals(List.of("1.2.3.3"), studies(CI, "AccessionNumber", " ACC3 "));
  }

  @Test
  void studiesOfPatientAreAllOfThemWhateverTheCap() {
    // PAT001 has three studies (two issuers); a PATIENT-level retrieve sends all of them.
    assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.6"), service.studiesOfPatient("PAT001"));
    assertEquals(List.of(), service.studiesOfPatient("NOBODY"));
    QueryService capped = new QueryService(index, settings(1));
    assertEquals(3, capped.studiesOfPatient("PAT001").size(), "not cut at max-results");
  }

  @Test
  void uidList() {
    assertEquals(List.of("1.2.3.1", "1.2.3.3"),
        studies(CI, "StudyInstanceUID", "1.2.3.3\\1.2.3.1\\9.9"));
  }

  @Test
  void personNamesWildcardsAndCase() {
    assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.5"), studies(CI, "PatientName", "doe*"));
    assertEquals(List.of("1.2.3.1", "1.2.3.2"), studies(CS, "PatientName", "Doe*"));
    assertEquals(List.of("1.2.3.5"), studies(CS, "PatientName", "DOE^JANE"));
    assertEquals(List.of("1.2.3.1", "1.2.3.2"), studies(CI, "PatientName", "Doe^John^^^"));
    assertEquals(List.of("1.2.3.3"), studies(CI, "PatientName", "M?ller^J*"));
    assertEquals(List.of("1.2.3.3"), studies(CI, "PatientName", "müller^jürgen"));
  }

  @Test
  void personNameGroupsAndCharacterSets() {
    Dataset q = new Dataset();
    q.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 192");
    q.putString(Tag.PatientName, Vr.PN, "山田^太郎");
    q.putString(Tag.StudyDescription, Vr.LO, "");
    FindResult r = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, q, 0, CI);
    assertEquals(List.of("Yamada^Tarou=山田^太郎=やまだ^たろう"), values(r, "PatientName"));
    assertEquals(List.of("胸部CT"), values(r, "StudyDescription"));
    assertEquals("ISO_IR 192", r.matches().get(0).getString(Tag.SpecificCharacterSet));
    assertEquals(List.of("1.2.3.4"), studies(CI, "PatientName", "*太郎*"));
    assertEquals(List.of("1.2.3.4"), studies(CI, "PatientName", "yamada^tarou"));

    Dataset latin = new Dataset();
    latin.putString(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100");
    latin.putString(Tag.PatientName, Vr.PN, "Müller*");
    FindResult m = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, latin, 0, CI);
    assertEquals(List.of("Müller^Jürgen"), values(m, "PatientName"));
    assertEquals("ISO_IR 100", m.matches().get(0).getString(Tag.SpecificCharacterSet));

    FindResult ascii = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT,
        id("PatientID", "PAT004", "PatientName", ""), 0, CI);
    assertNull(ascii.matches().get(0).getString(Tag.SpecificCharacterSet));
  }

  @Test
  void dateAndTimeRanges() {
    assertEquals(List.of("1.2.3.1", "1.2.3.4"), studies(CI, "StudyDate", "20240101-20240131"));
    assertEquals(List.of("1.2.3.3", "1.2.3.6"), studies(CI, "StudyDate", "-20231231"));
    assertEquals(List.of("1.2.3.2", "1.2.3.5"), studies(CI, "StudyDate", "20240201-"));
    assertEquals(List.of("1.2.3.1", "1.2.3.4"), studies(CI, "StudyDate", "20240105"));
    // "1200" as an upper bound includes 12:00:59.999999; 10:15:00.5 is inside
    assertEquals(List.of("1.2.3.1", "1.2.3.4", "1.2.3.6"), studies(CI, "StudyTime", "0800-1200"));
    assertEquals(List.of("1.2.3.3"), studies(CI, "StudyTime", "2359-"));
    assertEquals(List.of("1.2.3.4", "1.2.3.6"), studies(CI, "StudyTime", "10-12"));
  }

  @Test
  void combinedDateTime() {
    // Independent: date in range AND time in 08:00-10:00 -> only S1 (S5 has no time).
    assertEquals(List.of("1.2.3.1"),
        studies(CI, "StudyDate", "20240105-20240310", "StudyTime", "0800-1000"));
    // Combined: from 2024-01-05 08:00 to 2024-03-10 10:00:59 (S5 without time counts as 00:00).
    assertEquals(List.of("1.2.3.1", "1.2.3.4", "1.2.3.5"),
        studies(COMBINED, "StudyDate", "20240105-20240310", "StudyTime", "0800-1000"));
    assertEquals(List.of("1.2.3.3", "1.2.3.6"),
        studies(COMBINED, "StudyDate", "-20231231", "StudyTime", "-2359"));
  }

  @Test
  void invalidRangeIsRefused() {
    QueryException e = assertThrows(QueryException.class,
        () -> studies(CI, "StudyDate", "2024-01-05"));
    assertEquals(QueryException.Reason.UNABLE_TO_PROCESS, e.reason());
    assertEquals(Tag.StudyDate, e.tag());
  }

  @Test
  void modalitiesInStudyAndCounts() {
    assertEquals(List.of("1.2.3.2", "1.2.3.4"), studies(CI, "ModalitiesInStudy", "MR"));
    assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.3", "1.2.3.4"),
        studies(CI, "ModalitiesInStudy", "CT\\MR"));
    assertEquals(List.of("1.2.3.1", "1.2.3.4"),
        studies(CI, "StudyDate", "20240101-", "ModalitiesInStudy", "CT"));
    Dataset q = id("StudyInstanceUID", "1.2.3.1", "ModalitiesInStudy", "",
        "NumberOfStudyRelatedSeries", "", "NumberOfStudyRelatedInstances", "",
        "ManufacturerModelName", "");
    FindResult r = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, q, 0, CI);
    Dataset d = r.matches().get(0);
    assertEquals("CT\\SR", d.getString(Tag.ModalitiesInStudy));
    assertEquals("2", d.getString(Tag.NumberOfStudyRelatedSeries));
    assertEquals("4", d.getString(Tag.NumberOfStudyRelatedInstances));
    assertEquals("STUDY", d.getString(Tag.QueryRetrieveLevel));
    // unknown return key: present, zero length (PS3.4 C.2.2.1.2)
    assertTrue(d.contains(Tag.ManufacturerModelName));
    assertEquals("", d.getString(Tag.ManufacturerModelName));
  }

  @Test
  void patientLevel() {
    Dataset q = id("PatientName", "", "PatientID", "", "IssuerOfPatientID", "",
        "NumberOfPatientRelatedStudies", "", "NumberOfPatientRelatedSeries", "",
        "NumberOfPatientRelatedInstances", "");
    FindResult r = service.find(QueryRetrieveLevel.PATIENT, InformationModel.PATIENT_ROOT, q, 0, CI);
    assertEquals(List.of("PAT001", "PAT002", "PAT003", "PAT004", "PAT001"), values(r, "PatientID"));
    assertEquals(List.of("", "", "", "HOSP-A", "HOSP-B"), values(r, "IssuerOfPatientID"));
    assertEquals(List.of("2", "1", "1", "1", "1"), values(r, "NumberOfPatientRelatedStudies"));
    assertEquals(List.of("3", "1", "2", "1", "1"), values(r, "NumberOfPatientRelatedSeries"));
    assertEquals(List.of("6", "2", "2", "1", "1"), values(r, "NumberOfPatientRelatedInstances"));
    // study-level keys do not restrict a PATIENT query (hierarchical)
    FindResult doe = service.find(QueryRetrieveLevel.PATIENT, InformationModel.PATIENT_ROOT,
        id("PatientName", "doe*", "StudyDate", "19000101"), 0, CI);
    assertEquals(List.of("Doe^John", "DOE^JANE"), values(doe, "PatientName"));
  }

  @Test
  void hierarchicalKeysAreRequired() {
    QueryException e = assertThrows(QueryException.class, () -> service.find(
        QueryRetrieveLevel.STUDY, InformationModel.PATIENT_ROOT, id("StudyDate", ""), 0, CI));
    assertEquals(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, e.reason());
    assertEquals(Tag.PatientID, e.tag());
    assertThrows(QueryException.class, () -> service.find(QueryRetrieveLevel.PATIENT,
        InformationModel.STUDY_ROOT, id("PatientID", ""), 0, CI));
    assertThrows(QueryException.class, () -> service.find(QueryRetrieveLevel.SERIES,
        InformationModel.STUDY_ROOT, id("StudyInstanceUID", "1.2.3.1\\1.2.3.2"), 0, CI));
    assertThrows(QueryException.class, () -> service.find(QueryRetrieveLevel.IMAGE,
        InformationModel.STUDY_ROOT, id("StudyInstanceUID", "1.2.3.1"), 0, CI));
    // Patient Root STUDY level: the PatientID restricts
    FindResult r = service.find(QueryRetrieveLevel.STUDY, InformationModel.PATIENT_ROOT,
        id("PatientID", "PAT002", "StudyInstanceUID", ""), 0, CI);
    assertEquals(List.of("1.2.3.3"), values(r, "StudyInstanceUID"));
  }

  @Test
  void relationalSearchLeavesHigherUniqueKeysOut() {
    QueryOptions relational = CI.withRelational(true);
    // every CT series of every study, then only those of one study (the given UID restricts)
    FindResult ct = service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
        id("SeriesInstanceUID", "", "Modality", "CT"), 0, relational);
    FindResult ctHierarchical = service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "", "Modality", "CT"), 0, CI);
    assertTrue(values(ct, "SeriesInstanceUID").containsAll(values(ctHierarchical, "SeriesInstanceUID")));
    assertTrue(values(ct, "SeriesInstanceUID").size() > values(ctHierarchical, "SeriesInstanceUID").size(),
        "CT series of other studies too: " + values(ct, "SeriesInstanceUID"));
    assertEquals(List.of("CT"), values(ct, "Modality").stream().distinct().toList());
    assertEquals(values(ctHierarchical, "SeriesInstanceUID"), values(service.find(
        QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "", "Modality", "CT"), 0, relational),
        "SeriesInstanceUID"));
    // instances of one series without its study
    FindResult images = service.find(QueryRetrieveLevel.IMAGE, InformationModel.STUDY_ROOT,
        id("SeriesInstanceUID", "1.2.3.1.1", "SOPInstanceUID", ""), 0, relational);
    assertEquals(List.of("1.2.3.1.1.1", "1.2.3.1.1.2", "1.2.3.1.1.3"),
        values(images, "SOPInstanceUID"));
    assertEquals(List.of("1.2.3.1", "1.2.3.1", "1.2.3.1"), values(images, "StudyInstanceUID"));
  }

  @Test
  void seriesAndImageLevels() {
    FindResult series = service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "", "Modality", "",
            "NumberOfSeriesRelatedInstances", "", "BodyPartExamined", ""), 0, CI);
    assertEquals(List.of("1.2.3.1.1", "1.2.3.1.2"), values(series, "SeriesInstanceUID"));
    assertEquals(List.of("CT", "SR"), values(series, "Modality"));
    assertEquals(List.of("3", "1"), values(series, "NumberOfSeriesRelatedInstances"));
    assertEquals(List.of("CHEST", ""), values(series, "BodyPartExamined"));
    FindResult mr = service.find(QueryRetrieveLevel.SERIES, InformationModel.PATIENT_ROOT,
        id("PatientID", "PAT003", "StudyInstanceUID", "1.2.3.4", "Modality", "MR"), 0, CI);
    assertEquals(List.of("1.2.3.4.2"), values(mr, "SeriesInstanceUID"));
    // wrong patient for the study: nothing
    FindResult none = service.find(QueryRetrieveLevel.SERIES, InformationModel.PATIENT_ROOT,
        id("PatientID", "PAT001", "StudyInstanceUID", "1.2.3.4"), 0, CI);
    assertEquals(0, none.matches().size());

    FindResult images = service.find(QueryRetrieveLevel.IMAGE, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "1.2.3.1.1", "SOPInstanceUID", "",
            "InstanceNumber", "", "SOPClassUID", "", "Rows", ""), 0, CI);
    assertEquals(List.of("1.2.3.1.1.1", "1.2.3.1.1.2", "1.2.3.1.1.3"),
        values(images, "SOPInstanceUID"));
    assertEquals(List.of("1", "2", "3"), values(images, "InstanceNumber"));
    assertEquals(List.of("512", "512", "512"), values(images, "Rows"));
    FindResult one = service.find(QueryRetrieveLevel.IMAGE, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "1.2.3.1.1", "InstanceNumber", "2"),
        0, CI);
    assertEquals(List.of("1.2.3.1.1.2"), values(one, "SOPInstanceUID"));
  }

  @Test
  void sequenceMatchingOnOneItem() {
    Dataset q = id("StudyInstanceUID", "1.2.3.1", "SeriesInstanceUID", "");
    Dataset item = q.newItem();
    item.putString(Tag.RequestedProcedureID, Vr.SH, "RP1");
    item.putString(Tag.ScheduledProcedureStepID, Vr.SH, "");
    q.putSequence(Tag.RequestAttributesSequence, List.of(item));
    FindResult r = service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT, q, 0, CI);
    assertEquals(List.of("1.2.3.1.1"), values(r, "SeriesInstanceUID"));
    Dataset returned = r.matches().get(0).getSequence(Tag.RequestAttributesSequence).get(0);
    assertEquals("RP1", returned.getString(Tag.RequestedProcedureID));
    assertEquals("SPS1", returned.getString(Tag.ScheduledProcedureStepID));

    item.putString(Tag.RequestedProcedureID, Vr.SH, "RP9");
    q.putSequence(Tag.RequestAttributesSequence, List.of(item));
    assertEquals(0,
        service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT, q, 0, CI).matches().size());
  }

  @Test
  void resultCapIsSignalled() {
    QueryService capped = new QueryService(index, settings(2));
    FindResult r = capped.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", ""), 0);
    assertEquals(List.of("1.2.3.1", "1.2.3.2"), values(r, "StudyInstanceUID"));
    assertTrue(r.capped());
    assertEquals(2, r.cap());
    FindResult limited = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT,
        id("StudyInstanceUID", ""), 6);
    assertEquals(6, limited.matches().size());
    assertFalse(limited.capped());
    FindResult patients = capped.find(QueryRetrieveLevel.PATIENT, InformationModel.PATIENT_ROOT,
        id("PatientID", ""), 0);
    assertEquals(List.of("PAT001", "PAT002"), values(patients, "PatientID"));
    assertTrue(patients.capped());
  }

  @Test
  void answersComeInUidOrderWhateverTheOrderTheyWereWritten(@TempDir Path other) {
    // Written in another order than the UIDs', one segment each, and one rewritten last: the
    // answer is in UID (string) order, capped or not, at every level.
    try (QueryIndex unordered = QueryIndex.open(other.resolve("index"))) {
      long at = 1_000;
      for (String series : List.of("9.9.5.1", "9.9.1.1", "9.9.10.1", "9.9.3.7", "9.9.3.1",
          "9.9.1.1", "9.9.3.2")) {
        String study = series.substring(0, series.lastIndexOf('.'));
        String sop = series + ".1." + at;
        unordered.apply(List.of(TestStudies.stored(study, series, sop, TestStudies.CT,
            java.util.Map.of("PatientID", "ORDER", "StudyInstanceUID", study,
                "SeriesInstanceUID", series, "SOPInstanceUID", sop, "Modality", "CT"),
            at++)));
      }
      assertTrue(unordered.withSearcher(s -> s.getIndexReader().leaves().size()) > 1);
      Dataset all = id("PatientID", "ORDER", "StudyInstanceUID", "",
          "NumberOfStudyRelatedInstances", "");
      QueryService uncapped = new QueryService(unordered, settings(1000));
      FindResult r = uncapped.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT, all, 0);
      assertEquals(List.of("9.9.1", "9.9.10", "9.9.3", "9.9.5"), values(r, "StudyInstanceUID"));
      assertEquals(List.of("2", "1", "3", "1"), values(r, "NumberOfStudyRelatedInstances"));
      assertFalse(r.capped());
      FindResult two = new QueryService(unordered, settings(2)).find(QueryRetrieveLevel.STUDY,
          InformationModel.STUDY_ROOT, all, 0);
      assertEquals(List.of("9.9.1", "9.9.10"), values(two, "StudyInstanceUID"));
      assertTrue(two.capped());
      FindResult series = uncapped.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
          id("StudyInstanceUID", "9.9.3", "SeriesInstanceUID", ""), 0);
      assertEquals(List.of("9.9.3.1", "9.9.3.2", "9.9.3.7"), values(series, "SeriesInstanceUID"));
      List<String> sops = uncapped.instances("9.9.3", null, null).stream()
          .map(IndexedInstance::sopInstanceUid).toList();
      assertEquals(List.of("9.9.3.1.1.1004", "9.9.3.2.1.1006", "9.9.3.7.1.1003"), sops);
      assertEquals(List.of("9.9.1", "9.9.10", "9.9.3", "9.9.5"),
          uncapped.studiesOfPatient("ORDER"));
    }
  }

  @Test
  void instancesForRetrieve() {
    List<IndexedInstance> all = service.instances("1.2.3.1", null, null);
    assertEquals(4, all.size());
    assertEquals("blob-1.2.3.1.1.1", all.get(0).blobKey());
    assertEquals(TestStudies.CT, all.get(0).sopClassUid());
    assertEquals(List.of("1.2.3.1.2.1"),
        service.instances("1.2.3.1", "1.2.3.1.2", null).stream()
            .map(IndexedInstance::sopInstanceUid).toList());
    assertEquals(1, service.instances("1.2.3.1", null, List.of("1.2.3.1.1.3")).size());
  }
}
