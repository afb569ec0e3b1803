// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.annal.dicom.Uid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCtTest {
  private static final int PIXEL_DATA = 0x7FE00010;
  private static final int PIXEL_BYTES = 512 * 512 * 2;
  /** PS3.5 §9.1: components without leading zeros (except "0" itself), at most 64 characters. */
  private static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");

  @Test
  void fileIsPart10WithExactGroupLengthAndAscendingEvenLengthElements() {
    byte[] file = SyntheticCt.builder().build().encode(0, 0, 0);
    Map<Integer, byte[]> meta = new LinkedHashMap<>();
    Map<Integer, byte[]> data = new LinkedHashMap<>();
    walk(file, meta, data);

    int groupLength = ByteBuffer.wrap(meta.get(0x00020000)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int metaEnd = 132 + 12 + groupLength;
    // The first data set element starts right after the group: (0008,xxxx) little endian.
    assertEquals(0x08, file[metaEnd]);
    assertEquals(0x00, file[metaEnd + 1]);
    assertArrayEquals(new byte[] {0, 1}, meta.get(0x00020001));
    assertEquals(Uid.CT_IMAGE_STORAGE, uid(meta.get(0x00020002)));
    assertEquals(Uid.EXPLICIT_VR_LITTLE_ENDIAN, uid(meta.get(0x00020010)));
    assertEquals(uid(data.get(0x00080018)), uid(meta.get(0x00020003)));
    assertEquals(Uid.CT_IMAGE_STORAGE, uid(data.get(0x00080016)));
    assertEquals("CT", text(data.get(0x00080060)));
    assertEquals("MONOCHROME2", text(data.get(0x00280004)));
    assertEquals(512, unsignedShort(data.get(0x00280010)));
    assertEquals(512, unsignedShort(data.get(0x00280011)));
    assertEquals(16, unsignedShort(data.get(0x00280100)));
    assertEquals(12, unsignedShort(data.get(0x00280101)));
    assertEquals(11, unsignedShort(data.get(0x00280102)));
    assertEquals(PIXEL_BYTES, data.get(PIXEL_DATA).length);
    assertTrue(file.length > PIXEL_BYTES && file.length < PIXEL_BYTES + 4096, "size " + file.length);
  }

  @Test
  void everyTypeOneAttributeOfTheCtImageIodIsPresent() {
    Map<Integer, byte[]> data = new LinkedHashMap<>();
    walk(SyntheticCt.builder().build().encode(0, 0, 0), new LinkedHashMap<>(), data);
    int[] required = {
      0x00080008, 0x00080016, 0x00080018, 0x00080020, 0x00080030, 0x00080050, 0x00080060,
      0x00080090, 0x00100010, 0x00100020, 0x00180050, 0x00180060, 0x0020000D, 0x0020000E,
      0x00200011, 0x00200013, 0x00200032, 0x00200037, 0x00200052, 0x00280002, 0x00280004,
      0x00280010, 0x00280011, 0x00280030, 0x00280100, 0x00280101, 0x00280102, 0x00280103,
      0x00281050, 0x00281051, 0x00281052, 0x00281053, PIXEL_DATA
    };
    for (int tag : required) {
      assertTrue(data.containsKey(tag), String.format("missing (%08X)", tag));
      assertTrue(data.get(tag).length > 0, String.format("empty (%08X)", tag));
    }
    assertFalse(data.containsKey(0x00080005), "no Specific Character Set for ASCII names");
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() {
    SyntheticCt a = SyntheticCt.builder().seriesPerStudy(2).instancesPerSeries(3).seed(7).build();
    SyntheticCt b = SyntheticCt.builder().seriesPerStudy(2).instancesPerSeries(3).seed(7).build();
    SyntheticCt other = SyntheticCt.builder().seriesPerStudy(2).instancesPerSeries(3).seed(8).build();
    assertArrayEquals(a.encode(0, 1, 2), b.encode(0, 1, 2));
    assertNotEquals(a.studyInstanceUid(0), other.studyInstanceUid(0));
    assertFalse(Arrays.equals(pixels(a.encode(0, 0, 0)), pixels(other.encode(0, 0, 0))));
  }

  @Test
  void pixelsAreA12BitPhantomThatChangesFromSliceToSlice() {
    SyntheticCt ct = SyntheticCt.builder().instancesPerSeries(2).build();
    byte[] first = pixels(ct.encode(0, 0, 0));
    byte[] second = pixels(ct.encode(0, 0, 1));
    assertFalse(Arrays.equals(first, second));
    Set<Integer> distinct = new HashSet<>();
    ByteBuffer words = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    while (words.hasRemaining()) {
      int v = words.getShort() & 0xFFFF;
      distinct.add(v);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(max <= 4095, "Bits Stored 12, but saw " + max);
    // Air (-1000 HU) and bone (+700 HU) are both in the image, with noise around them.
    assertTrue(min < 1024 - 900 && max > 1024 + 600, min + ".." + max);
    assertTrue(distinct.size() > 100, "only " + distinct.size() + " distinct values");
  }

  @Test
  void nonAsciiNamesAreUtf8UnderIsoIr192() {
    SyntheticCt ct = SyntheticCt.builder().studies(8).nonAsciiNames(true).build();
    Set<String> names = new HashSet<>();
    for (int study = 0; study < 8; study++) {
      Map<Integer, byte[]> data = new LinkedHashMap<>();
      walk(ct.encode(study, 0, 0), new LinkedHashMap<>(), data);
      assertEquals("ISO_IR 192", text(data.get(0x00080005)));
      String name = new String(data.get(0x00100010), StandardCharsets.UTF_8).stripTrailing();
      assertTrue(name.chars().anyMatch(c -> c > 127), name);
      names.add(name);
    }
    assertTrue(names.size() > 1, "every patient has the same name: " + names);
  }

  @Test
  void metadataOnlyKeepsAValidImageButTinyPixelData() {
    byte[] file = SyntheticCt.builder().metadataOnly(true).build().encode(0, 0, 0);
    Map<Integer, byte[]> data = new LinkedHashMap<>();
    walk(file, new LinkedHashMap<>(), data);
    assertEquals(8, unsignedShort(data.get(0x00280010)));
    assertEquals(8 * 8 * 2, data.get(PIXEL_DATA).length);
    assertTrue(file.length < 2048, "size " + file.length);
  }

  @Test
  void uidsAreValidUnder225AndUnique() {
    SyntheticCt ct = SyntheticCt.builder().studies(3).seriesPerStudy(3).instancesPerSeries(50)
        .build();
    Set<String> seen = new HashSet<>();
    for (int st = 0; st < 3; st++) {
      assertTrue(seen.add(ct.studyInstanceUid(st)));
      for (int se = 0; se < 3; se++) {
        assertTrue(seen.add(ct.seriesInstanceUid(st, se)));
        for (int in = 0; in < 50; in++) {
          String uid = ct.sopInstanceUid(st, se, in);
          assertTrue(uid.startsWith("2.25.") && uid.length() <= 64, uid);
          assertTrue(UID.matcher(uid).matches(), uid);
          assertTrue(seen.add(uid), "duplicate " + uid);
        }
      }
    }
  }

  @Test
  void generateWritesTheTreeAndAManifestTwiceTheSame(@TempDir Path dir) throws IOException {
    SyntheticCt ct = SyntheticCt.builder().studies(2).seriesPerStudy(2).instancesPerSeries(3)
        .seed(42).metadataOnly(true).build();
    List<SyntheticCt.GeneratedInstance> first = ct.generate(dir.resolve("a"));
    List<SyntheticCt.GeneratedInstance> second = ct.generate(dir.resolve("b"));
    assertEquals(12, first.size());
    assertEquals(first, second);
    try (Stream<Path> files = Files.walk(dir.resolve("a"))) {
      assertEquals(12, files.filter(p -> p.toString().endsWith(".dcm")).count());
    }
    for (SyntheticCt.GeneratedInstance g : first) {
      byte[] a = Files.readAllBytes(dir.resolve("a").resolve(g.path()));
      assertArrayEquals(a, Files.readAllBytes(dir.resolve("b").resolve(g.path())));
      assertEquals(g.bytes(), a.length);
    }
    List<String> manifest = Files.readAllLines(dir.resolve("a").resolve(SyntheticCt.MANIFEST));
    assertEquals(13, manifest.size());
    assertEquals("st0002/se002/000003.dcm", manifest.get(12).split("\t")[0]);
    assertEquals(ct.sopInstanceUid(1, 1, 2), manifest.get(12).split("\t")[3]);
    assertEquals(2, first.stream().map(SyntheticCt.GeneratedInstance::studyInstanceUid)
        .distinct().count());
  }

  @Test
  void decimalStringsFitPs35() {
    assertEquals("0.7", SyntheticCt.decimal(358.4 / 512));
    assertEquals("-179.2", SyntheticCt.decimal(-179.2));
    assertEquals("0", SyntheticCt.decimal(-0.0));
    assertEquals("-4999995", SyntheticCt.decimal(-999_999 * 5.0));
  }

  @Test
  void rejectsNonsenseOptions() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticCt.builder().studies(0).build());
    assertThrows(IndexOutOfBoundsException.class,
        () -> SyntheticCt.builder().build().encode(0, 1, 0));
  }

  @Test
  void commandLineWritesTheRequestedTreeAndRejectsBadOptions(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = SyntheticCt.run(new String[] {"--out", dir.toString(), "--studies", "2",
        "--series", "1", "--instances", "3", "--seed", "5", "--metadata-only"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("wrote 6 instances"));
    assertTrue(Files.isRegularFile(dir.resolve("st0002/se001/000003.dcm")));
    assertFalse(Files.exists(dir.resolve("st0003")));
    SyntheticCt same = SyntheticCt.builder().studies(2).instancesPerSeries(3).seed(5)
        .metadataOnly(true).build();
    assertArrayEquals(same.encode(1, 0, 2), Files.readAllBytes(dir.resolve("st0002/se001/000003.dcm")));

    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertEquals(2, SyntheticCt.run(new String[] {"--studies", "1"}, quiet, quiet), "no --out");
    assertEquals(2, SyntheticCt.run(new String[] {"--out", dir.toString(), "--bogus"}, quiet, quiet));
    assertEquals(2, SyntheticCt.run(new String[] {"--out", dir.toString(), "--instances", "x"},
        quiet, quiet));
  }

  /**
   * An independent reader of what the generator claims to write: preamble, "DICM", then Explicit
   * VR Little Endian elements to the last byte, tags ascending in each data set, lengths even.
   */
  static void walk(byte[] file, Map<Integer, byte[]> meta, Map<Integer, byte[]> data) {
    for (int i = 0; i < 128; i++) {
      assertEquals(0, file[i], "preamble byte " + i);
    }
    assertEquals("DICM", new String(file, 128, 4, StandardCharsets.US_ASCII));
    ByteBuffer in = ByteBuffer.wrap(file, 132, file.length - 132).order(ByteOrder.LITTLE_ENDIAN);
    long previous = -1;
    boolean inMeta = true;
    while (in.hasRemaining()) {
      int group = in.getShort() & 0xFFFF;
      int element = in.getShort() & 0xFFFF;
      long tag = ((long) group << 16) | element;
      String vr = "" + (char) in.get() + (char) in.get();
      long length;
      if (Set.of("OB", "OW", "OF", "SQ", "UT", "UN").contains(vr)) {
        assertEquals(0, in.getShort(), "reserved bytes");
        length = in.getInt() & 0xFFFFFFFFL;
      } else {
        length = in.getShort() & 0xFFFF;
      }
      if (inMeta && group != 2) {
        inMeta = false;
        previous = -1;
      }
      assertTrue(tag > previous, String.format("(%08X) after (%08X)", tag, previous));
      assertEquals(0, length % 2, String.format("odd length of (%08X)", tag));
      assertTrue(length <= in.remaining(), String.format("(%08X) overruns the file", tag));
      byte[] value = new byte[(int) length];
      in.get(value);
      (inMeta ? meta : data).put((int) tag, value);
      previous = tag;
    }
    int groupLength = ByteBuffer.wrap(meta.get(0x00020000)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int measured = 0;
    for (Map.Entry<Integer, byte[]> e : meta.entrySet()) {
      if (e.getKey() != 0x00020000) {
        measured += 8 + e.getValue().length + (e.getKey() == 0x00020001 ? 4 : 0);
      }
    }
    assertEquals(measured, groupLength, "File Meta Information Group Length");
  }

  private static byte[] pixels(byte[] file) {
    Map<Integer, byte[]> data = new LinkedHashMap<>();
    walk(file, new LinkedHashMap<>(), data);
    return data.get(PIXEL_DATA);
  }

  private static String uid(byte[] value) {
    return new String(value, StandardCharsets.US_ASCII).replace("\0", "");
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.US_ASCII).stripTrailing();
  }

  private static int unsignedShort(byte[] value) {
    return (value[0] & 0xFF) | (value[1] & 0xFF) << 8;
  }
}
