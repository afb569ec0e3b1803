// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.annal.dicom.impl.Bytes;
import org.annal.dicom.impl.DicomInput;

/**
 * DICOM files (PS3.10 §7): preamble, "DICM" prefix, File Meta Information, then the data set.
 *
 * <p>The File Meta Information (PS3.10 §7.1) is group 0002, always Explicit VR Little Endian,
 * starting with its group length (0002,0000). Reading does not trust that length: it reads
 * elements while their group is 0002, which also copes with files whose group length is wrong.
 */
public final class Part10 {
  private Part10() {}

  private static final byte[] DICM = {'D', 'I', 'C', 'M'};
  /** Caps for the meta group: no element there is legitimately large. */
  private static final int MAX_META_VALUE = 1 << 16;
  private static final int MAX_META_ELEMENTS = 64;

  /** See {@link FileMetaInformation#encode()}. */
  static byte[] encodeHeader(FileMetaInformation meta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(new byte[128]);
    out.writeBytes(DICM);
    out.writeBytes(encodeMetaGroup(metaDataset(meta)));
    return out.toByteArray();
  }

  /** Group 0002 as a data set, in the element order of PS3.10 Table 7.1-1. */
  static Dataset metaDataset(FileMetaInformation meta) {
    Dataset d = new Dataset();
    d.putBytes(Tag.FileMetaInformationVersion, Vr.OB, new byte[] {0, 1});
    d.putString(Tag.MediaStorageSOPClassUID, Vr.UI, meta.mediaStorageSopClassUid());
    d.putString(Tag.MediaStorageSOPInstanceUID, Vr.UI, meta.mediaStorageSopInstanceUid());
    d.putString(Tag.TransferSyntaxUID, Vr.UI, meta.transferSyntaxUid());
    d.putString(Tag.ImplementationClassUID, Vr.UI, meta.implementationClassUid());
    if (meta.implementationVersionName() != null) {
      d.putString(Tag.ImplementationVersionName, Vr.SH, meta.implementationVersionName());
    }
    if (meta.sourceApplicationEntityTitle() != null) {
      d.putString(Tag.SourceApplicationEntityTitle, Vr.AE, meta.sourceApplicationEntityTitle());
    }
    return d;
  }

  static FileMetaInformation toRecord(Dataset meta) {
    return new FileMetaInformation(meta.getString(Tag.MediaStorageSOPClassUID),
        meta.getString(Tag.MediaStorageSOPInstanceUID), meta.getString(Tag.TransferSyntaxUID),
        meta.getString(Tag.ImplementationClassUID), meta.getString(Tag.ImplementationVersionName),
        meta.getString(Tag.SourceApplicationEntityTitle));
  }

  /** Group 0002 in Explicit VR LE, its group length (0002,0000) recomputed and written first. */
  static byte[] encodeMetaGroup(Dataset meta) {
    Dataset rest = new Dataset();
    for (Element e : meta.elements()) {
      if (e.tag() != Tag.FileMetaInformationGroupLength) {
        rest.put(e);
      }
    }
    byte[] body = DatasetWriter.encode(rest, Uid.EXPLICIT_VR_LITTLE_ENDIAN);
    byte[] out = new byte[12 + body.length];
    byte[] head = {0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00};
    System.arraycopy(head, 0, out, 0, 8);
    Bytes.putUInt32(out, 8, body.length, false);
    System.arraycopy(body, 0, out, 12, body.length);
    return out;
  }

  /**
   * Reads the preamble and File Meta Information, leaving {@code in} at the first byte of the data
   * set. {@code in} must support mark/reset. Returns null, with {@code in} reset to where it was, if
   * there is no "DICM" prefix (a bare data set, accepted on import; the caller must then guess its
   * transfer syntax, see {@link #guessTransferSyntax}).
   *
   * @throws DicomException if the meta information is present but malformed
   */
  public static FileMetaInformation readFileMetaInformation(InputStream in) throws IOException {
    Dataset meta = readMetaGroup(in, null);
    return meta == null ? null : toRecord(meta);
  }

  /** As {@link #readFileMetaInformation}, returning group 0002 with all its elements. */
  public static Dataset readFileMetaDataset(InputStream in, byte[] preambleOut) throws IOException {
    return readMetaGroup(in, preambleOut);
  }

  private static Dataset readMetaGroup(InputStream in, byte[] preambleOut) throws IOException {
    requireMark(in);
    in.mark(132);
    byte[] head = in.readNBytes(132);
    if (head.length < 132 || !Arrays.equals(head, 128, 132, DICM, 0, 4)) {
      in.reset();
      return null;
    }
    if (preambleOut != null) {
      System.arraycopy(head, 0, preambleOut, 0, Math.min(128, preambleOut.length));
    }
    Dataset meta = new Dataset();
    long offset = 132;
    for (int count = 0; ; count++) {
      in.mark(8);
      byte[] tagBytes = in.readNBytes(4);
      if (tagBytes.length < 4 || Bytes.uint16(tagBytes, 0, false) != 0x0002) {
        in.reset();
        break;
      }
      if (count >= MAX_META_ELEMENTS) {
        throw new DicomException("More than " + MAX_META_ELEMENTS
            + " File Meta Information elements at offset " + offset);
      }
      int tag = Bytes.tag(tagBytes, 0, false);
      DicomInput din = new DicomInput(in, offset + 4, -1);
      int code = din.readUInt16(true);
      Vr vr = Vr.ofCode(code);
      if (vr == null || vr == Vr.SQ) {
        throw new DicomException(String.format(
            "File Meta Information element %s has invalid VR 0x%04X at offset %d",
            ElementDictionary.toString(tag), code, offset + 4));
      }
      long length;
      if (vr.hasLongLength()) {
        din.readUInt16(false);
        length = din.readUInt32(false);
      } else {
        length = din.readUInt16(false);
      }
      if (length > MAX_META_VALUE) {
        throw new DicomException("File Meta Information element " + ElementDictionary.toString(tag)
            + " claims " + length + " bytes at offset " + offset);
      }
      byte[] value = din.readBytes((int) length);
      if (meta.contains(tag)) {
        throw new DicomException("Duplicate element " + ElementDictionary.toString(tag)
            + " at offset " + offset);
      }
      meta.put(Element.ofBytes(tag, vr, value));
      offset = din.offset();
    }
    if (meta.getString(Tag.TransferSyntaxUID) == null) {
      throw new DicomException("File Meta Information lacks Transfer Syntax UID (0002,0010)");
    }
    return meta;
  }

  /**
   * For a data set without meta information: looks at its first bytes (mark/reset) and says whether
   * it is Implicit VR LE, Explicit VR LE or Explicit VR BE. A valid VR code at bytes 4-5 means
   * Explicit VR; the byte order is the one that makes the first group number small (groups in a
   * data set start low: 0008 is typical).
   */
  public static String guessTransferSyntax(InputStream in) throws IOException {
    requireMark(in);
    in.mark(8);
    byte[] b = in.readNBytes(8);
    in.reset();
    if (b.length < 8) {
      return Uid.IMPLICIT_VR_LITTLE_ENDIAN;
    }
    Vr vr = Vr.ofCode(((b[4] & 0xFF) << 8) | (b[5] & 0xFF));
    if (vr == null) {
      return Uid.IMPLICIT_VR_LITTLE_ENDIAN;
    }
    boolean bigEndian = b[0] == 0 && b[1] != 0;
    return bigEndian ? Uid.EXPLICIT_VR_BIG_ENDIAN : Uid.EXPLICIT_VR_LITTLE_ENDIAN;
  }

  /** Reads a whole file: meta information if present (else a guessed syntax), then the data set. */
  public static DicomFile read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    return read(new ByteArrayInputStream(bytes), bytes.length);
  }

  /**
   * Reads a whole file from a stream.
   *
   * @param length bytes in {@code in} if known, else -1
   */
  public static DicomFile read(InputStream in, long length) throws IOException {
    InputStream source = in.markSupported() ? in : new BufferedInputStream(in);
    byte[] preamble = new byte[128];
    CountingStream counting = new CountingStream(source);
    Dataset meta = readMetaGroup(counting, preamble);
    String ts;
    if (meta == null) {
      preamble = null;
      ts = guessTransferSyntax(counting);
    } else {
      ts = meta.getString(Tag.TransferSyntaxUID);
    }
    long consumed = counting.count;
    Dataset dataset = DatasetReader.read(counting, length < 0 ? -1 : length - consumed, consumed, ts,
        DatasetReader.DEFAULT_LIMITS, false);
    return new DicomFile(preamble, meta, ts, dataset);
  }

  /**
   * Writes a file: preamble, "DICM", group 0002 (group length recomputed, (0002,0010) set to the
   * file's syntax), then the data set. A file without meta information is written as a bare data
   * set.
   */
  public static void write(DicomFile file, OutputStream out) throws IOException {
    if (file.fileMetaInformation() != null) {
      out.write(file.preamble() != null ? file.preamble() : new byte[128]);
      out.write(DICM);
      Dataset meta = file.fileMetaInformation();
      if (!file.transferSyntaxUid().equals(meta.getString(Tag.TransferSyntaxUID))) {
        Dataset copy = new Dataset();
        meta.elements().forEach(copy::put);
        copy.putString(Tag.TransferSyntaxUID, Vr.UI, file.transferSyntaxUid());
        meta = copy;
      }
      out.write(encodeMetaGroup(meta));
    }
    DatasetWriter.write(file.dataset(), out, file.transferSyntaxUid());
  }

  /** Convenience: the whole file as bytes. */
  public static byte[] encode(DicomFile file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(file, out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void requireMark(InputStream in) {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("the stream must support mark/reset");
    }
  }

  /** Counts bytes consumed (mark/reset aware) so the data set's offset is known. */
  private static final class CountingStream extends java.io.FilterInputStream {
    long count;
    private long mark;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }

    @Override
    public synchronized void mark(int readlimit) {
      super.mark(readlimit);
      mark = count;
    }

    @Override
    public synchronized void reset() throws IOException {
      super.reset();
      count = mark;
    }
  }
}
