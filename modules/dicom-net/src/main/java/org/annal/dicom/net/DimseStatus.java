// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * A DIMSE response status (PS3.7 Annex C) with an optional Error Comment (0000,0902), at most 64
 * characters on the wire.
 */
public record DimseStatus(int code, String errorComment) {

  public static final DimseStatus SUCCESS = new DimseStatus(Status.SUCCESS, null);

  public static DimseStatus of(int code, String errorComment) {
    return new DimseStatus(code, errorComment);
  }

  public boolean isSuccess() {
    return code == Status.SUCCESS;
  }

  /** PS3.7 C.1.2: warnings are 0001, Bxxx and 0107/0116. */
  public boolean isWarning() {
    return code == 0x0001 || (code & 0xF000) == 0xB000 || code == 0x0107 || code == 0x0116;
  }

  public boolean isFailure() {
    return !isSuccess() && !isWarning() && code != Status.PENDING && code != Status.PENDING_WARNING
        && code != Status.CANCEL;
  }
}
