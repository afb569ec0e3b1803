// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.annal.app.it.StorescuLog.FileResult;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.Test;

/** The storescu parser on output captured from DCMTK 3.6.7 (the integration tests trust it). */
class StorescuLogTest {
  // Captured from `storescu -v -nh` against storescp, trimmed; the last file was cut by a kill.
  private static final String OUTPUT = """
      I: checking input files ...
      W: missing SOP class (or instance) in file: no_meta.dcm, ignoring file
      I: Requesting Association
      I: Association Accepted (Max Send PDV: 16372)
      I: Sending file: CT_small.dcm
      I: Converting transfer syntax: Little Endian Explicit -> Little Endian Implicit
      I: Sending Store Request (MsgID 1, CT)
      XMIT: ......................
      I: Received Store Response (Success)
      I: Sending file: JPEG-lossy.dcm
      I: Converting transfer syntax: JPEG Extended, Process 2+4 -> Little Endian Implicit
      I: Sending Store Request (MsgID 2, SC)
      XMIT: W: DIMSE Warning: (STORESCU,ANY-SCP): sendMessage: unable to convert dataset
      E: Store Failed, file: JPEG-lossy.dcm:
      E: 0006:020e DIMSE Failed to send message
      I: Sending file: MR_small_RLE.dcm
      I: Converting transfer syntax: RLE Lossless -> RLE Lossless
      I: Sending Store Request (MsgID 3, MR)
      I: Received Store Response (Warning: Coercion of Data Elements)
      I: Sending file: UN_sequence.dcm
      E: No SOP Class or Instance UID in file: UN_sequence.dcm
      I: Sending file: rtdose.dcm
      I: Converting transfer syntax: Little Endian Implicit -> Little Endian Implicit
      I: Sending Store Request (MsgID 5, RD)
      I: Received Store Response (Error: Cannot understand)
      I: Sending file: rtplan.dcm
      I: Converting transfer syntax: Little Endian Implicit -> Little Endian Implicit
      I: Sending Store Request (MsgID 6, RP)
      """;

  @Test
  void everyOutcomeIsRecognised() {
    Map<String, FileResult> results = StorescuLog.parse(OUTPUT);
    assertEquals(Outcome.SKIPPED, results.get("no_meta.dcm").outcome());
    FileResult ct = results.get("CT_small.dcm");
    assertEquals(Outcome.SUCCESS, ct.outcome());
    assertEquals("Little Endian Explicit", ct.fromSyntax());
    assertEquals("Little Endian Implicit", ct.toSyntax());
    assertEquals(Outcome.NOT_SENT, results.get("JPEG-lossy.dcm").outcome());
    assertEquals("E: 0006:020e DIMSE Failed to send message", results.get("JPEG-lossy.dcm").detail());
    assertEquals(Outcome.WARNING, results.get("MR_small_RLE.dcm").outcome());
    assertEquals(Outcome.SKIPPED, results.get("UN_sequence.dcm").outcome());
    assertEquals(Outcome.FAILURE_STATUS, results.get("rtdose.dcm").outcome());
    assertEquals("Error: Cannot understand", results.get("rtdose.dcm").detail());
    assertEquals(Outcome.NO_RESPONSE, results.get("rtplan.dcm").outcome());
    assertFalse(results.get("rtplan.dcm").stored());
    assertEquals(7, results.size());
  }

  @Test
  void transferSyntaxNamesMapToUids() {
    assertEquals("1.2.840.10008.1.2", StorescuLog.transferSyntaxUid("Little Endian Implicit"));
    assertEquals("1.2.840.10008.1.2.2", StorescuLog.transferSyntaxUid("Big Endian Explicit"));
    assertEquals("1.2.840.10008.1.2.4.91", StorescuLog.transferSyntaxUid("JPEG 2000 (Lossless or Lossy)"));
    assertThrows(IllegalArgumentException.class, () -> StorescuLog.transferSyntaxUid("Little Endian Sideways"));
  }
}
