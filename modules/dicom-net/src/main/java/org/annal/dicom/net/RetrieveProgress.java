// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.List;

/**
 * A C-MOVE-RSP or C-GET-RSP as the SCU sees it (PS3.7 §9.3.4.2, §9.3.3.2): status and Number of
 * Remaining/Completed/Failed/Warning Sub-operations (null when absent), and the Failed SOP Instance
 * UID List (0008,0058) of a final response.
 */
public record RetrieveProgress(DimseStatus status, Integer remaining, Integer completed,
    Integer failed, Integer warning, List<String> failedSopInstanceUids) {
  public RetrieveProgress {
    failedSopInstanceUids = List.copyOf(failedSopInstanceUids);
  }

  public boolean isPending() {
    return status.code() == Status.PENDING || status.code() == Status.PENDING_WARNING;
  }
}
