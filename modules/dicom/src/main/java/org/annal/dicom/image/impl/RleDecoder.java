// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import org.annal.dicom.impl.Bytes;

/**
 * Internal API. Decoder for RLE Lossless frames (transfer syntax 1.2.840.10008.1.2.5), PS3.5
 * Annex G.
 *
 * <p>A frame is a 64-byte header (the number of segments, then 15 segment offsets, all UL little
 * endian) followed by the segments. Each segment is one byte plane of one sample: for every
 * sample in order, its most significant byte first, PackBits-encoded (a control byte n: 0..127
 * copy n+1 bytes, -1..-127 repeat the next byte 1-n times, -128 nothing). The
 * result is the native frame, interleaved (Planar Configuration 0) and little endian, whatever
 * Planar Configuration the data set states, since the segments fix the order anyway.
 */
public final class RleDecoder {
  private RleDecoder() {}

  /**
   * Decodes one frame.
   *
   * @throws IllegalArgumentException on a header or segment that does not fit the image
   */
  public static byte[] decode(byte[] frame, PixelModule module) {
    if (module.bitsAllocated() % 8 != 0) {
      throw new IllegalArgumentException("RLE Lossless with Bits Allocated "
          + module.bitsAllocated() + " is not defined (PS3.5 Annex G)");
    }
    int bytesPerSample = module.bitsAllocated() / 8;
    int samples = module.samplesPerPixel();
    int expectedSegments = samples * bytesPerSample;
    if (frame.length < 64) {
      throw new IllegalArgumentException("RLE frame of " + frame.length
          + " bytes is shorter than its 64-byte header (PS3.5 Annex G)");
    }
    long segments = Bytes.uint32(frame, 0, false);
    if (segments != expectedSegments) {
      throw new IllegalArgumentException("RLE header declares " + segments + " segments, "
          + samples + " sample(s) of " + module.bitsAllocated() + " bits need "
          + expectedSegments + " (PS3.5 Annex G)");
    }
    int pixels = module.pixels();
    byte[] out = new byte[pixels * expectedSegments];
    for (int s = 0; s < expectedSegments; s++) {
      long start = Bytes.uint32(frame, 4 + 4 * s, false);
      long end = s + 1 < expectedSegments ? Bytes.uint32(frame, 8 + 4 * s, false) : frame.length;
      if (start < 64 || end < start || end > frame.length) {
        throw new IllegalArgumentException("RLE segment " + (s + 1) + " offsets " + start + ".."
            + end + " do not lie within the frame of " + frame.length + " bytes");
      }
      int sample = s / bytesPerSample;
      int byteInSample = bytesPerSample - 1 - s % bytesPerSample; // segments go MSB first
      decodeSegment(frame, (int) start, (int) end, out, sample * bytesPerSample + byteInSample,
          expectedSegments, pixels, s + 1);
    }
    return out;
  }

  /** PackBits (PS3.5 Annex G) into every {@code stride}-th byte of {@code out} from {@code first}. */
  private static void decodeSegment(byte[] in, int pos, int end, byte[] out, int first, int stride,
      int count, int segment) {
    int written = 0;
    int o = first;
    while (written < count && pos < end) {
      int header = in[pos++];
      if (header >= 0) {
        int n = header + 1;
        if (pos + n > end) {
          throw overrun(segment);
        }
        int keep = Math.min(n, count - written); // a run past the image end is cut, not refused
        for (int i = 0; i < keep; i++, o += stride) {
          out[o] = in[pos + i];
        }
        pos += n;
        written += keep;
      } else if (header != -128) {
        int n = 1 - header;
        if (pos >= end) {
          throw overrun(segment);
        }
        int keep = Math.min(n, count - written);
        byte b = in[pos++];
        for (int i = 0; i < keep; i++, o += stride) {
          out[o] = b;
        }
        written += keep;
      }
    }
    if (written < count) {
      throw new IllegalArgumentException("RLE segment " + segment + " decodes to " + written
          + " bytes, the image needs " + count);
    }
  }

  private static IllegalArgumentException overrun(int segment) {
    return new IllegalArgumentException("RLE segment " + segment + " ends inside a run");
  }
}
