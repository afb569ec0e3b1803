// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.impl;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;
import org.annal.dicom.DicomException;

/**
 * Internal API. An input stream that counts bytes, reads little- or big-endian numbers and turns
 * every premature end of input into a {@link DicomException} naming the offset.
 *
 * <p>It reads exactly what is asked for and no more, so a caller's stream is left positioned just
 * after the last element read.
 */
public final class DicomInput {
  private final InputStream in;
  private final long base;
  private final long available;
  private long position;
  private final byte[] scratch = new byte[8];

  /**
   * @param base the offset of the first byte of {@code in} within the whole file or message, for
   *     error messages
   * @param available how many bytes {@code in} holds, or -1 if unknown (a network stream)
   */
  public DicomInput(InputStream in, long base, long available) {
    this.in = in;
    this.base = base;
    this.available = available;
  }

  /** Offset of the next byte, counted from the start of the file or message. */
  public long offset() {
    return base + position;
  }

  /** Bytes read from this input so far. */
  public long position() {
    return position;
  }

  /** Bytes left if known, else -1. */
  public long remaining() {
    return available < 0 ? -1 : available - position;
  }

  /** Reads one byte, or returns -1 at a clean end of input. */
  public int readOrEof() throws IOException {
    int b = guard(() -> in.read());
    if (b >= 0) {
      position++;
    }
    return b;
  }

  public void readFully(byte[] buf, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      final int d = done;
      int n = guard(() -> in.read(buf, off + d, len - d));
      if (n < 0) {
        throw new DicomException("Truncated input at offset " + (offset() + done) + ": needed "
            + (len - done) + " more byte(s)");
      }
      done += n;
    }
    position += len;
  }

  /**
   * Reads {@code len} bytes into a new array. The caller has checked {@code len} against its cap;
   * on a stream of unknown size the array grows with what actually arrives, so a lying length
   * cannot make it allocate more than the input holds.
   */
  public byte[] readBytes(int len) throws IOException {
    if (available >= 0 && len > remaining()) {
      throw new DicomException("Truncated input at offset " + offset() + ": value of " + len
          + " bytes but only " + remaining() + " remain");
    }
    if (available >= 0 || len <= 1 << 20) {
      byte[] b = new byte[len];
      readFully(b, 0, len);
      return b;
    }
    byte[] b = guard(() -> in.readNBytes(len));
    if (b.length < len) {
      throw new DicomException("Truncated input at offset " + (offset() + b.length) + ": needed "
          + (len - b.length) + " more byte(s)");
    }
    position += len;
    return b;
  }

  public int readUInt16(boolean bigEndian) throws IOException {
    readFully(scratch, 0, 2);
    int a = scratch[0] & 0xFF;
    int b = scratch[1] & 0xFF;
    return bigEndian ? (a << 8) | b : (b << 8) | a;
  }

  /** A 32-bit value as an unsigned long. */
  public long readUInt32(boolean bigEndian) throws IOException {
    readFully(scratch, 0, 4);
    return Bytes.uint32(scratch, 0, bigEndian);
  }

  /** Bytes 0-3 of a tag whose first byte was already read ({@code first}). */
  public int readTag(int first, boolean bigEndian) throws IOException {
    scratch[0] = (byte) first;
    readFully(scratch, 1, 3);
    return Bytes.tag(scratch, 0, bigEndian);
  }

  public int readTag(boolean bigEndian) throws IOException {
    readFully(scratch, 0, 4);
    return Bytes.tag(scratch, 0, bigEndian);
  }

  /** Discards {@code n} bytes. */
  public void skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    long left = n;
    while (left > 0) {
      int chunk = (int) Math.min(left, buf.length);
      readFully(buf, 0, chunk);
      left -= chunk;
    }
  }

  private interface Io<T> {
    T get() throws IOException;
  }

  /** Inflater failures surface as ZipException/EOFException: they mean malformed input. */
  private <T> T guard(Io<T> io) throws IOException {
    try {
      return io.get();
    } catch (ZipException | EOFException e) {
      throw new DicomException("Malformed deflated data near offset " + offset() + ": "
          + e.getMessage(), e);
    }
  }
}
