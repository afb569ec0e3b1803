// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;
import org.annal.dicom.image.UnsupportedRenderingException;

/**
 * Internal API. PALETTE COLOR frames through the Red, Green and Blue Palette Color Lookup Tables
 * (PS3.3 §C.7.6.3.1.5 and §C.7.6.3.1.6): each table's descriptor gives the number of entries (0
 * meaning 65536), the first stored value mapped, and the bits per entry (8 or 16); values below
 * the first map to the first entry, values past the end to the last. 16-bit entries keep their
 * high byte. Segmented tables (0028,1221-1223) are not rendered.
 */
public final class Palette {
  private Palette() {}

  private static final int[] DESCRIPTORS = {Tag.RedPaletteColorLookupTableDescriptor,
      Tag.GreenPaletteColorLookupTableDescriptor, Tag.BluePaletteColorLookupTableDescriptor};
  private static final int[] DATA = {Tag.RedPaletteColorLookupTableData,
      Tag.GreenPaletteColorLookupTableData, Tag.BluePaletteColorLookupTableData};

  /**
   * @throws UnsupportedRenderingException for segmented palettes
   * @throws IllegalArgumentException for missing or inconsistent tables
   */
  public static BufferedImage render(int[] samples, PixelModule module, Dataset dataset)
      throws UnsupportedRenderingException {
    if (dataset.contains(Tag.SegmentedRedPaletteColorLookupTableData)) {
      throw new UnsupportedRenderingException(
          "cannot render PALETTE COLOR with Segmented Palette Color Lookup Tables");
    }
    int[][] tables = new int[3][];
    int[] first = new int[3];
    for (int c = 0; c < 3; c++) {
      int[] d = dataset.getInts(DESCRIPTORS[c]);
      byte[] data = dataset.getBytes(DATA[c]);
      if (d == null || d.length < 3 || data == null) {
        throw new IllegalArgumentException(String.format(
            "PALETTE COLOR needs (0028,%04X) and (0028,%04X)", DESCRIPTORS[c] & 0xFFFF,
            DATA[c] & 0xFFFF));
      }
      int entries = d[0] == 0 ? 65536 : d[0] & 0xFFFF;
      first[c] = module.signed() ? (short) d[1] : d[1] & 0xFFFF;
      tables[c] = table(data, entries, d[2], c);
    }
    BufferedImage image = new BufferedImage(module.columns(), module.rows(),
        BufferedImage.TYPE_INT_RGB);
    int[] out = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < out.length; i++) {
      int rgb = 0;
      for (int c = 0; c < 3; c++) {
        int[] t = tables[c];
        int index = Math.max(0, Math.min(t.length - 1, samples[i] - first[c]));
        rgb = rgb << 8 | t[index];
      }
      out[i] = rgb;
    }
    return image;
  }

  /** A table's entries reduced to 8 bits. */
  private static int[] table(byte[] data, int entries, int bits, int component) {
    int[] t = new int[entries];
    if (bits == 16 && data.length >= 2 * entries) {
      for (int i = 0; i < entries; i++) {
        t[i] = data[2 * i + 1] & 0xFF; // little endian: the high byte is the second
      }
    } else if (bits == 8 && data.length >= 2 * entries) {
      for (int i = 0; i < entries; i++) {
        t[i] = data[2 * i] & 0xFF; // one 8-bit entry per 16-bit word, in its low byte
      }
    } else if (bits == 8 && data.length >= entries) {
      for (int i = 0; i < entries; i++) {
        t[i] = data[i] & 0xFF; // packed two entries per word
      }
    } else {
      throw new IllegalArgumentException("palette table " + "RGB".charAt(component) + " of "
          + entries + " entries of " + bits + " bits holds only " + data.length + " bytes");
    }
    return t;
  }
}
