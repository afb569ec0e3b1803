// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Minimal encoder of data elements in Explicit VR Little Endian (PS3.5 §7.1.2), for the synthetic
 * data generator only.
 *
 * <p>It is deliberately separate from the main dataset codec of {@code org.annal.dicom}: test data
 * must not be produced by the code it is meant to test. It knows just enough of PS3.5 to write the
 * attributes {@link SyntheticCt} needs: the 16-bit-length versus 32-bit-length header forms (PS3.5
 * Table 7.1-1 and 7.1-2), even value lengths with the padding of PS3.5 §6.2 (NUL for UI and OB,
 * SPACE for text), and a guard that tags are written in ascending order (PS3.5 §7.1).
 */
final class ExplicitVrLittleEndianWriter {
  /** VRs whose header has 2 reserved bytes and a 32-bit length (PS3.5 §7.1.2, Table 7.1-1). */
  private static final Set<String> LONG_LENGTH_VRS =
      Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

  private byte[] buffer;
  private int position;
  private long lastTag = -1;

  ExplicitVrLittleEndianWriter(int initialCapacity) {
    buffer = new byte[Math.max(64, initialCapacity)];
  }

  /** Text VRs (AE AS CS DA DS IS LO LT PN SH ST TM UC UT): padded with a trailing SPACE. */
  void text(int tag, String vr, String value, Charset charset) {
    byte[] bytes = value.getBytes(charset);
    element(tag, vr, bytes, (byte) ' ');
  }

  /** Text in the default repertoire (ISO-IR 6 is a subset of US-ASCII). */
  void text(int tag, String vr, String value) {
    text(tag, vr, value, StandardCharsets.US_ASCII);
  }

  /** UI values are padded with a trailing NUL (PS3.5 §9.1). */
  void uid(int tag, String value) {
    element(tag, "UI", value.getBytes(StandardCharsets.US_ASCII), (byte) 0);
  }

  void unsignedShort(int tag, int... values) {
    byte[] bytes = new byte[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      bytes[2 * i] = (byte) values[i];
      bytes[2 * i + 1] = (byte) (values[i] >>> 8);
    }
    element(tag, "US", bytes, (byte) 0);
  }

  void unsignedLong(int tag, long value) {
    byte[] bytes = new byte[4];
    putInt(bytes, 0, (int) value);
    element(tag, "UL", bytes, (byte) 0);
  }

  void otherByte(int tag, byte[] value) {
    element(tag, "OB", value, (byte) 0);
  }

  /** OW pixel data: 16-bit words, little endian. */
  void otherWord(int tag, short[] words) {
    header(tag, "OW", words.length * 2L);
    ensure(words.length * 2);
    for (short word : words) {
      buffer[position++] = (byte) word;
      buffer[position++] = (byte) (word >>> 8);
    }
  }

  int position() {
    return position;
  }

  /** Overwrites 4 bytes written earlier, used to fill in a group length once the group is known. */
  void patchInt(int at, int value) {
    putInt(buffer, at, value);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, position);
  }

  /** Raw bytes that are not a data element (the PS3.10 preamble and "DICM" prefix). */
  void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, position, bytes.length);
    position += bytes.length;
  }

  private void element(int tag, String vr, byte[] value, byte padding) {
    int length = value.length + (value.length & 1);
    header(tag, vr, length);
    ensure(length);
    System.arraycopy(value, 0, buffer, position, value.length);
    position += value.length;
    if (length != value.length) {
      buffer[position++] = padding;
    }
  }

  private void header(int tag, String vr, long length) {
    long unsignedTag = tag & 0xFFFFFFFFL;
    // PS3.5 §7.1: data elements of a data set are in ascending tag order; the file meta group
    // is a data set of its own, so the writer is reset by the caller between the two.
    if (unsignedTag <= lastTag) {
      throw new IllegalStateException(
          String.format("tag (%04X,%04X) is not after the previous one", tag >>> 16, tag & 0xFFFF));
    }
    if ((length & 1) != 0) {
      throw new IllegalStateException("odd value length " + length);
    }
    lastTag = unsignedTag;
    ensure(12);
    putShort(buffer, position, tag >>> 16);
    putShort(buffer, position + 2, tag);
    buffer[position + 4] = (byte) vr.charAt(0);
    buffer[position + 5] = (byte) vr.charAt(1);
    if (LONG_LENGTH_VRS.contains(vr)) {
      buffer[position + 6] = 0;
      buffer[position + 7] = 0;
      putInt(buffer, position + 8, (int) length);
      position += 12;
    } else {
      if (length > 0xFFFE) {
        throw new IllegalArgumentException(vr + " value too long for a 16-bit length: " + length);
      }
      putShort(buffer, position + 6, (int) length);
      position += 8;
    }
  }

  /** Starts a new data set: the ascending-order guard restarts (file meta → main data set). */
  void startDataSet() {
    lastTag = -1;
  }

  private void ensure(int more) {
    if (position + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
    }
  }

  private static void putShort(byte[] bytes, int at, int value) {
    bytes[at] = (byte) value;
    bytes[at + 1] = (byte) (value >>> 8);
  }

  private static void putInt(byte[] bytes, int at, int value) {
    bytes[at] = (byte) value;
    bytes[at + 1] = (byte) (value >>> 8);
    bytes[at + 2] = (byte) (value >>> 16);
    bytes[at + 3] = (byte) (value >>> 24);
  }
}
