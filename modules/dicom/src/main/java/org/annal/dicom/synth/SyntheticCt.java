// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.annal.dicom.Uid;

/**
 * Writes synthetic, realistic CT Image Storage instances as PS3.10 files, for tests and benchmarks.
 *
 * <p>Each file has a 128-byte preamble, the "DICM" prefix and a File Meta Information group with
 * its group length (PS3.10 §7.1), then a data set in Explicit VR Little Endian (PS3.5 §A.2) with
 * the attributes of the CT Image IOD (PS3.3 §A.3): Patient, General Study, General Series, Frame of
 * Reference, General Equipment, General Image, Image Plane, Image Pixel, CT Image, VOI LUT and SOP
 * Common modules. Pixel data is a 512×512, 16-bit allocated, 12-bit stored MONOCHROME2 phantom
 * ({@link CtPhantom}) that changes from slice to slice; a file is 524,288 bytes of pixels plus
 * about 1.5 KB of header.
 *
 * <p>Everything derives from the seed: the same options give byte-identical files (so a data set
 * can be regenerated instead of stored), and UIDs are under the 2.25 root (PS3.5 §B.2). Nothing
 * depends on the clock. Layout: {@code st0001/se001/000001.dcm}, plus {@code manifest.tsv} listing
 * path, Study/Series/SOP Instance UIDs and size of each file.
 *
 * <p>Options: {@code nonAsciiNames} gives patients non-ASCII names encoded in UTF-8 under Specific
 * Character Set {@code ISO_IR 192} (PS3.3 §C.12.1.1.2); {@code metadataOnly} writes 8×8 images
 * (128 bytes of pixels) so that index and query benchmarks can use many instances cheaply while
 * the files stay valid CT images.
 *
 * <p>Command line: {@code java -cp annal-dicom.jar org.annal.dicom.synth.SyntheticCt --out DIR
 * [--studies 1] [--series 1] [--instances 200] [--seed 1] [--patients N] [--metadata-only]
 * [--non-ascii] [--matrix 512]}.
 */
public final class SyntheticCt {
  public static final int DEFAULT_MATRIX = 512;
  public static final int METADATA_ONLY_MATRIX = 8;
  public static final String MANIFEST = "manifest.tsv";

  /** The default repertoire's families and given names, upper case as many modalities send them. */
  private static final String[] FAMILY = {
    "SMITH", "JONES", "GARCIA", "MARTIN", "NGUYEN", "KOWALSKI", "OKAFOR", "LARSEN", "ROSSI", "TANAKA"
  };
  private static final String[] GIVEN = {
    "ANNA", "JOHN", "MARIA", "DAVID", "LINA", "PETER", "SARA", "OMAR", "ELENA", "TOM"
  };
  /** Latin, Greek, Cyrillic and CJK names: they exercise every UTF-8 sequence length. */
  private static final String[] NON_ASCII_NAMES = {
    "Müller^Jürgen", "Ødegård^Åse", "Dupré^Hélène", "Łukasiewicz^Zofia",
    "Γεωργίου^Ελένη", "Смирнов^Иван", "山田^太郎", "Núñez^José"
  };
  private static final String[] REFERRING = {
    "HOUSE^GREGORY^^DR", "QUINN^MICHAELA^^DR", "ROSS^DOUG^^DR", "YANG^CRISTINA^^DR"
  };
  private static final String[] STUDY_DESCRIPTIONS = {
    "CT CHEST W CONTRAST", "CT ABDOMEN PELVIS W CONTRAST", "CT HEAD WO CONTRAST",
    "CT CHEST ABDOMEN PELVIS"
  };
  private static final String[][] BODY_PARTS = {
    {"CHEST"}, {"ABDOMEN", "PELVIS"}, {"HEAD"}, {"CHEST", "ABDOMEN", "PELVIS"}
  };
  private static final double[] SLICE_THICKNESS = {1.25, 2.5, 0.625, 5.0};
  private static final double FIELD_OF_VIEW_MM = 358.4;

  /** One written file, as listed in the manifest. */
  public record GeneratedInstance(
      Path path,
      String studyInstanceUid,
      String seriesInstanceUid,
      String sopInstanceUid,
      long bytes) {}

  private final int studies;
  private final int seriesPerStudy;
  private final int instancesPerSeries;
  private final int patients;
  private final long seed;
  private final boolean metadataOnly;
  private final boolean nonAsciiNames;
  private final int matrix;

  private SyntheticCt(Builder b) {
    if (b.studies < 1 || b.seriesPerStudy < 1 || b.instancesPerSeries < 1) {
      throw new IllegalArgumentException("studies, series and instances must be at least 1");
    }
    if (b.studies > 9999 || b.seriesPerStudy > 999 || b.instancesPerSeries > 999_999) {
      throw new IllegalArgumentException("at most 9999 studies, 999 series, 999999 instances");
    }
    this.studies = b.studies;
    this.seriesPerStudy = b.seriesPerStudy;
    this.instancesPerSeries = b.instancesPerSeries;
    this.patients = b.patients > 0 ? Math.min(b.patients, b.studies) : b.studies;
    this.seed = b.seed;
    this.metadataOnly = b.metadataOnly;
    this.nonAsciiNames = b.nonAsciiNames;
    this.matrix = b.metadataOnly ? METADATA_ONLY_MATRIX : b.matrix;
    if (matrix < 1 || matrix > 4096) {
      throw new IllegalArgumentException("matrix must be 1..4096");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public int instanceCount() {
    return studies * seriesPerStudy * instancesPerSeries;
  }

  public String studyInstanceUid(int study) {
    return SyntheticUids.uid(seed, "study", study);
  }

  public String seriesInstanceUid(int study, int series) {
    return SyntheticUids.uid(seed, "series", study, series);
  }

  public String sopInstanceUid(int study, int series, int instance) {
    return SyntheticUids.uid(seed, "instance", study, series, instance);
  }

  /** Relative path of one instance's file; indexes are 0-based, names 1-based. */
  public static Path relativePath(int study, int series, int instance) {
    return Path.of(
        String.format(Locale.ROOT, "st%04d", study + 1),
        String.format(Locale.ROOT, "se%03d", series + 1),
        String.format(Locale.ROOT, "%06d.dcm", instance + 1));
  }

  /**
   * Writes all instances under {@code directory} (created if missing; existing files of the same
   * names are overwritten) and the manifest, using all cores: files are independent, so the output
   * does not depend on the order of writing.
   */
  public List<GeneratedInstance> generate(Path directory) throws IOException {
    Files.createDirectories(directory);
    GeneratedInstance[] written = new GeneratedInstance[instanceCount()];
    try {
      IntStream.range(0, written.length).parallel().forEach(i -> {
        int instance = i % instancesPerSeries;
        int series = (i / instancesPerSeries) % seriesPerStudy;
        int study = i / (instancesPerSeries * seriesPerStudy);
        Path relative = relativePath(study, series, instance);
        Path file = directory.resolve(relative);
        byte[] bytes = encode(study, series, instance);
        try {
          Files.createDirectories(file.getParent());
          Files.write(file, bytes);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        written[i] = new GeneratedInstance(relative, studyInstanceUid(study),
            seriesInstanceUid(study, series), sopInstanceUid(study, series, instance), bytes.length);
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<GeneratedInstance> result = List.of(written);
    writeManifest(directory.resolve(MANIFEST), result);
    return result;
  }

  private static void writeManifest(Path manifest, List<GeneratedInstance> instances)
      throws IOException {
    StringBuilder text = new StringBuilder(
        "path\tstudyInstanceUid\tseriesInstanceUid\tsopInstanceUid\tbytes\n");
    for (GeneratedInstance g : instances) {
      // Forward slashes whatever the platform: the manifest is read by shell scripts.
      text.append(g.path().toString().replace('\\', '/')).append('\t')
          .append(g.studyInstanceUid()).append('\t').append(g.seriesInstanceUid()).append('\t')
          .append(g.sopInstanceUid()).append('\t').append(g.bytes()).append('\n');
    }
    Files.writeString(manifest, text, StandardCharsets.UTF_8);
  }

  /** The complete PS3.10 file of one instance (indexes 0-based). */
  public byte[] encode(int study, int series, int instance) {
    checkIndex(study, studies, "study");
    checkIndex(series, seriesPerStudy, "series");
    checkIndex(instance, instancesPerSeries, "instance");
    String sopInstanceUid = sopInstanceUid(study, series, instance);
    ExplicitVrLittleEndianWriter w =
        new ExplicitVrLittleEndianWriter(matrix * matrix * 2 + 4096);
    writeFileMetaInformation(w, sopInstanceUid);
    w.startDataSet();
    writeDataSet(w, study, series, instance, sopInstanceUid);
    return w.toByteArray();
  }

  /** PS3.10 §7.1: preamble, prefix, then group 0002 in Explicit VR Little Endian. */
  private static void writeFileMetaInformation(ExplicitVrLittleEndianWriter w, String sopUid) {
    w.raw(new byte[128]);
    w.raw("DICM".getBytes(StandardCharsets.US_ASCII));
    w.unsignedLong(0x00020000, 0); // File Meta Information Group Length, patched below
    int lengthAt = w.position() - 4;
    int groupStart = w.position();
    w.otherByte(0x00020001, new byte[] {0, 1}); // File Meta Information Version
    w.uid(0x00020002, Uid.CT_IMAGE_STORAGE); // Media Storage SOP Class UID
    w.uid(0x00020003, sopUid); // Media Storage SOP Instance UID
    w.uid(0x00020010, Uid.EXPLICIT_VR_LITTLE_ENDIAN); // Transfer Syntax UID
    w.uid(0x00020012, Uid.ANNAL_IMPLEMENTATION_CLASS); // Implementation Class UID
    w.text(0x00020013, "SH", Uid.ANNAL_IMPLEMENTATION_VERSION); // Implementation Version Name
    w.patchInt(lengthAt, w.position() - groupStart);
  }

  private void writeDataSet(
      ExplicitVrLittleEndianWriter w, int study, int series, int instance, String sopUid) {
    int patient = study % patients;
    long studyMix = SyntheticUids.mix(seed, 1, study);
    long patientMix = SyntheticUids.mix(seed, 2, patient);
    int studyType = SyntheticUids.pick(studyMix, STUDY_DESCRIPTIONS.length);
    String[] parts = BODY_PARTS[studyType];
    String bodyPart = parts[series % parts.length];
    double thickness = SLICE_THICKNESS[series % SLICE_THICKNESS.length];
    double z = -instance * thickness;
    double spacing = FIELD_OF_VIEW_MM / matrix;

    String studyDate = date(LocalDate.of(2020, 1, 1).plusDays(SyntheticUids.pick(studyMix, 2000)));
    int studySecond = 7 * 3600 + SyntheticUids.pick(studyMix >>> 20, 11 * 3600);
    int seriesSecond = studySecond + 60 + series * 300;
    int contentMillis = seriesSecond * 1000 + 200 + instance * 150;

    Charset charset = nonAsciiNames ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII;
    String patientName = nonAsciiNames
        ? NON_ASCII_NAMES[SyntheticUids.pick(patientMix, NON_ASCII_NAMES.length)]
        : FAMILY[SyntheticUids.pick(patientMix, FAMILY.length)] + "^"
            + GIVEN[SyntheticUids.pick(patientMix >>> 16, GIVEN.length)];

    if (nonAsciiNames) {
      w.text(0x00080005, "CS", "ISO_IR 192"); // Specific Character Set
    }
    w.text(0x00080008, "CS", "ORIGINAL\\PRIMARY\\AXIAL"); // Image Type
    w.text(0x00080012, "DA", studyDate); // Instance Creation Date
    w.text(0x00080013, "TM", time(contentMillis)); // Instance Creation Time
    w.uid(0x00080016, Uid.CT_IMAGE_STORAGE); // SOP Class UID
    w.uid(0x00080018, sopUid); // SOP Instance UID
    w.text(0x00080020, "DA", studyDate); // Study Date
    w.text(0x00080021, "DA", studyDate); // Series Date
    w.text(0x00080022, "DA", studyDate); // Acquisition Date
    w.text(0x00080023, "DA", studyDate); // Content Date
    w.text(0x00080030, "TM", time(studySecond * 1000)); // Study Time
    w.text(0x00080031, "TM", time(seriesSecond * 1000)); // Series Time
    w.text(0x00080032, "TM", time(contentMillis)); // Acquisition Time
    w.text(0x00080033, "TM", time(contentMillis)); // Content Time
    w.text(0x00080050, "SH", String.format(Locale.ROOT, "A%08d", // Accession Number
        SyntheticUids.pick(studyMix >>> 8, 100_000_000)));
    w.text(0x00080060, "CS", "CT"); // Modality
    w.text(0x00080070, "LO", "Annal"); // Manufacturer
    w.text(0x00080080, "LO", "Annal Synthetic Hospital"); // Institution Name
    w.text(0x00080090, "PN", // Referring Physician's Name
        REFERRING[SyntheticUids.pick(studyMix >>> 4, REFERRING.length)]);
    w.text(0x00081010, "SH", "SYNTH01"); // Station Name
    w.text(0x00081030, "LO", STUDY_DESCRIPTIONS[studyType]); // Study Description
    w.text(0x0008103E, "LO", String.format(Locale.ROOT, // Series Description
        "%s AXIAL %smm", bodyPart, decimal(thickness)));
    w.text(0x00081090, "LO", "SyntheticCt"); // Manufacturer's Model Name
    w.text(0x00100010, "PN", patientName, charset); // Patient's Name
    w.text(0x00100020, "LO", // Patient ID
        String.format(Locale.ROOT, "SYN%d-%05d", seed, patient + 1));
    w.text(0x00100030, "DA", date(LocalDate.of(1930, 1, 1) // Patient's Birth Date
        .plusDays(SyntheticUids.pick(patientMix >>> 24, 365 * 70))));
    w.text(0x00100040, "CS", // Patient's Sex
        SyntheticUids.pick(patientMix >>> 40, 2) == 0 ? "F" : "M");
    w.text(0x00180015, "CS", bodyPart); // Body Part Examined
    w.text(0x00180050, "DS", decimal(thickness)); // Slice Thickness
    w.text(0x00180060, "DS", "120"); // KVP
    w.text(0x00181020, "LO", Uid.ANNAL_IMPLEMENTATION_VERSION); // Software Versions
    w.text(0x00181151, "IS", "250"); // X-Ray Tube Current
    w.text(0x00181210, "SH", "STANDARD"); // Convolution Kernel
    w.text(0x00185100, "CS", "HFS"); // Patient Position
    w.uid(0x0020000D, studyInstanceUid(study)); // Study Instance UID
    w.uid(0x0020000E, seriesInstanceUid(study, series)); // Series Instance UID
    w.text(0x00200010, "SH", Integer.toString(study + 1)); // Study ID
    w.text(0x00200011, "IS", Integer.toString(series + 1)); // Series Number
    w.text(0x00200012, "IS", "1"); // Acquisition Number
    w.text(0x00200013, "IS", Integer.toString(instance + 1)); // Instance Number
    double origin = -FIELD_OF_VIEW_MM / 2;
    w.text(0x00200032, "DS", // Image Position (Patient)
        decimal(origin) + "\\" + decimal(origin) + "\\" + decimal(z));
    w.text(0x00200037, "DS", "1\\0\\0\\0\\1\\0"); // Image Orientation (Patient)
    w.uid(0x00200052, // Frame of Reference UID
        SyntheticUids.uid(seed, "frame-of-reference", study, series));
    w.text(0x00201040, "LO", ""); // Position Reference Indicator (type 2, empty)
    w.text(0x00201041, "DS", decimal(z)); // Slice Location
    w.unsignedShort(0x00280002, 1); // Samples per Pixel
    w.text(0x00280004, "CS", "MONOCHROME2"); // Photometric Interpretation
    w.unsignedShort(0x00280010, matrix); // Rows
    w.unsignedShort(0x00280011, matrix); // Columns
    w.text(0x00280030, "DS", decimal(spacing) + "\\" + decimal(spacing)); // Pixel Spacing
    w.unsignedShort(0x00280100, 16); // Bits Allocated
    w.unsignedShort(0x00280101, 12); // Bits Stored
    w.unsignedShort(0x00280102, 11); // High Bit
    w.unsignedShort(0x00280103, 0); // Pixel Representation: unsigned
    w.text(0x00281050, "DS", "40"); // Window Center
    w.text(0x00281051, "DS", "400"); // Window Width
    w.text(0x00281052, "DS", Integer.toString(CtPhantom.RESCALE_INTERCEPT)); // Rescale Intercept
    w.text(0x00281053, "DS", "1"); // Rescale Slope
    w.text(0x00281054, "LO", "HU"); // Rescale Type
    short[] pixels = new short[matrix * matrix];
    CtPhantom.render(pixels, matrix, matrix, z, SyntheticUids.mix(seed, 3, study, series, instance));
    w.otherWord(0x7FE00010, pixels); // Pixel Data
  }

  private static void checkIndex(int index, int bound, String what) {
    if (index < 0 || index >= bound) {
      throw new IndexOutOfBoundsException(what + " " + index + " not in [0, " + bound + ")");
    }
  }

  /** DA: YYYYMMDD (PS3.5 §6.2). */
  private static String date(LocalDate d) {
    return String.format(Locale.ROOT, "%04d%02d%02d", d.getYear(), d.getMonthValue(),
        d.getDayOfMonth());
  }

  /** TM: HHMMSS.FFF (PS3.5 §6.2), wrapping at midnight. */
  private static String time(int millisOfDay) {
    int ms = Math.floorMod(millisOfDay, 86_400_000);
    return String.format(Locale.ROOT, "%02d%02d%02d.%03d", ms / 3_600_000, ms / 60_000 % 60,
        ms / 1000 % 60, ms % 1000);
  }

  /** DS: at most 16 characters (PS3.5 §6.2); no exponent, no trailing zeros. */
  static String decimal(double value) {
    String s = String.format(Locale.ROOT, "%.6f", value);
    s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    if (s.equals("-0")) {
      s = "0";
    }
    if (s.length() > 16) {
      throw new IllegalArgumentException("DS value too long: " + s);
    }
    return s;
  }

  /** Options; the defaults give one study of one series of 200 full-size instances, seed 1. */
  public static final class Builder {
    private int studies = 1;
    private int seriesPerStudy = 1;
    private int instancesPerSeries = 200;
    private int patients;
    private long seed = 1;
    private boolean metadataOnly;
    private boolean nonAsciiNames;
    private int matrix = DEFAULT_MATRIX;

    private Builder() {}

    public Builder studies(int n) {
      this.studies = n;
      return this;
    }

    public Builder seriesPerStudy(int n) {
      this.seriesPerStudy = n;
      return this;
    }

    public Builder instancesPerSeries(int n) {
      this.instancesPerSeries = n;
      return this;
    }

    /** Number of distinct patients the studies are spread over; 0 means one per study. */
    public Builder patients(int n) {
      this.patients = n;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder metadataOnly(boolean b) {
      this.metadataOnly = b;
      return this;
    }

    public Builder nonAsciiNames(boolean b) {
      this.nonAsciiNames = b;
      return this;
    }

    /** Rows = Columns of each image; ignored when metadata-only. */
    public Builder matrix(int n) {
      this.matrix = n;
      return this;
    }

    public SyntheticCt build() {
      return new SyntheticCt(this);
    }
  }

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The command line without {@code System.exit}: 0 done, 1 I/O failure, 2 usage error. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Builder b = builder();
    Path outDir = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--out" -> outDir = Path.of(value(args, ++i, a));
          case "--studies" -> b.studies(Integer.parseInt(value(args, ++i, a)));
          case "--series" -> b.seriesPerStudy(Integer.parseInt(value(args, ++i, a)));
          case "--instances" -> b.instancesPerSeries(Integer.parseInt(value(args, ++i, a)));
          case "--patients" -> b.patients(Integer.parseInt(value(args, ++i, a)));
          case "--seed" -> b.seed(Long.parseLong(value(args, ++i, a)));
          case "--matrix" -> b.matrix(Integer.parseInt(value(args, ++i, a)));
          case "--metadata-only" -> b.metadataOnly(true);
          case "--non-ascii" -> b.nonAsciiNames(true);
          case "--help", "-h" -> {
            out.println(usage());
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (outDir == null) {
        throw new IllegalArgumentException("--out DIR is required");
      }
      SyntheticCt generator = b.build();
      long start = System.nanoTime();
      List<GeneratedInstance> written = generator.generate(outDir);
      double seconds = (System.nanoTime() - start) / 1e9;
      long bytes = written.stream().mapToLong(GeneratedInstance::bytes).sum();
      out.printf(Locale.ROOT,
          "SyntheticCt: wrote %d instances (%d studies x %d series x %d), %d bytes, in %.1f s to %s%n",
          written.size(), generator.studies, generator.seriesPerStudy, generator.instancesPerSeries,
          bytes, seconds, outDir.toAbsolutePath().resolve(MANIFEST));
      return 0;
    } catch (IllegalArgumentException e) { // NumberFormatException included
      err.println("SyntheticCt: " + e.getMessage());
      err.println(usage());
      return 2;
    } catch (IOException e) {
      err.println("SyntheticCt: " + e);
      return 1;
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static String usage() {
    return String.join(System.lineSeparator(), Arrays.asList(
        "usage: SyntheticCt --out DIR [--studies 1] [--series 1] [--instances 200] [--seed 1]",
        "                   [--patients N] [--metadata-only] [--non-ascii] [--matrix 512]",
        "  writes studies x series x instances CT files (PS3.10, Explicit VR Little Endian)",
        "  --instances       instances per series",
        "  --patients        spread the studies over N patients (default: one per study)",
        "  --metadata-only   8x8 images (128 bytes of pixel data) for index benchmarks",
        "  --non-ascii       UTF-8 patient names with Specific Character Set ISO_IR 192"));
  }
}
