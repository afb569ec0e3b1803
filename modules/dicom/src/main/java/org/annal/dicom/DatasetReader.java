// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.IOException;
import java.io.InputStream;

/** Reads data sets in any of the four uncompressed-encoding transfer syntaxes (PS3.5 §7, §10, A). */
public final class DatasetReader {
  private DatasetReader() {}

  /**
   * Reads the data set's elements up to, not including, top-level Pixel Data (7FE0,0010) (or
   * Float/Double Float Pixel Data), without reading pixels. Handles Deflated Explicit VR LE by
   * inflating. Stops cleanly at end of input if it falls between elements.
   *
   * @throws DicomException on malformed or truncated elements
   */
  public static Dataset readUntilPixelData(InputStream in, String transferSyntaxUid)
      throws IOException {
    throw new UnsupportedOperationException("TODO");
  }
}
