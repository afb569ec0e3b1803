// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import org.annal.dicom.net.DimseStatus;

/**
 * A DIMSE status as a user reads it: {@code 0000 Success}, {@code A801 Refused: Move Destination
 * unknown (no such AE)}, with the Error Comment (0000,0902) if there is one. Meanings of the
 * Query/Retrieve statuses from PS3.4 Tables C.4-1, C.4-2 and C.4-3.
 */
final class StatusText {
  private StatusText() {}

  static String of(DimseStatus status) {
    String comment = status.errorComment() == null || status.errorComment().isBlank() ? ""
        : " (" + FindOutput.printable(status.errorComment().strip()) + ")";
    return String.format("%04X %s%s", status.code(), meaning(status), comment);
  }

  static String meaning(DimseStatus status) {
    int code = status.code();
    return switch (code) {
      case 0x0000 -> "Success";
      case 0xFE00 -> "Cancel";
      case 0xFF00, 0xFF01 -> "Pending";
      case 0xA700 -> "Refused: Out of Resources";
      case 0xA701 -> "Refused: Out of Resources, unable to calculate number of matches";
      case 0xA702 -> "Refused: Out of Resources, unable to perform sub-operations";
      case 0xA801 -> "Refused: Move Destination unknown";
      case 0xA900 -> "Identifier does not match SOP Class";
      case 0xB000 -> "Sub-operations complete, one or more failures or warnings";
      case 0x0122 -> "Refused: SOP Class not supported";
      case 0x0124 -> "Refused: Not Authorized";
      default -> (code & 0xF000) == 0xC000 ? "Unable to process"
          : status.isWarning() ? "Warning" : "Failure";
    };
  }
}
