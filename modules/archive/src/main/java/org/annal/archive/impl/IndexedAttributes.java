// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Internal API. The attributes copied from each received data set into its {@code InstanceStored}
 * event for the query index, with the Query/Retrieve level they belong to (PS3.4 C.6.1.1 and
 * Table C.6-1..C.6-4). Keywords and tags as PS3.6 §6 lists them. Adding a keyword later is
 * compatible (maps are open); old events simply lack it.
 */
public final class IndexedAttributes {
  private IndexedAttributes() {}

  /** Query/Retrieve level (PS3.4 C.6.1.1.1). */
  public enum Level { PATIENT, STUDY, SERIES, INSTANCE }

  /** A keyword, its tag and level. */
  public record Attribute(String keyword, int tag, Level level) {}

  // UIDs are not listed: they are fields of ReceivedInstance itself.
  private static final Map<String, Attribute> BY_KEYWORD = build(
      a("PatientName", 0x00100010, Level.PATIENT),
      a("PatientID", 0x00100020, Level.PATIENT),
      a("IssuerOfPatientID", 0x00100021, Level.PATIENT),
      a("PatientBirthDate", 0x00100030, Level.PATIENT),
      a("PatientSex", 0x00100040, Level.PATIENT),
      a("StudyDate", 0x00080020, Level.STUDY),
      a("StudyTime", 0x00080030, Level.STUDY),
      a("AccessionNumber", 0x00080050, Level.STUDY),
      a("ReferringPhysicianName", 0x00080090, Level.STUDY),
      a("StudyDescription", 0x00081030, Level.STUDY),
      a("StudyID", 0x00200010, Level.STUDY),
      a("Modality", 0x00080060, Level.SERIES),
      a("SeriesDate", 0x00080021, Level.SERIES),
      a("SeriesTime", 0x00080031, Level.SERIES),
      a("InstitutionName", 0x00080080, Level.SERIES),
      a("StationName", 0x00081010, Level.SERIES),
      a("SeriesDescription", 0x0008103E, Level.SERIES),
      a("BodyPartExamined", 0x00180015, Level.SERIES),
      a("SeriesNumber", 0x00200011, Level.SERIES),
      a("Laterality", 0x00200060, Level.SERIES),
      a("SpecificCharacterSet", 0x00080005, Level.INSTANCE),
      a("ImageType", 0x00080008, Level.INSTANCE),
      a("ContentDate", 0x00080023, Level.INSTANCE),
      a("ContentTime", 0x00080033, Level.INSTANCE),
      a("InstanceNumber", 0x00200013, Level.INSTANCE),
      a("PhotometricInterpretation", 0x00280004, Level.INSTANCE),
      a("NumberOfFrames", 0x00280008, Level.INSTANCE),
      a("Rows", 0x00280010, Level.INSTANCE),
      a("Columns", 0x00280011, Level.INSTANCE),
      a("BitsAllocated", 0x00280100, Level.INSTANCE));

  // Tags the C-STORE handler reads and validates.
  public static final int SOP_CLASS_UID = 0x00080016;
  public static final int SOP_INSTANCE_UID = 0x00080018;
  public static final int STUDY_INSTANCE_UID = 0x0020000D;
  public static final int SERIES_INSTANCE_UID = 0x0020000E;

  public static Map<String, Attribute> all() {
    return BY_KEYWORD;
  }

  /** The entries of {@code attributes} whose keyword belongs to {@code level}. */
  public static Map<String, String> select(Map<String, String> attributes, Level level) {
    Map<String, String> out = new HashMap<>();
    attributes.forEach((k, v) -> {
      Attribute a = BY_KEYWORD.get(k);
      if (a != null && a.level() == level) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static Attribute a(String keyword, int tag, Level level) {
    return new Attribute(keyword, tag, level);
  }

  private static Map<String, Attribute> build(Attribute... attributes) {
    Map<String, Attribute> m = new LinkedHashMap<>();
    for (Attribute a : attributes) {
      m.put(a.keyword(), a);
    }
    return Collections.unmodifiableMap(m);
  }
}
