// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annal.archive.Placement;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Sender;
import org.annal.archive.Study;

/**
 * A generated archive for the tests: five patients (one ID under two issuers, names with Latin-1,
 * Japanese ideographic/phonetic groups and varied case), six studies with varied dates, times and
 * modalities, twelve instances. The expected answers in the tests are written against this list.
 */
final class TestStudies {
  private TestStudies() {}

  static final String CT = "1.2.840.10008.5.1.4.1.1.2";
  static final String MR = "1.2.840.10008.5.1.4.1.1.4";
  static final String SR = "1.2.840.10008.5.1.4.1.1.88.11";

  /** All InstanceStored events, in journal order per study, studies one after the other. */
  static List<Study.Event> events() {
    List<Study.Event> out = new ArrayList<>();
    long at = 1_764_460_000_000L;
    // S1: Doe^John, PAT001, two series (CT x3, SR x1); one series carries a request sequence.
    Map<String, String> p1 = patient("Doe^John", "PAT001", null, "19700101", "M");
    Map<String, String> s1 = study(p1, "20240105", "083000", "ACC1", "House^Gregory", "CT Chest");
    for (int i = 1; i <= 3; i++) {
      Map<String, String> a = series(s1, "CT", "1", "CHEST");
      a.put("RequestAttributesSequence>RequestedProcedureID", "RP1");
      a.put("RequestAttributesSequence>ScheduledProcedureStepID", "SPS1");
      out.add(stored("1.2.3.1", "1.2.3.1.1", "1.2.3.1.1." + i, CT, instance(a, i), at += 1000));
    }
    out.add(stored("1.2.3.1", "1.2.3.1.2", "1.2.3.1.2.1", SR,
        instance(series(s1, "SR", "2", null), 1), at += 1000));
    // S2: Doe^John again, MR x2.
    Map<String, String> s2 = study(p1, "20240310", "143000", "ACC2", "Wilson^James", "MR Brain");
    for (int i = 1; i <= 2; i++) {
      out.add(stored("1.2.3.2", "1.2.3.2.1", "1.2.3.2.1." + i, MR,
          instance(series(s2, "MR", "1", "HEAD"), i), at += 1000));
    }
    // S3: Müller^Jürgen (Latin-1), CT x2, New Year's Eve just before midnight.
    Map<String, String> p2 = patient("Müller^Jürgen", "PAT002", null, "19851224", "M");
    p2.put("SpecificCharacterSet", "ISO_IR 100");
    Map<String, String> s3 = study(p2, "20231231", "235959", "ACC3", "", "CT Abdomen");
    for (int i = 1; i <= 2; i++) {
      out.add(stored("1.2.3.3", "1.2.3.3.1", "1.2.3.3.1." + i, CT,
          instance(series(s3, "CT", "1", "ABDOMEN"), i), at += 1000));
    }
    // S4: Yamada^Tarou=山田^太郎=やまだ^たろう, CT + MR on the same day as S1.
    Map<String, String> p3 = patient("Yamada^Tarou=山田^太郎=やまだ^たろう", "PAT003", null, "19600401", "M");
    p3.put("SpecificCharacterSet", "ISO_IR 192");
    Map<String, String> s4 = study(p3, "20240105", "120000", "ACC4", "", "胸部CT");
    out.add(stored("1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1", CT,
        instance(series(s4, "CT", "1", "CHEST"), 1), at += 1000));
    out.add(stored("1.2.3.4", "1.2.3.4.2", "1.2.3.4.2.1", MR,
        instance(series(s4, "MR", "2", "CHEST"), 1), at += 1000));
    // S5: DOE^JANE (upper case), issuer HOSP-A, US, no study time.
    Map<String, String> p4 = patient("DOE^JANE", "PAT004", "HOSP-A", "19901010", "F");
    Map<String, String> s5 = study(p4, "20240201", null, "ACC5", "", "US Abdomen");
    out.add(stored("1.2.3.5", "1.2.3.5.1", "1.2.3.5.1.1", "1.2.840.10008.5.1.4.1.1.6.1",
        instance(series(s5, "US", "1", null), 1), at += 1000));
    // S6: Smith^Anna, same Patient ID as Doe^John under another issuer, XA, fractional time.
    Map<String, String> p5 = patient("Smith^Anna", "PAT001", "HOSP-B", "19550505", "F");
    Map<String, String> s6 = study(p5, "20220615", "101500.5", "ACC6", "", "Angio");
    out.add(stored("1.2.3.6", "1.2.3.6.1", "1.2.3.6.1.1", "1.2.840.10008.5.1.4.1.1.12.1",
        instance(series(s6, "XA", "1", null), 1), at += 1000));
    return out;
  }

  private static Map<String, String> patient(String name, String id, String issuer, String birth,
      String sex) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("PatientName", name);
    m.put("PatientID", id);
    if (issuer != null) {
      m.put("IssuerOfPatientID", issuer);
    }
    m.put("PatientBirthDate", birth);
    m.put("PatientSex", sex);
    return m;
  }

  private static Map<String, String> study(Map<String, String> patient, String date, String time,
      String accession, String referring, String description) {
    Map<String, String> m = new LinkedHashMap<>(patient);
    m.put("StudyDate", date);
    if (time != null) {
      m.put("StudyTime", time);
    }
    m.put("AccessionNumber", accession);
    if (!referring.isEmpty()) {
      m.put("ReferringPhysicianName", referring);
    }
    m.put("StudyDescription", description);
    m.put("StudyID", accession.replace("ACC", "S"));
    return m;
  }

  private static Map<String, String> series(Map<String, String> study, String modality,
      String number, String bodyPart) {
    Map<String, String> m = new LinkedHashMap<>(study);
    m.put("Modality", modality);
    m.put("SeriesNumber", number);
    m.put("SeriesDate", study.get("StudyDate"));
    if (bodyPart != null) {
      m.put("BodyPartExamined", bodyPart);
    }
    return m;
  }

  private static Map<String, String> instance(Map<String, String> series, int number) {
    Map<String, String> m = new LinkedHashMap<>(series);
    m.put("InstanceNumber", Integer.toString(number));
    m.put("Rows", "512");
    m.put("Columns", "512");
    return m;
  }

  static Study.InstanceStored stored(String study, String series, String sop, String sopClass,
      Map<String, String> attributes, long at) {
    ReceivedInstance in = new ReceivedInstance(study, series, sop, sopClass,
        "1.2.840.10008.1.2.1", 1000, "sha-" + sop, "dsha-" + sop,
        new Placement("node-1", "site-1", "online", "blob-" + sop),
        new Sender("MODALITY", "ANNAL", "127.0.0.1:1234", "assoc-1", null), at - 10, attributes);
    return new Study.InstanceStored(in, "", "node-1", "site-1", at);
  }
}
