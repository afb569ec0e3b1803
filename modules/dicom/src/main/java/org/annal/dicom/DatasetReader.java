// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.annal.dicom.impl.Bytes;
import org.annal.dicom.impl.DicomInput;

/**
 * Reads data sets in any of the four uncompressed-encoding transfer syntaxes (PS3.5 §7, §10, A):
 * Implicit VR Little Endian (§A.1), Explicit VR Little Endian (§A.2), Deflated Explicit VR Little
 * Endian (§A.5, raw deflate) and Explicit VR Big Endian (§A.3). Data sets of other syntaxes are
 * Explicit VR Little Endian with encapsulated Pixel Data (§A.4) and are read the same way.
 *
 * <p>Element headers per PS3.5 §7.1.2 (Tables 7.1-1/7.1-2): item and delimitation tags never carry
 * a VR (§7.5). In Implicit VR the VR comes from {@link ElementDictionary} (UN when unknown). A UN
 * element of undefined length is a sequence whose items are Implicit VR Little Endian (§6.2.2);
 * undefined-length Pixel Data is encapsulated (§A.4). A VR code that PS3.5 does not define is read
 * as UN with the 4-byte length form, as DCMTK and dcm4che do.
 *
 * <p>Defence against hostile input: each length is checked, before anything is allocated, against
 * {@link Limits#maxValueLength()}, against what is left of the enclosing defined-length item or
 * sequence, and against the input size when known; nesting is capped by
 * {@link Limits#maxDepth()}. Malformed input raises {@link DicomException} with the byte offset.
 */
public final class DatasetReader {

  /**
   * Caps applied while reading.
   *
   * @param maxValueLength largest value field, in bytes, that will be allocated
   * @param maxDepth deepest sequence nesting accepted (the top-level data set is depth 0)
   */
  public record Limits(int maxValueLength, int maxDepth) {
    public Limits {
      if (maxValueLength < 0 || maxDepth < 0) {
        throw new IllegalArgumentException("limits must not be negative");
      }
    }
  }

  /** 2 GiB less a little (the largest Java array) and 32 levels of sequences. */
  public static final Limits DEFAULT_LIMITS = new Limits(Integer.MAX_VALUE - 8, 32);

  private static final int ITEM = 0xFFFEE000;
  private static final int ITEM_DELIMITATION = 0xFFFEE00D;
  private static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;
  private static final long UNDEFINED = 0xFFFFFFFFL;

  private final DicomInput in;
  private final Limits limits;
  private final boolean stopAtPixelData;

  private DatasetReader(DicomInput in, Limits limits, boolean stopAtPixelData) {
    this.in = in;
    this.limits = limits;
    this.stopAtPixelData = stopAtPixelData;
  }

  /**
   * Reads the data set's elements up to, not including, top-level Pixel Data (7FE0,0010) (or
   * Float/Double Float Pixel Data), without reading pixels: it stops right after that element's
   * tag. Handles Deflated Explicit VR LE by inflating. Stops cleanly at end of input if it falls
   * between elements.
   *
   * @throws DicomException on malformed or truncated elements
   */
  public static Dataset readUntilPixelData(InputStream in, String transferSyntaxUid)
      throws IOException {
    return readUntilPixelData(in, transferSyntaxUid, DEFAULT_LIMITS);
  }

  /** As {@link #readUntilPixelData(InputStream, String)}, with explicit caps. */
  public static Dataset readUntilPixelData(InputStream in, String transferSyntaxUid, Limits limits)
      throws IOException {
    return read(in, -1, 0, transferSyntaxUid, limits, true);
  }

  /** Reads a whole data set, pixel data included, until the end of {@code in}. */
  public static Dataset read(InputStream in, String transferSyntaxUid) throws IOException {
    return read(in, -1, 0, transferSyntaxUid, DEFAULT_LIMITS, false);
  }

  /** Reads a whole data set held in {@code bytes}. */
  public static Dataset read(byte[] bytes, String transferSyntaxUid) throws IOException {
    return read(new ByteArrayInputStream(bytes), bytes.length, 0, transferSyntaxUid,
        DEFAULT_LIMITS, false);
  }

  /**
   * Reads a whole data set until the end of {@code in}.
   *
   * @param length the number of bytes {@code in} holds if known (lets lengths be checked against
   *     it before allocating), else -1
   * @param offset where {@code in} starts within the file or message, for error messages
   */
  public static Dataset read(InputStream in, long length, long offset, String transferSyntaxUid,
      Limits limits, boolean stopAtPixelData) throws IOException {
    Dataset dataset = new Dataset();
    readInto(dataset, in, length, offset, transferSyntaxUid, limits, stopAtPixelData);
    return dataset;
  }

  /**
   * As {@link #readUntilPixelData(InputStream, String, Limits)}, into {@code into}, which keeps
   * the elements read before a failure: what the first bytes of a data set say when the input is
   * cut inside an element (STOW-RS reads a bounded head of each instance before storing it).
   */
  public static void readUntilPixelData(InputStream in, String transferSyntaxUid, Limits limits,
      Dataset into) throws IOException {
    readInto(into, in, -1, 0, transferSyntaxUid, limits, true);
  }

  private static void readInto(Dataset dataset, InputStream in, long length, long offset,
      String transferSyntaxUid, Limits limits, boolean stopAtPixelData) throws IOException {
    TransferSyntax ts = TransferSyntax.orAssumeEncapsulated(transferSyntaxUid);
    InputStream source = in;
    long available = length;
    if (ts.deflated()) {
      source = new InflaterInputStream(in, new Inflater(true), 8192);
      available = -1;
    }
    DatasetReader reader =
        new DatasetReader(new DicomInput(source, offset, available), limits, stopAtPixelData);
    reader.readElements(dataset, -1, 0, ts.explicitVr(), ts.bigEndian());
  }

  /**
   * Reads elements into {@code dataset} until {@code end} (an input position), or, if {@code end}
   * is -1, until an Item Delimitation Item (items, depth > 0) or the end of input (depth 0).
   */
  private void readElements(Dataset dataset, long end, int depth, boolean explicit,
      boolean big) throws IOException {
    while (true) {
      if (end >= 0) {
        if (in.position() == end) {
          return;
        }
        if (in.position() > end) {
          throw new DicomException("Element overruns its item by " + (in.position() - end)
              + " byte(s) at offset " + in.offset());
        }
      }
      long start = in.offset();
      int tag;
      if (depth == 0 && end < 0) {
        int first = in.readOrEof();
        if (first < 0) {
          return;
        }
        tag = in.readTag(first, big);
      } else {
        tag = in.readTag(big);
      }
      if (depth == 0 && stopAtPixelData
          && (tag == Tag.PixelData || tag == Tag.FloatPixelData || tag == Tag.DoubleFloatPixelData)) {
        return;
      }
      if (tag == ITEM_DELIMITATION) {
        in.readUInt32(big);
        if (depth > 0 && end < 0) {
          return;
        }
        throw new DicomException("Item Delimitation Item outside an undefined-length item at offset "
            + start);
      }
      if (tag == ITEM || tag == SEQUENCE_DELIMITATION) {
        throw new DicomException(String.format("Unexpected %s tag at offset %d",
            tag == ITEM ? "Item" : "Sequence Delimitation", start));
      }
      Vr vr;
      long length;
      if (explicit) {
        int code = in.readUInt16(true); // the two VR characters, in text order
        vr = Vr.ofCode(code);
        if (vr == null) {
          vr = Vr.UN; // PS3.5 does not define it: read as UN with the 4-byte length form
          in.readUInt16(big);
          length = in.readUInt32(big);
        } else if (vr.hasLongLength()) {
          in.readUInt16(big);
          length = in.readUInt32(big);
        } else {
          length = in.readUInt16(big);
        }
      } else {
        vr = implicitVr(tag, dataset);
        length = in.readUInt32(big);
      }
      Element element = readValue(tag, vr, length, start, end, depth, explicit, big);
      if (dataset.contains(tag)) {
        throw new DicomException("Duplicate element " + ElementDictionary.toString(tag)
            + " at offset " + start);
      }
      dataset.put(element);
    }
  }

  /**
   * The VR of an Implicit VR element: the dictionary's, except that an element the dictionary
   * gives as "US or SS" (such as Smallest Image Pixel Value) is SS when the data set's Pixel
   * Representation (0028,0103) is 1, signed (PS3.5 §A.1 note; PS3.3 §C.7.6.3.1.1) — read before
   * it, since elements come in ascending tag order. DCMTK decides the same way. Only single
   * values (VM 1): the LUT descriptors, also "US or SS", have unsigned first and third values
   * whatever the Pixel Representation (PS3.3 §C.11.1.1.1), and stay US.
   */
  private static Vr implicitVr(int tag, Dataset dataset) {
    Vr vr = ElementDictionary.vrOf(tag);
    if (vr == Vr.US) {
      ElementDictionary.Entry entry = ElementDictionary.entryOf(tag);
      if (entry != null && entry.vrs().contains(Vr.SS) && entry.vm().equals("1")
          && dataset.getInt(Tag.PixelRepresentation, 0) == 1) {
        return Vr.SS;
      }
    }
    return vr;
  }

  private Element readValue(int tag, Vr vr, long length, long start, long end, int depth,
      boolean explicit, boolean big) throws IOException {
    if (length == UNDEFINED) {
      if (tag == Tag.PixelData || (vr != Vr.SQ && vr != Vr.UN)) {
        if (vr == Vr.SQ) {
          throw new DicomException("Pixel Data with VR SQ at offset " + start);
        }
        return Element.ofFragments(tag, vr, readFragments(big));
      }
      // UN of undefined length: items are Implicit VR Little Endian (PS3.5 §6.2.2)
      boolean un = vr == Vr.UN;
      List<Dataset> items = readItems(-1, depth, un ? false : explicit, un ? false : big);
      return Element.ofItems(tag, vr, items, true);
    }
    checkLength(length, end, start, tag);
    if (vr == Vr.SQ) {
      List<Dataset> items = readItems(in.position() + length, depth, explicit, big);
      return Element.ofItems(tag, vr, items, false);
    }
    byte[] value = in.readBytes((int) length);
    if (big) {
      Bytes.swap(value, vr.swapUnit());
    }
    return Element.ofBytes(tag, vr, value);
  }

  private void checkLength(long length, long end, long start, int tag) throws DicomException {
    if (length > limits.maxValueLength()) {
      throw new DicomException(String.format("Value length %d of %s at offset %d exceeds the cap %d",
          length, ElementDictionary.toString(tag), start, limits.maxValueLength()));
    }
    if (end >= 0 && length > end - in.position()) {
      throw new DicomException(String.format(
          "Value length %d of %s at offset %d exceeds the %d byte(s) left in its item", length,
          ElementDictionary.toString(tag), start, end - in.position()));
    }
    long remaining = in.remaining();
    if (remaining >= 0 && length > remaining) {
      throw new DicomException(String.format(
          "Value length %d of %s at offset %d exceeds the %d byte(s) left in the input", length,
          ElementDictionary.toString(tag), start, remaining));
    }
  }

  /** Items of a sequence ending at {@code end}, or at a Sequence Delimitation Item if -1. */
  private List<Dataset> readItems(long end, int depth, boolean explicit, boolean big)
      throws IOException {
    if (depth + 1 > limits.maxDepth()) {
      throw new DicomException("Sequences nested deeper than " + limits.maxDepth()
          + " at offset " + in.offset());
    }
    List<Dataset> items = new ArrayList<>();
    while (true) {
      if (end >= 0) {
        if (in.position() == end) {
          return items;
        }
        if (in.position() > end) {
          throw new DicomException("Item overruns its sequence at offset " + in.offset());
        }
      }
      long start = in.offset();
      int tag = in.readTag(big);
      long length = in.readUInt32(big);
      if (tag == SEQUENCE_DELIMITATION) {
        if (end < 0) {
          return items;
        }
        throw new DicomException("Sequence Delimitation Item in a defined-length sequence at offset "
            + start);
      }
      if (tag != ITEM) {
        throw new DicomException(String.format("Expected an Item tag, found %s at offset %d",
            ElementDictionary.toString(tag), start));
      }
      Dataset item = new Dataset(null);
      if (length == UNDEFINED) {
        item.setUndefinedLength(true);
        readElements(item, -1, depth + 1, explicit, big);
      } else {
        checkLength(length, end, start, tag);
        readElements(item, in.position() + length, depth + 1, explicit, big);
      }
      items.add(item);
    }
  }

  /** Basic Offset Table and fragments up to the Sequence Delimitation Item (PS3.5 §A.4). */
  private List<byte[]> readFragments(boolean big) throws IOException {
    List<byte[]> fragments = new ArrayList<>();
    while (true) {
      long start = in.offset();
      int tag = in.readTag(big);
      long length = in.readUInt32(big);
      if (tag == SEQUENCE_DELIMITATION) {
        return fragments;
      }
      if (tag != ITEM || length == UNDEFINED) {
        throw new DicomException(String.format(
            "Expected a defined-length Item in encapsulated Pixel Data, found %s at offset %d",
            ElementDictionary.toString(tag), start));
      }
      checkLength(length, -1, start, tag);
      fragments.add(in.readBytes((int) length));
    }
  }
}
