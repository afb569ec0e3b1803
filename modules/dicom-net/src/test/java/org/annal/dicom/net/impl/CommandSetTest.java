// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.annal.dicom.net.impl.PduCodecTest.hex;
import static org.junit.jupiter.api.Assertions.*;

import org.annal.dicom.Uid;
import org.junit.jupiter.api.Test;

/** Command sets, Implicit VR LE (PS3.7 §6.3.1, Annex E). */
class CommandSetTest {

  /** A C-ECHO-RQ written by hand from PS3.7 Table 9.3-12 and E.1-1. */
  static final String C_ECHO_RQ =
      "0000 0000 04000000 38000000" // (0000,0000) UL group length 56
      + "0000 0200 12000000 312E322E3834302E31303030382E312E3100" // (0000,0002) UI, NUL padded
      + "0000 0001 02000000 3000" // (0000,0100) US 0030h
      + "0000 1001 02000000 0700" // (0000,0110) US message id 7
      + "0000 0008 02000000 0101"; // (0000,0800) US 0101h no data set

  @Test
  void cEchoRqGolden() {
    CommandSet cmd = CommandSet.decode(hex(C_ECHO_RQ));
    assertEquals(CommandField.C_ECHO_RQ, cmd.commandField());
    assertEquals(7, cmd.getUs(CommandSet.MESSAGE_ID));
    assertEquals(Uid.VERIFICATION, cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID));
    assertFalse(cmd.hasDataSet());
    CommandSet built = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, Uid.VERIFICATION)
        .putUs(CommandSet.COMMAND_FIELD, 0x0030).putUs(CommandSet.MESSAGE_ID, 7)
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
    assertEquals(hex(C_ECHO_RQ), built.encode());
  }

  @Test
  void stringsArePaddedToEvenLengthAndTrimmedOnRead() {
    CommandSet cmd = new CommandSet().putString(CommandSet.ERROR_COMMENT, "odd")
        .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, "1.2.3");
    CommandSet decoded = CommandSet.decode(cmd.encode());
    assertEquals("odd", decoded.getString(CommandSet.ERROR_COMMENT));
    assertEquals("1.2.3", decoded.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
  }

  @Test
  void malformedCommandSetsAreRefused() {
    // element length beyond the end
    assertThrows(IllegalArgumentException.class,
        () -> CommandSet.decode(hex("0000 0001 FFFFFFFF 3000")));
    // element outside group 0000
    assertThrows(IllegalArgumentException.class,
        () -> CommandSet.decode(hex("0800 1800 02000000 3100")));
    // truncated header
    assertThrows(IllegalArgumentException.class, () -> CommandSet.decode(hex("0000 0001 02")));
  }

  @Test
  void responseErrorCommentIsAValidLongString() {
    CommandSet rsp = CommandSet.response(CommandField.C_STORE_RSP, 3, Uid.CT_IMAGE_STORAGE, "1.2",
        org.annal.dicom.net.DimseStatus.of(0xA700, "C:\\path\nfailed " + "x".repeat(80)));
    String comment = CommandSet.decode(rsp.encode()).getString(CommandSet.ERROR_COMMENT);
    assertEquals(64, comment.length());
    assertFalse(comment.contains("\\") || comment.contains("\n"), comment);
    assertEquals(3, rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
    assertEquals(CommandSet.NO_DATA_SET, rsp.getUs(CommandSet.COMMAND_DATA_SET_TYPE));
    assertNull(CommandSet.response(CommandField.C_ECHO_RSP, 1, Uid.VERIFICATION, null,
        org.annal.dicom.net.DimseStatus.of(0, "ignored")).getString(CommandSet.ERROR_COMMENT));
  }
}
