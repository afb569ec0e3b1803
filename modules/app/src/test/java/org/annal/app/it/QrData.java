// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.annal.app.it.SyntheticCtSeries.uid;
import static org.annal.app.it.SyntheticCtSeries.ushort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The archive {@link QueryRetrieveIT} stores and queries: patients, studies, series and instances
 * whose every attribute the test chooses (names with non-ASCII characters under ISO_IR 192 and
 * ISO_IR 100, study dates and times, modalities), so that each C-FIND answer can be computed
 * exactly from this model. Written as PS3.10 files in Explicit VR Little Endian, without group
 * lengths, even-padded: bytes storescu sends unchanged.
 *
 * <p>Written here rather than with annal-dicom's {@code SyntheticCt}: that generator fixes the
 * modality (CT) and derives names and dates from its seed, and the data the suite stores should
 * not come from the code under test.
 */
final class QrData {
  static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";
  static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
  /** Rows = Columns of a "metadata-only" instance: 8×8×2 bytes of pixels. */
  static final int SMALL = 8;
  /** A full-size CT slice: 512×512×2 = 512 KiB of pixels. */
  static final int FULL = 512;


  /**
   * @param charset Specific Character Set (0008,0005) of the patient's instances, or null
   *     (default repertoire)
   */
  record Patient(String id, String name, String charset, String sex, String birthDate) {
    Charset javaCharset() {
      if (charset == null) {
        return StandardCharsets.US_ASCII;
      }
      return switch (charset) {
        case "ISO_IR 192" -> StandardCharsets.UTF_8;
        case "ISO_IR 100" -> StandardCharsets.ISO_8859_1;
        default -> throw new IllegalArgumentException(charset);
      };
    }
  }

  record Instance(String sopInstanceUid, int number, Path file) {}

  record Series(String seriesInstanceUid, String modality, int number, String description,
      String sopClassUid, int matrix, List<Instance> instances) {}

  record Study(Patient patient, String studyInstanceUid, String date, String time, String accession,
      String description, String studyId, List<Series> series) {
    int instanceCount() {
      return series.stream().mapToInt(s -> s.instances().size()).sum();
    }

    /** ModalitiesInStudy as a set (the order of the returned values is not the test's business). */
    Set<String> modalities() {
      Set<String> out = new LinkedHashSet<>();
      series.forEach(s -> out.add(s.modality()));
      return out;
    }

    List<Instance> instances() {
      List<Instance> out = new ArrayList<>();
      series.forEach(s -> out.addAll(s.instances()));
      return out;
    }
  }

  private final Path root;
  private final List<Study> studies = new ArrayList<>();
  private int counter;

  QrData(Path root) {
    this.root = root;
  }

  List<Study> studies() {
    return List.copyOf(studies);
  }

  /** Every instance file, by SOP Instance UID. */
  Map<String, Path> files() {
    Map<String, Path> out = new LinkedHashMap<>();
    for (Study study : studies) {
      study.instances().forEach(i -> out.put(i.sopInstanceUid(), i.file()));
    }
    return out;
  }

  /** Series spec for {@link #study}: modality, number of instances, matrix (SMALL or FULL). */
  record SeriesSpec(String modality, int instances, int matrix) {}

  static SeriesSpec series(String modality, int instances) {
    return new SeriesSpec(modality, instances, SMALL);
  }

  /** Writes the files of one new study and returns its model. */
  Study study(Patient patient, String date, String time, String description, SeriesSpec... specs) {
    int index = ++counter;
    String studyUid = SyntheticCtSeries.newUid();
    List<Series> seriesList = new ArrayList<>();
    for (int s = 0; s < specs.length; s++) {
      SeriesSpec spec = specs[s];
      String sopClass = switch (spec.modality()) {
        case "CT" -> CT_IMAGE_STORAGE;
        case "MR" -> MR_IMAGE_STORAGE;
        default -> SECONDARY_CAPTURE;
      };
      List<Instance> instances = new ArrayList<>();
      for (int n = 1; n <= spec.instances(); n++) {
        Path file = root.resolve(String.format("st%03d/se%02d/%04d.dcm", index, s + 1, n));
        instances.add(new Instance(SyntheticCtSeries.newUid(), n, file));
      }
      seriesList.add(new Series(SyntheticCtSeries.newUid(), spec.modality(), s + 1,
          spec.modality() + " SERIES " + (s + 1), sopClass, spec.matrix(), List.copyOf(instances)));
    }
    Study study = new Study(patient, studyUid, date, time, String.format("QRA%05d", index), description,
        Integer.toString(index), List.copyOf(seriesList));
    for (Series series : study.series()) {
      for (Instance instance : series.instances()) {
        write(instance.file(), encode(study, series, instance.sopInstanceUid(), instance.number()));
      }
    }
    studies.add(study);
    return study;
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] encode(Study study, Series series, String sop, int number) {
    Patient p = study.patient();
    Charset cs = p.javaCharset();
    ByteArrayOutputStream data = new ByteArrayOutputStream(series.matrix() * series.matrix() * 2 + 2048);
    if (p.charset() != null) {
      text(data, 0x00080005, "CS", p.charset());
    }
    text(data, 0x00080008, "CS", "ORIGINAL\\PRIMARY\\AXIAL");
    element(data, 0x00080016, "UI", uid(series.sopClassUid()));
    element(data, 0x00080018, "UI", uid(sop));
    text(data, 0x00080020, "DA", study.date());
    text(data, 0x00080021, "DA", study.date());
    text(data, 0x00080030, "TM", study.time());
    text(data, 0x00080031, "TM", study.time());
    text(data, 0x00080050, "SH", study.accession());
    text(data, 0x00080060, "CS", series.modality());
    text(data, 0x00080090, "PN", "REFERRER^QR");
    text(data, 0x00081030, "LO", study.description());
    text(data, 0x0008103E, "LO", series.description());
    element(data, 0x00100010, "PN", padded(p.name().getBytes(cs), (byte) ' '));
    text(data, 0x00100020, "LO", p.id());
    text(data, 0x00100030, "DA", p.birthDate());
    text(data, 0x00100040, "CS", p.sex());
    element(data, 0x0020000D, "UI", uid(study.studyInstanceUid()));
    element(data, 0x0020000E, "UI", uid(series.seriesInstanceUid()));
    text(data, 0x00200010, "SH", study.studyId());
    text(data, 0x00200011, "IS", Integer.toString(series.number()));
    text(data, 0x00200013, "IS", Integer.toString(number));
    element(data, 0x00280002, "US", ushort(1));
    text(data, 0x00280004, "CS", "MONOCHROME2");
    element(data, 0x00280010, "US", ushort(series.matrix()));
    element(data, 0x00280011, "US", ushort(series.matrix()));
    element(data, 0x00280100, "US", ushort(16));
    element(data, 0x00280101, "US", ushort(12));
    element(data, 0x00280102, "US", ushort(11));
    element(data, 0x00280103, "US", ushort(0));
    element(data, 0x7FE00010, "OW", pixels(series.matrix(), sop.hashCode()));

    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    element(meta, 0x00020001, "OB", new byte[] {0, 1});
    element(meta, 0x00020002, "UI", uid(series.sopClassUid()));
    element(meta, 0x00020003, "UI", uid(sop));
    element(meta, 0x00020010, "UI", uid(Dcmtk.EXPLICIT_LE));
    element(meta, 0x00020012, "UI", uid(SyntheticCtSeries.IMPLEMENTATION_CLASS_UID));
    text(meta, 0x00020013, "SH", "ANNAL_QR_IT");
    return SyntheticCtSeries.part10(meta.toByteArray(), data.toByteArray());
  }

  /**
   * A C-FIND / C-MOVE query file for findscu's {@code dcmfile-in}: keys as (tag, VR, value), the
   * values encoded in {@code charset} (Java charset), so that a non-ASCII key reaches the node in
   * exactly the bytes its Specific Character Set says, whatever the locale of the test JVM.
   */
  static void writeQuery(Path file, String sopClassUid, Charset charset, List<QueryKey> keys) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    keys.stream().sorted((a, b) -> Integer.compareUnsigned(a.tag(), b.tag())).forEach(k -> {
      byte[] value = k.value().getBytes(k.vr().equals("UI") ? StandardCharsets.US_ASCII : charset);
      element(data, k.tag(), k.vr(), padded(value, k.vr().equals("UI") ? (byte) 0 : (byte) ' '));
    });
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    element(meta, 0x00020001, "OB", new byte[] {0, 1});
    element(meta, 0x00020002, "UI", uid(sopClassUid));
    element(meta, 0x00020003, "UI", uid(SyntheticCtSeries.newUid()));
    element(meta, 0x00020010, "UI", uid(Dcmtk.EXPLICIT_LE));
    element(meta, 0x00020012, "UI", uid(SyntheticCtSeries.IMPLEMENTATION_CLASS_UID));
    write(file, SyntheticCtSeries.part10(meta.toByteArray(), data.toByteArray()));
  }

  /** One key of a query file. */
  record QueryKey(int tag, String vr, String value) {}

  private static byte[] pixels(int matrix, int seed) {
    ByteBuffer buffer = ByteBuffer.allocate(matrix * matrix * 2).order(ByteOrder.LITTLE_ENDIAN);
    int state = seed | 1;
    for (int i = 0; i < matrix * matrix; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      buffer.putShort((short) (state & 0x0FFF));
    }
    return buffer.array();
  }

  private static void text(ByteArrayOutputStream out, int tag, String vr, String value) {
    element(out, tag, vr, padded(value.getBytes(StandardCharsets.US_ASCII), (byte) ' '));
  }

  /** {@link SyntheticCtSeries#element} with the tag as one number, e.g. 0x00100010. */
  private static void element(ByteArrayOutputStream out, int tag, String vr, byte[] value) {
    SyntheticCtSeries.element(out, tag >>> 16, tag & 0xFFFF, vr, value);
  }

  private static byte[] padded(byte[] raw, byte pad) {
    if (raw.length % 2 == 0) {
      return raw;
    }
    byte[] out = new byte[raw.length + 1];
    System.arraycopy(raw, 0, out, 0, raw.length);
    out[raw.length] = pad;
    return out;
  }
}
