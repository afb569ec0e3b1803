// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import org.annal.archive.impl.IndexedAttributes;

/**
 * Query/Retrieve Level (0008,0052), PS3.4 C.6.1.1.1 and C.6.2.1.1: the level of the hierarchy a
 * C-FIND asks about. The names are the values sent on the wire.
 */
public enum QueryRetrieveLevel {
  PATIENT(IndexedAttributes.Level.PATIENT, "PatientID"),
  STUDY(IndexedAttributes.Level.STUDY, "StudyInstanceUID"),
  SERIES(IndexedAttributes.Level.SERIES, "SeriesInstanceUID"),
  IMAGE(IndexedAttributes.Level.INSTANCE, "SOPInstanceUID");

  private final IndexedAttributes.Level attributeLevel;
  private final String uniqueKey;

  QueryRetrieveLevel(IndexedAttributes.Level attributeLevel, String uniqueKey) {
    this.attributeLevel = attributeLevel;
    this.uniqueKey = uniqueKey;
  }

  /** The level of the archive's attribute table ({@code IndexedAttributes}) this level holds. */
  public IndexedAttributes.Level attributeLevel() {
    return attributeLevel;
  }

  /** Keyword of the level's Unique Key (PS3.4 C.6.1.1.2 .. C.6.1.1.5). */
  public String uniqueKey() {
    return uniqueKey;
  }

  /** The level named by a (0008,0052) value (trimmed), or null if there is none by that name. */
  public static QueryRetrieveLevel of(String value) {
    if (value == null) {
      return null;
    }
    for (QueryRetrieveLevel l : values()) {
      if (l.name().equals(value.strip())) {
        return l;
      }
    }
    return null;
  }
}
