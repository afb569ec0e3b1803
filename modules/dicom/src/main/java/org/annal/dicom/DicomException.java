// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.IOException;

/** Input that is not valid DICOM: says what is wrong and at which byte offset. */
public class DicomException extends IOException {
  private static final long serialVersionUID = 1L;

  public DicomException(String message) {
    super(message);
  }

  public DicomException(String message, Throwable cause) {
    super(message, cause);
  }
}
