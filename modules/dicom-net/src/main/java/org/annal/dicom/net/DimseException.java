// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * Thrown (or used to fail a stream or stage) by a DIMSE service handler to choose the status of
 * the final response, e.g. A700 (Refused: Out of Resources), C000 (Unable to process) or A702 for
 * a result cap (PS3.4 C.4.1.1.4, C.4.2.1.5). Any other failure answers A700 (C-FIND) or A701
 * (C-MOVE / C-GET identifier resolution).
 */
public final class DimseException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public DimseException(int status, String errorComment) {
    super(errorComment);
    this.status = status;
  }

  /** The status with the message as Error Comment (0000,0902). */
  public DimseStatus status() {
    return DimseStatus.of(status, getMessage());
  }
}
