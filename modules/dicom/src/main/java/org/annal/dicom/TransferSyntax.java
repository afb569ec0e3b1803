// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A transfer syntax (PS3.5 §10, Annex A; registry in PS3.6 Annex A) and how it encodes a data set.
 *
 * <p>Every non-Implicit syntax uses Explicit VR Little Endian for the data set (PS3.5 §A.4),
 * except Explicit VR Big Endian (PS3.5 §A.3, retired). "Encapsulated" means Pixel Data is a
 * sequence of fragments (PS3.5 §A.4); "deflated" that the whole data set is a raw deflate stream
 * (PS3.5 §A.5). Syntaxes whose pixel data is referenced rather than sent (JPIP, SMPTE ST 2110) are
 * not encapsulated.
 *
 * @param uid the transfer syntax UID
 * @param name the PS3.6 name
 * @param explicitVr whether element headers carry a VR
 * @param bigEndian whether numbers are big-endian
 * @param deflated whether the data set is deflated (PS3.5 §A.5)
 * @param encapsulated whether Pixel Data is encapsulated (PS3.5 §A.4)
 * @param retired whether PS3.6 lists it as retired
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian,
    boolean deflated, boolean encapsulated, boolean retired) {

  public static final TransferSyntax IMPLICIT_VR_LITTLE_ENDIAN =
      new TransferSyntax(Uid.IMPLICIT_VR_LITTLE_ENDIAN, "Implicit VR Little Endian",
          false, false, false, false, false);
  public static final TransferSyntax EXPLICIT_VR_LITTLE_ENDIAN =
      new TransferSyntax(Uid.EXPLICIT_VR_LITTLE_ENDIAN, "Explicit VR Little Endian",
          true, false, false, false, false);
  public static final TransferSyntax DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN =
      new TransferSyntax(Uid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
          "Deflated Explicit VR Little Endian", true, false, true, false, false);
  public static final TransferSyntax EXPLICIT_VR_BIG_ENDIAN =
      new TransferSyntax(Uid.EXPLICIT_VR_BIG_ENDIAN, "Explicit VR Big Endian",
          true, true, false, false, true);

  /** The four syntaxes whose data sets this module reads and writes element by element. */
  public static final List<TransferSyntax> UNCOMPRESSED = List.of(IMPLICIT_VR_LITTLE_ENDIAN,
      EXPLICIT_VR_LITTLE_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN);

  /** All standard transfer syntaxes, active and retired, in PS3.6 Annex A order. */
  public static final List<TransferSyntax> ALL_STANDARD;

  private static final Map<String, TransferSyntax> BY_UID = new LinkedHashMap<>();

  static {
    add(IMPLICIT_VR_LITTLE_ENDIAN);
    add(EXPLICIT_VR_LITTLE_ENDIAN);
    add(encapsulated("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", false));
    add(DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);
    add(EXPLICIT_VR_BIG_ENDIAN);
    add(encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", false));
    add(encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", false));
    add(encapsulated("1.2.840.10008.1.2.4.52", "JPEG Extended (Process 3 & 5)", true));
    add(encapsulated("1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)", true));
    add(encapsulated("1.2.840.10008.1.2.4.54", "JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9)", true));
    add(encapsulated("1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (Process 10 & 12)", true));
    add(encapsulated("1.2.840.10008.1.2.4.56", "JPEG Full Progression, Non-Hierarchical (Process 11 & 13)", true));
    add(encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", false));
    add(encapsulated("1.2.840.10008.1.2.4.58", "JPEG Lossless, Non-Hierarchical (Process 15)", true));
    add(encapsulated("1.2.840.10008.1.2.4.59", "JPEG Extended, Hierarchical (Process 16 & 18)", true));
    add(encapsulated("1.2.840.10008.1.2.4.60", "JPEG Extended, Hierarchical (Process 17 & 19)", true));
    add(encapsulated("1.2.840.10008.1.2.4.61", "JPEG Spectral Selection, Hierarchical (Process 20 & 22)", true));
    add(encapsulated("1.2.840.10008.1.2.4.62", "JPEG Spectral Selection, Hierarchical (Process 21 & 23)", true));
    add(encapsulated("1.2.840.10008.1.2.4.63", "JPEG Full Progression, Hierarchical (Process 24 & 26)", true));
    add(encapsulated("1.2.840.10008.1.2.4.64", "JPEG Full Progression, Hierarchical (Process 25 & 27)", true));
    add(encapsulated("1.2.840.10008.1.2.4.65", "JPEG Lossless, Hierarchical (Process 28)", true));
    add(encapsulated("1.2.840.10008.1.2.4.66", "JPEG Lossless, Hierarchical (Process 29)", true));
    add(encapsulated("1.2.840.10008.1.2.4.70",
        "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])", false));
    add(encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", false));
    add(encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", false));
    add(encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", false));
    add(encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", false));
    add(encapsulated("1.2.840.10008.1.2.4.92",
        "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)", false));
    add(encapsulated("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression", false));
    add(new TransferSyntax("1.2.840.10008.1.2.4.94", "JPIP Referenced", true, false, false, false, false));
    add(new TransferSyntax("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", true, false, true, false, false));
    add(encapsulated("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", false));
    add(encapsulated("1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level", false));
    add(encapsulated("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", false));
    add(encapsulated("1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level", false));
    add(encapsulated("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.103.1",
        "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", false));
    add(encapsulated("1.2.840.10008.1.2.4.104.1",
        "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", false));
    add(encapsulated("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", false));
    add(encapsulated("1.2.840.10008.1.2.4.105.1",
        "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", false));
    add(encapsulated("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", false));
    add(encapsulated("1.2.840.10008.1.2.4.106.1",
        "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", false));
    add(encapsulated("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", false));
    add(encapsulated("1.2.840.10008.1.2.4.110", "JPEG XL Lossless", false));
    add(encapsulated("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression", false));
    add(encapsulated("1.2.840.10008.1.2.4.112", "JPEG XL", false));
    add(encapsulated("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", false));
    add(encapsulated("1.2.840.10008.1.2.4.202",
        "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", false));
    add(encapsulated("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", false));
    add(new TransferSyntax("1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced", true, false, false, false, false));
    add(new TransferSyntax("1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate", true, false, true, false, false));
    add(encapsulated("1.2.840.10008.1.2.5", "RLE Lossless", false));
    add(new TransferSyntax("1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation", true, false, false, false, true));
    add(new TransferSyntax("1.2.840.10008.1.2.6.2", "XML Encoding", true, false, false, false, true));
    add(new TransferSyntax("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video",
        true, false, false, false, false));
    add(new TransferSyntax("1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video",
        true, false, false, false, false));
    add(new TransferSyntax("1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio",
        true, false, false, false, false));
    add(new TransferSyntax("1.2.840.10008.1.20", "Papyrus 3 Implicit VR Little Endian",
        false, false, false, false, true));
    ALL_STANDARD = List.copyOf(BY_UID.values());
  }

  private static TransferSyntax encapsulated(String uid, String name, boolean retired) {
    return new TransferSyntax(uid, name, true, false, false, true, retired);
  }

  private static void add(TransferSyntax ts) {
    BY_UID.put(ts.uid(), ts);
  }

  /** The standard transfer syntax with that UID, or null. */
  public static TransferSyntax of(String uid) {
    return uid == null ? null : BY_UID.get(uid.strip());
  }

  /**
   * The encoding of a data set in the syntax with that UID. Unknown UIDs are assumed to be
   * Explicit VR Little Endian with encapsulated pixel data, as PS3.5 §A.4 requires of every
   * syntax other than the native ones, so their headers can still be read.
   */
  public static TransferSyntax orAssumeEncapsulated(String uid) {
    TransferSyntax ts = of(uid);
    return ts != null ? ts : new TransferSyntax(uid, "Unknown " + uid, true, false, false, true, false);
  }

  /** True for the syntaxes with native (unencapsulated) pixel data that this module transcodes. */
  public boolean isUncompressed() {
    return UNCOMPRESSED.contains(this);
  }
}
