// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * A DIMSE command set: group 0000 elements, always Implicit VR Little Endian (PS3.7 §6.3.1, Annex
 * E). A small codec of its own so that command handling depends on nothing of the data set codec.
 * Values are kept as raw bytes keyed by element number; typed accessors follow the VRs of PS3.7
 * Table E.1-1 (UL, US, UI, AE, LO, AT). Internal API.
 */
public final class CommandSet {
  public static final int COMMAND_GROUP_LENGTH = 0x0000;
  public static final int AFFECTED_SOP_CLASS_UID = 0x0002;
  public static final int REQUESTED_SOP_CLASS_UID = 0x0003;
  public static final int COMMAND_FIELD = 0x0100;
  public static final int MESSAGE_ID = 0x0110;
  public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x0120;
  public static final int MOVE_DESTINATION = 0x0600;
  public static final int PRIORITY = 0x0700;
  public static final int COMMAND_DATA_SET_TYPE = 0x0800;
  public static final int STATUS = 0x0900;
  public static final int OFFENDING_ELEMENT = 0x0901;
  public static final int ERROR_COMMENT = 0x0902;
  public static final int AFFECTED_SOP_INSTANCE_UID = 0x1000;
  public static final int REQUESTED_SOP_INSTANCE_UID = 0x1001;
  public static final int MOVE_ORIGINATOR_AE_TITLE = 0x1030;
  public static final int MOVE_ORIGINATOR_MESSAGE_ID = 0x1031;
  public static final int NUMBER_OF_REMAINING_SUBOPERATIONS = 0x1020;
  public static final int NUMBER_OF_COMPLETED_SUBOPERATIONS = 0x1021;
  public static final int NUMBER_OF_FAILED_SUBOPERATIONS = 0x1022;
  public static final int NUMBER_OF_WARNING_SUBOPERATIONS = 0x1023;

  /** Command Data Set Type value meaning "no data set" (PS3.7 Table E.1-1). */
  public static final int NO_DATA_SET = 0x0101;
  /** Any other value means a data set follows; this is the one Annal sends. */
  public static final int DATA_SET_PRESENT = 0x0000;

  /** Commands are small; a larger one is an attack or a bug (caps what we buffer). */
  public static final int MAX_ENCODED_LENGTH = 64 * 1024;

  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private final TreeMap<Integer, byte[]> elements = new TreeMap<>();

  // ---------------------------------------------------------------- typed access

  public CommandSet putUs(int element, int value) {
    elements.put(element, new byte[] {(byte) value, (byte) (value >> 8)});
    return this;
  }

  /** A UI value, padded to even length with a NUL (PS3.5 §9.1). */
  public CommandSet putUid(int element, String uid) {
    elements.put(element, padded(uid, (byte) 0));
    return this;
  }

  /** An AE, LO or other text value, padded to even length with a space (PS3.5 §6.2). */
  public CommandSet putString(int element, String text) {
    elements.put(element, padded(text, (byte) ' '));
    return this;
  }

  public boolean contains(int element) {
    return elements.containsKey(element);
  }

  /** A US value, or null if absent or not 2 bytes long. */
  public Integer getUs(int element) {
    byte[] v = elements.get(element);
    return v == null || v.length != 2 ? null : (v[0] & 0xFF) | (v[1] & 0xFF) << 8;
  }

  /** A text or UID value without trailing NUL/space padding, or null if absent. */
  public String getString(int element) {
    byte[] v = elements.get(element);
    if (v == null) {
      return null;
    }
    int end = v.length;
    while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
      end--;
    }
    int start = 0;
    while (start < end && v[start] == ' ') {
      start++;
    }
    return new String(v, start, end - start, StandardCharsets.US_ASCII);
  }

  public CommandField commandField() {
    Integer code = getUs(COMMAND_FIELD);
    return code == null ? null : CommandField.of(code);
  }

  public boolean hasDataSet() {
    Integer type = getUs(COMMAND_DATA_SET_TYPE);
    return type != null && type != NO_DATA_SET;
  }

  /**
   * A response without data set (PS3.7 §9.3: C-ECHO-RSP Table 9.3-13, C-STORE-RSP Table 9.3-2 and
   * the other *-RSP): Error Comment only with a non-success status, at most 64 characters (LO).
   */
  public static CommandSet response(CommandField field, int messageIdBeingRespondedTo,
      String affectedSopClassUid, String affectedSopInstanceUid, DimseStatus status) {
    CommandSet rsp = new CommandSet().putUs(COMMAND_FIELD, field.code)
        .putUs(MESSAGE_ID_BEING_RESPONDED_TO, messageIdBeingRespondedTo)
        .putUs(COMMAND_DATA_SET_TYPE, NO_DATA_SET)
        .putUs(STATUS, status.code());
    if (affectedSopClassUid != null) {
      rsp.putUid(AFFECTED_SOP_CLASS_UID, affectedSopClassUid);
    }
    if (affectedSopInstanceUid != null) {
      rsp.putUid(AFFECTED_SOP_INSTANCE_UID, affectedSopInstanceUid);
    }
    String comment = status.errorComment();
    if (comment != null && !status.isSuccess()) {
      // LO: no backslash (value delimiter) nor control characters (PS3.5 Table 6.2-1)
      String clean = comment.replaceAll("[\\\\\\p{Cntrl}]", " ").strip();
      rsp.putString(ERROR_COMMENT, clean.length() > 64 ? clean.substring(0, 64) : clean);
    }
    return rsp;
  }

  // ---------------------------------------------------------------- codec

  /** Encodes, computing Command Group Length (0000,0000) first. */
  public ByteString encode() {
    ByteStringBuilder body = new ByteStringBuilder();
    for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
      if (e.getKey() == COMMAND_GROUP_LENGTH) {
        continue;
      }
      body.putShort(0x0000, LE).putShort(e.getKey(), LE).putInt(e.getValue().length, LE)
          .putBytes(e.getValue());
    }
    ByteString b = body.result();
    return new ByteStringBuilder().putShort(0, LE).putShort(COMMAND_GROUP_LENGTH, LE).putInt(4, LE)
        .putInt(b.size(), LE).append(b).result();
  }

  /**
   * Decodes an Implicit VR LE command set. Every element must be in group 0000, its length must
   * fit in what remains.
   *
   * @throws IllegalArgumentException if it is not a well-formed command set
   */
  public static CommandSet decode(ByteString bytes) {
    CommandSet command = new CommandSet();
    java.nio.ByteBuffer buffer = bytes.asByteBuffer().order(LE);
    while (buffer.remaining() > 0) {
      if (buffer.remaining() < 8) {
        throw new IllegalArgumentException("truncated element header at offset "
            + buffer.position());
      }
      int group = buffer.getShort() & 0xFFFF;
      int element = buffer.getShort() & 0xFFFF;
      long length = buffer.getInt() & 0xFFFFFFFFL;
      if (group != 0x0000) {
        throw new IllegalArgumentException(String.format(
            "element (%04X,%04X) outside group 0000 in command set", group, element));
      }
      if (length > buffer.remaining()) {
        throw new IllegalArgumentException(String.format(
            "element (0000,%04X) length %d exceeds the %d bytes left", element, length,
            buffer.remaining()));
      }
      byte[] value = new byte[(int) length];
      buffer.get(value);
      command.elements.put(element, value);
    }
    return command;
  }

  private static byte[] padded(String text, byte pad) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    if (t.length % 2 == 0) {
      return t;
    }
    byte[] p = java.util.Arrays.copyOf(t, t.length + 1);
    p[t.length] = pad;
    return p;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("CommandSet{");
    for (Integer element : elements.keySet()) {
      s.append(String.format("(0000,%04X)", element)).append(' ');
    }
    return s.append('}').toString();
  }
}
