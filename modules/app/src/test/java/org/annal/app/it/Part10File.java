// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A PS3.10 file split into its File Meta Information (PS3.10 §7.1, always Explicit VR Little
 * Endian) and the data set bytes that follow, untouched.
 *
 * <p>Written here rather than taken from annal-dicom on purpose: the tests check what Annal wrote,
 * so they must not read it back with Annal's own parser.
 */
record Part10File(Map<Integer, String> meta, int metaEnd, byte[] bytes) {
  private static final Set<String> LONG_VRS =
      Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

  static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
  static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;
  static final int TRANSFER_SYNTAX_UID = 0x00020010;

  /** True if {@code bytes} start with a 128-byte preamble and "DICM". */
  static boolean hasPrefix(byte[] bytes) {
    return bytes.length >= 132
        && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C' && bytes[131] == 'M';
  }

  static Part10File read(Path file) {
    try {
      return parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the meta information; fails if there is no "DICM" prefix or group 0002 is malformed. */
  static Part10File parse(byte[] bytes) {
    if (!hasPrefix(bytes)) {
      throw new IllegalArgumentException("no PS3.10 preamble and DICM prefix");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    Map<Integer, String> meta = new HashMap<>();
    int position = 132;
    while (position + 8 <= bytes.length) {
      int group = buffer.getShort(position) & 0xFFFF;
      if (group != 0x0002) {
        break;
      }
      int tag = (group << 16) | (buffer.getShort(position + 2) & 0xFFFF);
      String vr = new String(bytes, position + 4, 2, StandardCharsets.US_ASCII);
      long length;
      int header;
      if (LONG_VRS.contains(vr)) {
        length = buffer.getInt(position + 8) & 0xFFFFFFFFL;
        header = 12;
      } else {
        length = buffer.getShort(position + 6) & 0xFFFF;
        header = 8;
      }
      if (position + header + length > bytes.length) {
        throw new IllegalArgumentException("meta element " + Integer.toHexString(tag) + " runs past the end");
      }
      if (vr.equals("UI") || vr.equals("AE") || vr.equals("SH")) {
        String value = new String(bytes, position + header, (int) length, StandardCharsets.US_ASCII);
        meta.put(tag, value.replace("\0", "").trim());
      }
      position += header + (int) length;
    }
    return new Part10File(Map.copyOf(meta), position, bytes);
  }

  String transferSyntaxUid() {
    return meta.getOrDefault(TRANSFER_SYNTAX_UID, "");
  }

  String sopInstanceUid() {
    return meta.getOrDefault(MEDIA_STORAGE_SOP_INSTANCE_UID, "");
  }

  /** The data set exactly as it follows the meta information. */
  byte[] dataSet() {
    return Arrays.copyOfRange(bytes, metaEnd, bytes.length);
  }

  /**
   * Position of the first difference between two byte arrays, or -1 if they are equal; for
   * messages that say where a blob differs rather than only that it does.
   */
  static long firstDifference(byte[] a, byte[] b) {
    int mismatch = Arrays.mismatch(a, b);
    return mismatch;
  }
}
