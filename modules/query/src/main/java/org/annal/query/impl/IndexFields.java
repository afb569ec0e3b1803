// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.annal.archive.impl.IndexedAttributes;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Vr;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;

/**
 * Internal API. How attributes become Lucene fields, in one place so that the writer and the
 * matcher agree. For an attribute with keyword {@code K}:
 * <ul>
 *   <li>{@code v.K}: the value as the event carried it, returned in C-FIND responses: a stored
 *       field of an INSTANCE document, an entry of the {@link RecordField} of a STUDY or SERIES
 *       document;
 *   <li>{@code K} indexed terms: one per value (multi-values split at {@code \}), leading and
 *       trailing spaces removed (PS3.4 C.2.2.2.1 treats them as insignificant); for PN the whole
 *       name and each component group, with trailing empty components dropped;
 *   <li>{@code K.ci}: the PN terms lower-cased, for case-insensitive person name matching;
 *   <li>{@code K.n}: DA as epoch day, TM as microseconds of the day, DT as epoch microseconds,
 *       for range matching (PS3.4 C.2.2.2.5);
 *   <li>{@code K.dt} on a {@code ...Date} keyword with a {@code ...Time} sibling: the combined date
 *       and time in epoch microseconds, for combined date-time range matching.
 * </ul>
 * Sequence items are flattened to keywords {@code Sequence>Keyword} (one level).
 */
public final class IndexFields {
  private IndexFields() {}

  /** Document type: {@code STUDY}, {@code SERIES} or {@code INSTANCE}. */
  public static final String TYPE = "t";
  /** Unique id of a document (type and UID), the update key. */
  public static final String ID = "id";
  /** Sort key (the level's UID) so that answers come in a stable order. */
  public static final String SORT = "sort";
  /** Latest event time of a study, epoch ms (doc values + stored). */
  public static final String AT = "at";
  /** Patient identity of a study: Issuer of Patient ID and Patient ID (terms + doc values). */
  public static final String PATIENT_KEY = "patient";
  /**
   * Prefix of the extras: an instance's placement and checksums (stored fields), a series' or
   * study's counts (in its {@link RecordField}).
   */
  public static final String EXTRA = "x.";
  public static final String STORED = "v.";
  /** Extra of a series: its number of instances. */
  public static final String INSTANCE_COUNT = "count";
  /** Extra of a study: {@code seriesUid=instanceCount} per series, backslash-separated. */
  public static final String SERIES_COUNTS = "seriesCounts";

  public static final String STUDY = "STUDY";
  public static final String SERIES = "SERIES";
  public static final String INSTANCE = "INSTANCE";

  public static final String STUDY_UID = "StudyInstanceUID";
  public static final String SERIES_UID = "SeriesInstanceUID";
  public static final String SOP_UID = "SOPInstanceUID";
  public static final String SOP_CLASS_UID = "SOPClassUID";
  public static final String MODALITIES_IN_STUDY = "ModalitiesInStudy";
  public static final String SOP_CLASSES_IN_STUDY = "SOPClassesInStudy";

  /**
   * Levels of the sequences C-FIND identifiers commonly carry (PS3.4 Tables C.6-1 .. C.6-4); their
   * items reach the index flattened, as {@code Sequence>Keyword} attributes.
   */
  private static final Map<String, IndexedAttributes.Level> SEQUENCE_LEVELS = Map.of(
      "ReferencedPatientSequence", IndexedAttributes.Level.PATIENT,
      "ProcedureCodeSequence", IndexedAttributes.Level.STUDY,
      "ReferencedStudySequence", IndexedAttributes.Level.STUDY,
      "RequestAttributesSequence", IndexedAttributes.Level.SERIES,
      "PerformedProtocolCodeSequence", IndexedAttributes.Level.SERIES);

  /** The VR of a keyword ({@code Sequence>Keyword}: of the inner keyword); UN if unknown. */
  public static Vr vrOf(String keyword) {
    int gt = keyword.lastIndexOf('>');
    int tag = ElementDictionary.tagOf(gt >= 0 ? keyword.substring(gt + 1) : keyword);
    return tag == -1 ? Vr.UN : ElementDictionary.vrOf(tag);
  }

  /**
   * The Q/R level a keyword belongs to (PS3.4 C.6.1.1): as {@link IndexedAttributes} lists it, the
   * UIDs at their own level, anything else at the instance level.
   */
  public static IndexedAttributes.Level levelOf(String keyword) {
    int gt = keyword.indexOf('>');
    if (gt >= 0) {
      return SEQUENCE_LEVELS.getOrDefault(keyword.substring(0, gt), IndexedAttributes.Level.INSTANCE);
    }
    IndexedAttributes.Level sequence = SEQUENCE_LEVELS.get(keyword);
    if (sequence != null) {
      return sequence;
    }
    switch (keyword) {
      case STUDY_UID, MODALITIES_IN_STUDY, SOP_CLASSES_IN_STUDY -> {
        return IndexedAttributes.Level.STUDY;
      }
      case SERIES_UID -> {
        return IndexedAttributes.Level.SERIES;
      }
      default -> {
        IndexedAttributes.Attribute a = IndexedAttributes.all().get(keyword);
        return a == null ? IndexedAttributes.Level.INSTANCE : a.level();
      }
    }
  }

  /** Splits a stored value into its values (not LT, ST, UT, which may contain a backslash). */
  public static List<String> values(Vr vr, String value) {
    if (vr == Vr.LT || vr == Vr.ST || vr == Vr.UT) {
      return List.of(value);
    }
    List<String> out = new ArrayList<>();
    for (String v : value.split("\\\\", -1)) {
      out.add(v);
    }
    return out;
  }

  /**
   * A person name reduced for matching: trailing spaces and empty trailing components ({@code ^})
   * and groups ({@code =}) removed, so that {@code Doe^John^^^} and {@code Doe^John} are equal.
   */
  public static String normalizePersonName(String name) {
    String[] groups = name.strip().split("=", -1);
    List<String> out = new ArrayList<>();
    for (String g : groups) {
      String s = g.strip();
      int end = s.length();
      while (end > 0 && (s.charAt(end - 1) == '^' || s.charAt(end - 1) == ' ')) {
        end--;
      }
      out.add(s.substring(0, end));
    }
    while (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return String.join("=", out);
  }

  /** The terms a person name is indexed under: the whole name and each non-empty group. */
  public static List<String> personNameTerms(String name) {
    String n = normalizePersonName(name);
    List<String> terms = new ArrayList<>();
    terms.add(n);
    if (n.indexOf('=') >= 0) {
      for (String g : n.split("=")) {
        if (!g.isEmpty() && !terms.contains(g)) {
          terms.add(g);
        }
      }
    }
    return terms;
  }

  public static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Adds the stored and indexed fields of all attributes to a document. */
  public static void addAttributes(Document doc, Map<String, String> attributes) {
    addAttributes(doc, attributes, true);
  }

  /**
   * Adds the indexed fields of all attributes to a document, and their stored fields if
   * {@code stored} (not for a document whose values are in its {@link RecordField}).
   */
  public static void addAttributes(Document doc, Map<String, String> attributes, boolean stored) {
    attributes.forEach((keyword, value) -> addAttribute(doc, keyword, value, stored));
    // Combined date-time (PS3.4 C.2.2.2.5.1): a Date whose sibling Time is absent counts as 00:00.
    attributes.forEach((keyword, value) -> {
      if (keyword.endsWith("Date") && vrOf(keyword) == Vr.DA) {
        Long day = DicomDateTime.date(value);
        if (day != null) {
          String time = attributes.get(keyword.substring(0, keyword.length() - 4) + "Time");
          DicomDateTime.Interval t = time == null ? null : DicomDateTime.time(time);
          long micros = day * DicomDateTime.MICROS_PER_DAY + (t == null ? 0 : t.lower());
          doc.add(new LongPoint(keyword + ".dt", micros));
        }
      }
    });
  }

  private static void addAttribute(Document doc, String keyword, String value, boolean stored) {
    if (value == null || value.isEmpty()) {
      return;
    }
    if (stored) {
      doc.add(new StoredField(STORED + keyword, value));
    }
    Vr vr = vrOf(keyword);
    for (String v : values(vr, value)) {
      String s = v.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (vr == Vr.PN) {
        for (String term : personNameTerms(s)) {
          doc.add(new StringField(keyword, term, Field.Store.NO));
          doc.add(new StringField(keyword + ".ci", fold(term), Field.Store.NO));
        }
        continue;
      }
      doc.add(new StringField(keyword, s, Field.Store.NO));
      Long n = switch (vr) {
        case DA -> DicomDateTime.date(s);
        case TM -> lowerOrNull(DicomDateTime.time(s));
        case DT -> lowerOrNull(DicomDateTime.dateTime(s));
        default -> null;
      };
      if (n != null) {
        doc.add(new LongPoint(keyword + ".n", n));
      }
    }
  }

  private static Long lowerOrNull(DicomDateTime.Interval i) {
    return i == null ? null : i.lower();
  }

  /** Adds the type, id and sort fields every document has. */
  public static void addIdentity(Document doc, String type, String uid) {
    doc.add(new StringField(TYPE, type, Field.Store.YES));
    doc.add(new StringField(ID, type + "|" + uid, Field.Store.NO));
    doc.add(new SortedDocValuesField(SORT, new BytesRef(uid)));
  }

  /** Adds the latest event time (stored and as doc values, to pick a patient's newest study). */
  public static void addAt(Document doc, long at) {
    doc.add(new NumericDocValuesField(AT, at));
    doc.add(new StoredField(AT, at));
  }

  /** Adds the patient identity key of a study document (indexed and as doc values). */
  public static void addPatientKey(Document doc, String key) {
    doc.add(new StringField(PATIENT_KEY, key, Field.Store.YES));
    doc.add(new SortedDocValuesField(PATIENT_KEY, new BytesRef(key)));
  }

  /**
   * The patient a study belongs to: Issuer of Patient ID and Patient ID; a study without Patient
   * ID is a patient of its own (it cannot be matched to any other).
   */
  public static String patientKey(Map<String, String> attributes, String studyUid) {
    String id = attributes.get("PatientID");
    if (id == null || id.isBlank()) {
      return "\u0001" + studyUid;
    }
    return attributes.getOrDefault("IssuerOfPatientID", "").strip() + "\u0000" + id.strip();
  }

  /** The stored attributes of a document, keyword → value, in field order. */
  public static Map<String, String> storedAttributes(Document doc) {
    Map<String, String> out = new LinkedHashMap<>();
    for (IndexableField f : doc.getFields()) {
      if (f.name().startsWith(STORED) && f.stringValue() != null) {
        out.put(f.name().substring(STORED.length()), f.stringValue());
      }
    }
    return out;
  }

  /** Encodes a study's instance count per series. */
  public static String encodeCounts(Map<String, Integer> counts) {
    StringBuilder sb = new StringBuilder();
    counts.forEach((uid, n) -> {
      if (sb.length() > 0) {
        sb.append('\\');
      }
      sb.append(uid).append('=').append(n);
    });
    return sb.toString();
  }

  /** Decodes {@link #encodeCounts}; empty for null. */
  public static Map<String, Integer> decodeCounts(String encoded) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) {
      return out;
    }
    for (String entry : encoded.split("\\\\")) {
      int eq = entry.lastIndexOf('=');
      out.put(entry.substring(0, eq), Integer.parseInt(entry.substring(eq + 1)));
    }
    return out;
  }

  /** The stored extras of a document (placement, checksums), name → value. */
  public static Map<String, String> storedExtras(Document doc) {
    Map<String, String> out = new LinkedHashMap<>();
    for (IndexableField f : doc.getFields()) {
      if (f.name().startsWith(EXTRA) && f.stringValue() != null) {
        out.put(f.name().substring(EXTRA.length()), f.stringValue());
      }
    }
    return out;
  }
}
