// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.annal.dicom.impl.Bytes;

/**
 * Writes data sets in the four uncompressed-encoding transfer syntaxes (PS3.5 §7, §10, Annex A),
 * the inverse of {@link DatasetReader}.
 *
 * <p>What was read is written back unchanged: value bytes, VRs, odd lengths, defined or undefined
 * sequence and item lengths (defined lengths are recomputed from the re-encoded content, which
 * equals the original in the same syntax). Changing syntax swaps binary values per VR (PS3.5
 * §7.3); in Explicit VR a value too long for a 16-bit length is written as UN (PS3.5 §6.2.2),
 * and a UN sequence keeps its Implicit VR Little Endian items. Group length elements (gggg,0000)
 * are copied, not recomputed: PS3.5 §7.2 makes them optional, and readers must not rely on them.
 */
public final class DatasetWriter {
  private static final int ITEM = 0xFFFEE000;
  private static final int ITEM_DELIMITATION = 0xFFFEE00D;
  private static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

  private DatasetWriter() {}

  /** Writes {@code dataset} to {@code out} in the given syntax, deflating if it says so. */
  public static void write(Dataset dataset, OutputStream out, String transferSyntaxUid)
      throws IOException {
    TransferSyntax ts = TransferSyntax.orAssumeEncapsulated(transferSyntaxUid);
    if (ts.deflated()) {
      Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      try {
        DeflaterOutputStream deflating = new DeflaterOutputStream(out, deflater, 8192);
        writeElements(dataset, deflating, true, false);
        deflating.finish();
      } finally {
        deflater.end();
      }
    } else {
      writeElements(dataset, out, ts.explicitVr(), ts.bigEndian());
    }
  }

  /** The encoding of {@code dataset} in the given syntax. */
  public static byte[] encode(Dataset dataset, String transferSyntaxUid) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(dataset, out, transferSyntaxUid);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  private static void writeElements(Dataset dataset, OutputStream out, boolean explicit,
      boolean big) throws IOException {
    for (Element e : dataset.elements()) {
      writeElement(e, out, explicit, big);
    }
  }

  private static void writeElement(Element e, OutputStream out, boolean explicit, boolean big)
      throws IOException {
    int tag = e.tag();
    Vr vr = e.vr();
    if (e.isSequence()) {
      boolean un = vr == Vr.UN;
      boolean itemsExplicit = !un && explicit;
      boolean itemsBig = !un && big;
      if (e.undefinedLength()) {
        writeHeader(out, tag, vr, 0xFFFFFFFFL, explicit, big);
        writeItems(e.items(), out, itemsExplicit, itemsBig);
        writeHeader(out, SEQUENCE_DELIMITATION, null, 0, false, itemsBig);
      } else {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        writeItems(e.items(), content, itemsExplicit, itemsBig);
        writeHeader(out, tag, vr, content.size(), explicit, big);
        content.writeTo(out);
      }
      return;
    }
    if (e.isEncapsulated()) {
      writeHeader(out, tag, vr, 0xFFFFFFFFL, explicit, big);
      for (byte[] fragment : e.fragments()) {
        writeHeader(out, ITEM, null, fragment.length, false, big);
        out.write(fragment);
      }
      writeHeader(out, SEQUENCE_DELIMITATION, null, 0, false, big);
      return;
    }
    byte[] value = e.value();
    if (explicit && !vr.hasLongLength() && value.length > 0xFFFF) {
      vr = Vr.UN; // too long for a 16-bit length; UN values are little-endian (PS3.5 §6.2.2)
    }
    writeHeader(out, tag, vr, value.length, explicit, big);
    if (big && vr.swapUnit() > 1) {
      value = value.clone();
      Bytes.swap(value, vr.swapUnit());
    }
    out.write(value);
  }

  private static void writeItems(List<Dataset> items, OutputStream out, boolean explicit,
      boolean big) throws IOException {
    for (Dataset item : items) {
      if (item.undefinedLength()) {
        writeHeader(out, ITEM, null, 0xFFFFFFFFL, false, big);
        writeElements(item, out, explicit, big);
        writeHeader(out, ITEM_DELIMITATION, null, 0, false, big);
      } else {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        writeElements(item, content, explicit, big);
        writeHeader(out, ITEM, null, content.size(), false, big);
        content.writeTo(out);
      }
    }
  }

  /** Element header (PS3.5 §7.1.2); {@code vr} null for items and delimiters (PS3.5 §7.5). */
  private static void writeHeader(OutputStream out, int tag, Vr vr, long length, boolean explicit,
      boolean big) throws IOException {
    byte[] h = new byte[12];
    Bytes.putUInt16(h, 0, tag >>> 16, big);
    Bytes.putUInt16(h, 2, tag & 0xFFFF, big);
    if (!explicit || vr == null) {
      Bytes.putUInt32(h, 4, length, big);
      out.write(h, 0, 8);
    } else if (vr.hasLongLength()) {
      h[4] = (byte) vr.name().charAt(0);
      h[5] = (byte) vr.name().charAt(1);
      Bytes.putUInt32(h, 8, length, big);
      out.write(h, 0, 12);
    } else {
      h[4] = (byte) vr.name().charAt(0);
      h[5] = (byte) vr.name().charAt(1);
      Bytes.putUInt16(h, 6, (int) length, big);
      out.write(h, 0, 8);
    }
  }
}
