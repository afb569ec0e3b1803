// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.impl.Bytes;
import org.annal.dicom.image.impl.PixelModule;

/**
 * Frames of a data set's Pixel Data (7FE0,0010): PS3.5 §8.2 (native) and §A.4 (encapsulated).
 *
 * <p>Native frames are cut from the value field; frame n starts at bit (n-1) × Rows × Columns ×
 * Samples per Pixel × Bits Allocated (PS3.5 §8.1.1, §8.2). Values are held little endian by
 * {@link org.annal.dicom.DatasetReader} whatever the transfer syntax: Explicit VR Big Endian OW
 * pixel data is swapped when read (PS3.5 §7.3), so frames of such data sets come out little endian
 * too, the byte order of uncompressed frames in Explicit VR Little Endian, DICOMweb's default
 * for {@code application/octet-stream}. Single-bit frames that do not start on a byte boundary are shifted so that they do.
 *
 * <p>Encapsulated frames (PS3.5 §A.4) are the fragments of one frame joined, found with, in this
 * order: the Extended Offset Table (7FE0,0001) (PS3.3 Image Pixel Module), the Basic Offset Table (the
 * first item, PS3.5 Table A.4-1), one fragment per frame when their counts are equal, all
 * fragments for a single frame, or, for JPEG and JPEG 2000 syntaxes, the fragments that begin with
 * the codestream's start marker (SOI FFD8 or SOC FF4F). Offsets count from the first byte of the
 * first fragment's Item tag, so each fragment's 8-byte Item header is counted.
 *
 * <p>All failures, from a frame number out of range to an offset table that does not match the
 * fragments, raise {@link IllegalArgumentException} with a message saying what is wrong.
 */
public final class Frames {
  private Frames() {}

  /** Number of Frames (0028,0008), 1 when absent. @throws IllegalArgumentException if invalid */
  public static int count(Dataset dataset) {
    return PixelModule.numberOfFrames(dataset);
  }

  /**
   * Frame {@code n} (1-based) as stored: native, {@code Rows × Columns × Samples per Pixel × Bits
   * Allocated / 8} bytes (rounded up for single-bit data) in little-endian order; encapsulated, the
   * frame's compressed bytes (its fragments joined).
   *
   * @throws IllegalArgumentException n out of range, no pixel data, pixel data shorter than the
   *     frame, or encapsulated pixel data whose frames cannot be told apart
   */
  public static byte[] frame(Dataset dataset, String transferSyntaxUid, int n) {
    Element pixelData = dataset.get(Tag.PixelData);
    if (pixelData == null) {
      throw new IllegalArgumentException("the data set has no Pixel Data (7FE0,0010)");
    }
    int frames = count(dataset);
    if (n < 1 || n > frames) {
      throw new IllegalArgumentException("frame " + n + " is out of range: the data set has "
          + frames + " frame(s)");
    }
    if (pixelData.isEncapsulated()) {
      return encapsulated(dataset, pixelData.fragments(), transferSyntaxUid, frames, n);
    }
    if (TransferSyntax.orAssumeEncapsulated(transferSyntaxUid).encapsulated()) {
      throw new IllegalArgumentException("transfer syntax " + transferSyntaxUid
          + " requires encapsulated Pixel Data, but it is native");
    }
    if (pixelData.value() == null) {
      throw new IllegalArgumentException("Pixel Data (7FE0,0010) has no value");
    }
    return nativeFrame(PixelModule.of(dataset), pixelData.value(), n);
  }

  private static byte[] nativeFrame(PixelModule module, byte[] value, int n) {
    long frameBits = module.nativeFrameBits();
    long startBit = (n - 1) * frameBits;
    long needed = (startBit + frameBits + 7) / 8;
    if (needed > value.length) {
      throw new IllegalArgumentException("Pixel Data (7FE0,0010) holds " + value.length
          + " bytes, frame " + n + " of " + module.rows() + " x " + module.columns() + " x "
          + module.samplesPerPixel() + " samples of " + module.bitsAllocated()
          + " bits needs " + needed);
    }
    int length = (int) ((frameBits + 7) / 8);
    byte[] out = new byte[length];
    if (startBit % 8 == 0) {
      System.arraycopy(value, (int) (startBit / 8), out, 0, length);
      return out;
    }
    // Single-bit data packs frames back to back; bits fill each byte from its least
    // significant bit (PS3.5 §8.1.1), so shifting right realigns a frame to bit 0.
    int from = (int) (startBit / 8);
    int shift = (int) (startBit % 8);
    for (int i = 0; i < length; i++) {
      int lo = (value[from + i] & 0xFF) >>> shift;
      int hi = from + i + 1 < value.length ? (value[from + i + 1] & 0xFF) << (8 - shift) : 0;
      out[i] = (byte) (lo | hi);
    }
    int tailBits = (int) (frameBits % 8);
    if (tailBits != 0) {
      out[length - 1] &= (byte) ((1 << tailBits) - 1);
    }
    return out;
  }

  private static byte[] encapsulated(Dataset dataset, List<byte[]> items, String tsUid,
      int frames, int n) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException(
          "encapsulated Pixel Data has no Basic Offset Table item (PS3.5 §A.4)");
    }
    List<byte[]> fragments = items.subList(1, items.size());
    if (fragments.isEmpty()) {
      throw new IllegalArgumentException("encapsulated Pixel Data has no fragments");
    }
    long[] starts = frameStarts(dataset, items.get(0), fragments, tsUid, frames);
    long[] positions = new long[fragments.size() + 1]; // Item tag offset of each fragment
    for (int i = 0; i < fragments.size(); i++) {
      positions[i + 1] = positions[i] + 8 + fragments.get(i).length;
    }
    long start = starts[n - 1];
    long end = n < frames ? starts[n] : positions[fragments.size()];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean found = false;
    for (int i = 0; i < fragments.size(); i++) {
      if (positions[i] == start) {
        found = true;
      }
      if (positions[i] >= start && positions[i] < end) {
        out.writeBytes(fragments.get(i));
      }
    }
    if (!found || end < start) {
      throw new IllegalArgumentException("the offset of frame " + n + " (" + start
          + ") is not the start of a fragment, or offsets are not ascending (PS3.5 §A.4)");
    }
    return out.toByteArray();
  }

  /** Offset of each frame's first fragment Item tag, relative to the first fragment's. */
  private static long[] frameStarts(Dataset dataset, byte[] basicOffsetTable,
      List<byte[]> fragments, String tsUid, int frames) {
    byte[] extended = dataset.getBytes(Tag.ExtendedOffsetTable);
    if (extended != null && extended.length > 0) {
      if (extended.length != 8L * frames) {
        throw new IllegalArgumentException("Extended Offset Table (7FE0,0001) has "
            + extended.length / 8 + " offsets for " + frames + " frames");
      }
      long[] starts = new long[frames];
      for (int i = 0; i < frames; i++) {
        long lo = Bytes.uint32(extended, 8 * i, false);
        long hi = Bytes.uint32(extended, 8 * i + 4, false);
        starts[i] = (hi << 32) | lo;
      }
      return starts;
    }
    if (basicOffsetTable.length > 0) {
      if (basicOffsetTable.length != 4L * frames) {
        throw new IllegalArgumentException("the Basic Offset Table has "
            + basicOffsetTable.length / 4 + " offsets for " + frames + " frames (PS3.5 §A.4)");
      }
      long[] starts = new long[frames];
      for (int i = 0; i < frames; i++) {
        starts[i] = Bytes.uint32(basicOffsetTable, 4 * i, false);
      }
      return starts;
    }
    if (frames == 1 || fragments.size() == frames) {
      return startsOf(fragments, i -> frames == 1 ? i == 0 : true);
    }
    // No table and more fragments than frames: PS3.5 §A.4 then lets a frame span fragments, each
    // frame's first fragment beginning with its codestream's start marker.
    String kind = startMarkerKind(tsUid);
    if (kind != null) {
      List<Integer> firsts = new ArrayList<>();
      for (int i = 0; i < fragments.size(); i++) {
        byte[] f = fragments.get(i);
        if (f.length >= 2 && (f[0] & 0xFF) == 0xFF
            && (f[1] & 0xFF) == (kind.equals("JPEG") ? 0xD8 : 0x4F)) {
          firsts.add(i);
        }
      }
      if (firsts.size() == frames && firsts.get(0) == 0) {
        return startsOf(fragments, firsts::contains);
      }
    }
    throw new IllegalArgumentException("cannot tell the " + frames + " frames apart in "
        + fragments.size() + " fragments: no Basic or Extended Offset Table"
        + (kind != null ? " and the " + kind + " start markers do not match the frames" : ""));
  }

  private static long[] startsOf(List<byte[]> fragments, java.util.function.IntPredicate first) {
    long[] starts = new long[fragments.size()];
    int count = 0;
    long position = 0;
    for (int i = 0; i < fragments.size(); i++) {
      if (first.test(i)) {
        starts[count++] = position;
      }
      position += 8 + fragments.get(i).length;
    }
    return java.util.Arrays.copyOf(starts, count);
  }

  /** "JPEG" (SOI FFD8) for the PS3.5 §A.4.1 and JPEG-LS syntaxes, "JPEG 2000" (SOC FF4F), or null. */
  private static String startMarkerKind(String tsUid) {
    if (tsUid == null) {
      return null;
    }
    String uid = tsUid.strip();
    if (uid.matches("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.(5\\d|6\\d|70|80|81)")) {
      return "JPEG";
    }
    if (uid.matches("1\\.2\\.840\\.10008\\.1\\.2\\.4\\.(9[0-3]|20[1-3])")) {
      return "JPEG 2000";
    }
    return null;
  }
}
