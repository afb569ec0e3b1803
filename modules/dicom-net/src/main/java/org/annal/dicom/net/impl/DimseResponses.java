// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.ArrayList;
import java.util.List;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.util.ByteString;

/** Builds the responses of C-FIND, C-MOVE and C-GET (PS3.7 §9.3.2.2, §9.3.3.2, §9.3.4.2). */
final class DimseResponses {
  private DimseResponses() {}

  /** Counts of sub-operations (PS3.7 Table 9.3-5 / 9.3-7, elements (0000,1020)..(0000,1023)). */
  record Counts(Integer remaining, int completed, int failed, int warning) {}

  static CommandSet response(CommandField field, int messageId, String sopClass,
      DimseStatus status, boolean withDataSet, Counts counts) {
    CommandSet rsp = CommandSet.response(field, messageId, sopClass, null, status);
    if (withDataSet) {
      rsp.putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.DATA_SET_PRESENT);
    }
    if (counts != null) {
      if (counts.remaining() != null) {
        rsp.putUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS, counts.remaining());
      }
      rsp.putUs(CommandSet.NUMBER_OF_COMPLETED_SUBOPERATIONS, counts.completed());
      rsp.putUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS, counts.failed());
      rsp.putUs(CommandSet.NUMBER_OF_WARNING_SUBOPERATIONS, counts.warning());
    }
    return rsp;
  }

  /**
   * The command, then the data set if any, as P-DATA-TF PDUs for the peer's Maximum Length. When
   * both fit one PDU they share it, as two PDVs (PS3.8 §9.3.5 allows several PDVs per P-DATA-TF):
   * a C-FIND answered with 150 matches is then 150 PDUs, not 300, for both sides to handle.
   */
  static List<PDataTf> pdus(int contextId, CommandSet command, ByteString dataSet,
      int maxValueLength) {
    return pdus(contextId, command.encode(), dataSet, maxValueLength);
  }

  /** As {@link #pdus(int, CommandSet, ByteString, int)}, with the command already encoded. */
  static List<PDataTf> pdus(int contextId, ByteString encoded, ByteString dataSet,
      int maxValueLength) {
    if (dataSet != null
        && (long) encoded.size() + PDataFragmenter.PDV_OVERHEAD + dataSet.size() <= maxValueLength) {
      return List.of(new PDataTf(List.of(
          PresentationDataValue.of(contextId, true, true, encoded),
          PresentationDataValue.of(contextId, false, true, dataSet))));
    }
    List<PDataTf> out = new ArrayList<>(PDataFragmenter.fragment(contextId, true, encoded,
        maxValueLength));
    if (dataSet != null) {
      out.addAll(PDataFragmenter.fragment(contextId, false, dataSet, maxValueLength));
    }
    return out;
  }
}
