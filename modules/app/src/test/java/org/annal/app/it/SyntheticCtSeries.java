// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes a CT series as PS3.10 files in Explicit VR Little Endian: 512×512, 16 bits allocated,
 * 12 stored, with Patient/Study/Series/Instance attributes of the CT Image IOD that an archive
 * reads (PS3.3 §A.3). Pixel values vary per instance so that no two blobs are equal.
 *
 * <p>Kept in the tests (not annal-dicom's synth package) so that the data the suite stores does
 * not come from the code under test.
 */
final class SyntheticCtSeries {
  static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  static final String IMPLEMENTATION_CLASS_UID = "2.25.329800735698586629295641978511506172918";
  private static final Set<String> LONG_VRS = Set.of("OB", "OW", "SQ", "UN", "UT");

  /** The UIDs of a generated series. */
  record Series(String studyInstanceUid, String seriesInstanceUid, List<String> sopInstanceUids, List<Path> files) {}

  private SyntheticCtSeries() {}

  /** A fresh UID under the UUID-derived root 2.25 (PS3.5 §B.2). */
  static String newUid() {
    UUID uuid = UUID.randomUUID();
    BigInteger value = new BigInteger(1, ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
    return "2.25." + value;
  }

  /**
   * Writes {@code count} instances of one new series of a new study into {@code dirs} round-robin
   * (several directories, one per storescu process).
   */
  static Series write(List<Path> dirs, int count, String patientId) {
    String study = newUid();
    String series = newUid();
    List<String> sops = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    try {
      for (Path dir : dirs) {
        Files.createDirectories(dir);
      }
      for (int i = 0; i < count; i++) {
        String sop = newUid();
        Path file = dirs.get(i % dirs.size()).resolve(String.format("CT%04d.dcm", i + 1));
        Files.write(file, encode(patientId, study, series, sop, i + 1));
        sops.add(sop);
        files.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Series(study, series, List.copyOf(sops), List.copyOf(files));
  }

  static byte[] encode(String patientId, String study, String series, String sop, int number) {
    ByteArrayOutputStream data = new ByteArrayOutputStream(512 * 512 * 2 + 2048);
    element(data, 0x0008, 0x0008, "CS", ascii("ORIGINAL\\PRIMARY\\AXIAL"));
    element(data, 0x0008, 0x0016, "UI", uid(CT_IMAGE_STORAGE));
    element(data, 0x0008, 0x0018, "UI", uid(sop));
    element(data, 0x0008, 0x0020, "DA", ascii("20261130"));
    element(data, 0x0008, 0x0030, "TM", ascii("013000"));
    element(data, 0x0008, 0x0050, "SH", ascii("IT" + Math.abs(study.hashCode() % 100000)));
    element(data, 0x0008, 0x0060, "CS", ascii("CT"));
    element(data, 0x0010, 0x0010, "PN", ascii("IT^" + patientId));
    element(data, 0x0010, 0x0020, "LO", ascii(patientId));
    element(data, 0x0020, 0x000D, "UI", uid(study));
    element(data, 0x0020, 0x000E, "UI", uid(series));
    element(data, 0x0020, 0x0010, "SH", ascii("1"));
    element(data, 0x0020, 0x0011, "IS", ascii("1"));
    element(data, 0x0020, 0x0013, "IS", ascii(Integer.toString(number)));
    element(data, 0x0028, 0x0002, "US", ushort(1));
    element(data, 0x0028, 0x0004, "CS", ascii("MONOCHROME2"));
    element(data, 0x0028, 0x0010, "US", ushort(512));
    element(data, 0x0028, 0x0011, "US", ushort(512));
    element(data, 0x0028, 0x0100, "US", ushort(16));
    element(data, 0x0028, 0x0101, "US", ushort(12));
    element(data, 0x0028, 0x0102, "US", ushort(11));
    element(data, 0x0028, 0x0103, "US", ushort(0));
    element(data, 0x0028, 0x1052, "DS", ascii("-1024"));
    element(data, 0x0028, 0x1053, "DS", ascii("1"));
    element(data, 0x7FE0, 0x0010, "OW", pixels(number, sop.hashCode()));

    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    element(meta, 0x0002, 0x0001, "OB", new byte[] {0, 1});
    element(meta, 0x0002, 0x0002, "UI", uid(CT_IMAGE_STORAGE));
    element(meta, 0x0002, 0x0003, "UI", uid(sop));
    element(meta, 0x0002, 0x0010, "UI", uid("1.2.840.10008.1.2.1"));
    element(meta, 0x0002, 0x0012, "UI", uid(IMPLEMENTATION_CLASS_UID));
    element(meta, 0x0002, 0x0013, "SH", ascii("ANNAL_IT"));

    return part10(meta.toByteArray(), data.toByteArray());
  }

  /**
   * A PS3.10 file: preamble, "DICM", the File Meta Information Group Length and then {@code meta}
   * (group 0002, Explicit VR Little Endian), then {@code data}. Also used by {@link QrData}.
   */
  static byte[] part10(byte[] meta, byte[] data) {
    ByteArrayOutputStream file = new ByteArrayOutputStream(data.length + meta.length + 200);
    file.writeBytes(new byte[128]);
    file.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
    element(file, 0x0002, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.length).array());
    file.writeBytes(meta);
    file.writeBytes(data);
    return file.toByteArray();
  }

  private static byte[] pixels(int number, int seed) {
    ByteBuffer buffer = ByteBuffer.allocate(512 * 512 * 2).order(ByteOrder.LITTLE_ENDIAN);
    int state = seed | 1;
    for (int y = 0; y < 512; y++) {
      for (int x = 0; x < 512; x++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        int dx = x - 256;
        int dy = y - 256;
        int body = dx * dx + (dy * dy * 2) < 200 * 200 ? 1064 + (number % 50) : 24;
        buffer.putShort((short) Math.min(4095, body + (state & 31)));
      }
    }
    return buffer.array();
  }

  /** One data element in Explicit VR Little Endian (PS3.5 §7.1.2). Also used by {@link QrData}. */
  static void element(ByteArrayOutputStream out, int group, int element, String vr, byte[] value) {
    ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    header.putShort((short) group).putShort((short) element).put(vr.getBytes(StandardCharsets.US_ASCII));
    if (LONG_VRS.contains(vr)) {
      header.putShort((short) 0).putInt(value.length);
    } else {
      header.putShort((short) value.length);
    }
    out.write(header.array(), 0, header.position());
    out.writeBytes(value);
  }

  private static byte[] ascii(String value) {
    String padded = value.length() % 2 == 0 ? value : value + " ";
    return padded.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] uid(String value) {
    byte[] raw = value.getBytes(StandardCharsets.US_ASCII);
    if (raw.length % 2 == 0) {
      return raw;
    }
    byte[] padded = new byte[raw.length + 1]; // UI pads with a NUL (PS3.5 §6.2)
    System.arraycopy(raw, 0, padded, 0, raw.length);
    return padded;
  }

  static byte[] ushort(int value) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array();
  }
}
