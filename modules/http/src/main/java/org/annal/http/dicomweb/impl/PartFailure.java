// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

/**
 * Internal API. Why one STOW-RS body part was not stored, as a Failure Reason (0008,1197) code of
 * PS3.18 §I.2.2 (Table I.2-2) and a message for the log. Thrown inside the part's stream; carries
 * no stack trace, it is an answer, not a bug.
 */
public final class PartFailure extends RuntimeException {
  /** Table I.2-2 A7xx: Refused out of Resources (here: the part exceeds the size limit). */
  public static final int REFUSED_OUT_OF_RESOURCES = 0xA700;
  /** Table I.2-2 A9xx: Error: Data Set does not match SOP Class. */
  public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
  /**
   * Implementation specific (Table I.2-2 allows additional codes; listed in the conformance
   * statement), in the A9xx family: the instance belongs to another study than the one the request
   * was posted to (POST /studies/{StudyInstanceUID}, PS3.18 §10.5.1).
   */
  public static final int STUDY_INSTANCE_UID_MISMATCH = 0xA901;
  /** Table I.2-2 Cxxx: Error: Cannot understand (here: not a PS3.10 file). */
  public static final int CANNOT_UNDERSTAND = 0xC000;
  /** Table I.2-2 0110: Processing failure. */
  public static final int PROCESSING_FAILURE = 0x0110;

  private final int reason;
  private final boolean tooLarge;

  public PartFailure(int reason, String message) {
    this(reason, message, false);
  }

  private PartFailure(int reason, String message, boolean tooLarge) {
    super(message, null, false, false);
    this.reason = reason;
    this.tooLarge = tooLarge;
  }

  /** The part exceeded the size limit (the request may then be answered 413). */
  public boolean tooLarge() {
    return tooLarge;
  }

  /** The Failure Reason (0008,1197). */
  public int reason() {
    return reason;
  }

  static PartFailure notPart10(String why) {
    return new PartFailure(CANNOT_UNDERSTAND, "not a PS3.10 file: " + why);
  }

  static PartFailure tooLarge(long maxPartBytes) {
    return new PartFailure(REFUSED_OUT_OF_RESOURCES,
        "the part is larger than the limit of " + maxPartBytes + " bytes", true);
  }
}
