// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * A PDU that cannot be decoded; {@link #reason} is the A-ABORT reason to answer with (PS3.8
 * Table 9-26). Internal API.
 */
public final class PduException extends Exception {
  private static final long serialVersionUID = 1L;

  public final int reason;

  public PduException(int reason, String message) {
    super(message);
    this.reason = reason;
  }

  static PduException invalid(String message) {
    return new PduException(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, message);
  }
}
