// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

/**
 * Internal API. The outcome of one STOW-RS part: an item of the Referenced SOP Sequence
 * (0008,1199) or of the Failed SOP Sequence (0008,1198) of the Store Instances Response Module
 * (PS3.18 Annex I).
 *
 * @param sopClassUid Referenced SOP Class UID (0008,1150), or null if the part did not say
 * @param sopInstanceUid Referenced SOP Instance UID (0008,1155), or null if the part did not say
 * @param studyInstanceUid the instance's study, or null if not known
 * @param seriesInstanceUid the instance's series, or null if not known
 * @param stored true for a Referenced SOP Sequence item
 * @param reason 0 when stored without warning; else the Warning Reason (0008,1196) of a stored
 *     instance or the Failure Reason (0008,1197) of one that was not
 * @param tooLarge the part exceeded the size limit
 */
public record PartResult(
    String sopClassUid,
    String sopInstanceUid,
    String studyInstanceUid,
    String seriesInstanceUid,
    boolean stored,
    int reason,
    boolean tooLarge) {

  public static PartResult failed(PartHead head, PartFailure failure) {
    return new PartResult(head == null ? null : head.sopClassUid(),
        head == null ? null : head.sopInstanceUid(),
        head == null ? null : head.studyInstanceUid(),
        head == null ? null : head.seriesInstanceUid(), false, failure.reason(),
        failure.tooLarge());
  }

  public boolean warning() {
    return stored && reason != 0;
  }
}
