// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * An entry of the calling AE title allow-list: an AE title, optionally bound to the host it must
 * connect from.
 *
 * @param aeTitle the calling AE title, compared after trimming, case-sensitive (PS3.8 §9.3.2: AE
 *     titles are compared as given)
 * @param host an IP address or host name the association must come from, or null for any host
 */
public record AllowedCaller(String aeTitle, String host) {

  /** Parses {@code "AE"} or {@code "AE@host"}. */
  public static AllowedCaller parse(String entry) {
    int at = entry.lastIndexOf('@');
    return at < 0 ? new AllowedCaller(entry.trim(), null)
        : new AllowedCaller(entry.substring(0, at).trim(), entry.substring(at + 1).trim());
  }
}
