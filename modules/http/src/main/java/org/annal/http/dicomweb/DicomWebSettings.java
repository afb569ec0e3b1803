// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import com.typesafe.config.Config;
import java.util.List;

/**
 * {@code annal.dicomweb} (commented in modules/app's reference.conf).
 *
 * @param corsAllowedOrigins origins whose browser scripts may call DICOMweb (CORS); {@code *}
 *     for any; empty for none
 * @param inlineBinaryLimit binary values up to this many bytes are InlineBinary in metadata
 * @param maxStowPartBytes the largest instance a STOW-RS request may carry
 */
public record DicomWebSettings(List<String> corsAllowedOrigins, int inlineBinaryLimit,
    long maxStowPartBytes) {
  public DicomWebSettings {
    corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
  }

  public static DicomWebSettings fromConfig(Config c) {
    return new DicomWebSettings(c.getStringList("cors-allowed-origins"),
        (int) c.getBytes("inline-binary-limit").longValue(),
        c.getBytes("max-stow-part-size"));
  }
}
