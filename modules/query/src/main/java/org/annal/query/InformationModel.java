// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.util.List;

/**
 * Query/Retrieve Information Model (PS3.4 C.6.1 Patient Root, C.6.2 Study Root): which levels exist
 * and which Unique Keys of higher levels a query at a level must carry (hierarchical search,
 * PS3.4 C.4.1.2.1: each higher level's Unique Key with a single value).
 */
public enum InformationModel {
  PATIENT_ROOT(List.of(QueryRetrieveLevel.PATIENT, QueryRetrieveLevel.STUDY,
      QueryRetrieveLevel.SERIES, QueryRetrieveLevel.IMAGE)),
  STUDY_ROOT(List.of(QueryRetrieveLevel.STUDY, QueryRetrieveLevel.SERIES,
      QueryRetrieveLevel.IMAGE));

  private final List<QueryRetrieveLevel> levels;

  InformationModel(List<QueryRetrieveLevel> levels) {
    this.levels = levels;
  }

  /** The levels of this model, top first. */
  public List<QueryRetrieveLevel> levels() {
    return levels;
  }

  /** The levels above {@code level} in this model, top first. */
  public List<QueryRetrieveLevel> levelsAbove(QueryRetrieveLevel level) {
    int i = levels.indexOf(level);
    return i < 0 ? List.of() : levels.subList(0, i);
  }
}
