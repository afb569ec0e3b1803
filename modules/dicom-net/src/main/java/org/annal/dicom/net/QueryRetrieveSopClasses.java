// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.Set;

/** The Query/Retrieve Information Model SOP classes Annal serves (PS3.4 C.6.1.3, C.6.2.3). */
public final class QueryRetrieveSopClasses {
  private QueryRetrieveSopClasses() {}

  public static final String PATIENT_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.1.1";
  public static final String PATIENT_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.1.2";
  public static final String PATIENT_ROOT_GET = "1.2.840.10008.5.1.4.1.2.1.3";
  public static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
  public static final String STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2";
  public static final String STUDY_ROOT_GET = "1.2.840.10008.5.1.4.1.2.2.3";

  public static final Set<String> FIND = Set.of(PATIENT_ROOT_FIND, STUDY_ROOT_FIND);
  public static final Set<String> MOVE = Set.of(PATIENT_ROOT_MOVE, STUDY_ROOT_MOVE);
  public static final Set<String> GET = Set.of(PATIENT_ROOT_GET, STUDY_ROOT_GET);
}
