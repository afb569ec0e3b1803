// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

/**
 * A frame that {@link Renderer} cannot turn into an image: its message names the transfer syntax,
 * Photometric Interpretation or bit depth that is not handled. The data set itself may be valid;
 * a DICOMweb server answers it as a client-side 4xx (the rendered media types of PS3.18 §8.3.5
 * cannot be produced) rather than 500.
 */
public final class UnsupportedRenderingException extends Exception {
  private static final long serialVersionUID = 1L;

  public UnsupportedRenderingException(String message) {
    super(message);
  }

  public UnsupportedRenderingException(String message, Throwable cause) {
    super(message, cause);
  }
}
