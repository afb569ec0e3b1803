// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.IOException;
import java.io.InputStream;

/** DICOM files (PS3.10 §7): preamble, "DICM" prefix, File Meta Information, then the data set. */
public final class Part10 {
  private Part10() {}

  /** See {@link FileMetaInformation#encode()}. */
  static byte[] encodeHeader(FileMetaInformation meta) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Reads the preamble and File Meta Information, leaving {@code in} at the first byte of the data
   * set. {@code in} must support mark/reset. Returns null, with {@code in} reset to where it was, if
   * there is no "DICM" prefix (a bare data set, accepted on import; the caller must then guess its
   * transfer syntax, see {@link #guessTransferSyntax}).
   *
   * @throws DicomException if the meta information is present but malformed
   */
  public static FileMetaInformation readFileMetaInformation(InputStream in) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * For a data set without meta information: looks at its first bytes (mark/reset) and says whether
   * it is Implicit VR LE, Explicit VR LE or Explicit VR BE.
   */
  public static String guessTransferSyntax(InputStream in) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }
}
