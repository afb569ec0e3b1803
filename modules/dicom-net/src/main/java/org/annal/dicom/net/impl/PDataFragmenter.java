// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Cuts a command or data set into P-DATA-TF PDUs of at most {@code maxPduLength} bytes of
 * PDU-length each (PS3.8 §9.3.5 and Annex D.1: the Maximum Length the receiver announced bounds
 * the whole variable field, i.e. PDV item length fields and headers included). Internal API.
 */
public final class PDataFragmenter {
  private PDataFragmenter() {}

  /** Bytes of a PDU-length taken by one PDV beyond its value: item length (4) + id + header. */
  public static final int PDV_OVERHEAD = 6;

  /** The largest PDV value that fits a P-DATA-TF of {@code maxPduLength}; 0 = no limit. */
  public static int maxValueLength(long maxPduLength, int fallbackMaxPduLength) {
    long max = maxPduLength == 0 ? fallbackMaxPduLength : Math.min(maxPduLength, Integer.MAX_VALUE);
    return (int) Math.max(1, max - PDV_OVERHEAD);
  }

  /**
   * One PDU per fragment; the last fragment carries the last bit. An empty message still yields
   * one (empty, last) fragment so that the receiver sees its end.
   */
  public static List<PDataTf> fragment(int contextId, boolean command, ByteString message,
      int maxValueLength) {
    List<PDataTf> pdus = new ArrayList<>();
    int offset = 0;
    do {
      int end = Math.min(message.size(), offset + maxValueLength);
      boolean last = end == message.size();
      pdus.add(new PDataTf(List.of(PresentationDataValue.of(contextId, command, last,
          message.slice(offset, end)))));
      offset = end;
    } while (offset < message.size());
    return pdus;
  }
}
