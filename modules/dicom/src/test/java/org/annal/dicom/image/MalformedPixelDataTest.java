// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real images with their Image Pixel Module attributes and pixel data corrupted at random (fixed
 * seed): every outcome must be an image or one of the two documented exceptions, never another
 * exception type (index out of bounds, negative array size, ...).
 */
class MalformedPixelDataTest {
  private static final int[] ATTRIBUTES = {Tag.Rows, Tag.Columns, Tag.BitsAllocated,
      Tag.BitsStored, Tag.HighBit, Tag.SamplesPerPixel, Tag.PixelRepresentation,
      Tag.PlanarConfiguration};
  private static final int[] VALUES = {0, 1, 2, 3, 7, 8, 11, 12, 15, 16, 17, 24, 31, 32, 33, 64,
      99, 100, 101, 255, 4096, 65535};
  private static final String[] PHOTOMETRIC = {"MONOCHROME1", "RGB", "YBR_FULL_422",
      "PALETTE COLOR", "YBR_FULL", ""};

  @ParameterizedTest
  @ValueSource(strings = {"MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm",
      "SC_rgb_rle_2frame.dcm", "SC_rgb_jpeg_dcmtk.dcm", "CT_small.dcm", "rtdose.dcm",
      "liver_1frame.dcm"})
  void corruptionGivesAnImageOrAClearError(String name) {
    Random random = new Random(name.hashCode());
    int images = 0;
    int errors = 0;
    for (int round = 0; round < 300; round++) {
      DicomFile f = ImageTestFiles.read(name);
      Dataset d = f.dataset();
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        corrupt(d, random);
      }
      try {
        Frames.frame(d, f.transferSyntaxUid(), 1);
        BufferedImage image = Renderer.render(d, f.transferSyntaxUid(), 1,
            new Renderer.Options(null, null, random.nextBoolean() ? 20 : null, null, 50));
        assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
        images++;
      } catch (IllegalArgumentException | UnsupportedRenderingException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "no message: " + e);
        errors++;
      } catch (RuntimeException e) {
        fail(name + " round " + round + ": " + d.get(Tag.Rows) + " " + d.get(Tag.Columns), e);
      }
    }
    System.out.println(name + ": " + images + " rendered, " + errors + " refused");
    assertTrue(errors > 0, "no corruption was noticed: the test corrupts nothing");
  }

  private static void corrupt(Dataset d, Random random) {
    switch (random.nextInt(5)) {
      case 0 -> d.putInts(ATTRIBUTES[random.nextInt(ATTRIBUTES.length)], Vr.US,
          VALUES[random.nextInt(VALUES.length)]);
      case 1 -> d.putString(Tag.PhotometricInterpretation, Vr.CS,
          PHOTOMETRIC[random.nextInt(PHOTOMETRIC.length)]);
      case 2 -> d.putString(Tag.NumberOfFrames, Vr.IS,
          Integer.toString(VALUES[random.nextInt(VALUES.length)]));
      default -> {
        Element pixels = d.get(Tag.PixelData);
        if (pixels.isEncapsulated()) {
          List<byte[]> items = new ArrayList<>(pixels.fragments());
          int i = random.nextInt(items.size());
          items.set(i, mangle(items.get(i), random));
          d.put(Element.ofFragments(Tag.PixelData, pixels.vr(), items));
        } else {
          d.putBytes(Tag.PixelData, pixels.vr(), mangle(pixels.value(), random));
        }
      }
    }
  }

  /** Cut short, or a few bytes overwritten (in the first 64: headers and offset tables). */
  private static byte[] mangle(byte[] value, Random random) {
    if (value.length == 0 || random.nextBoolean()) {
      return Arrays.copyOf(value, value.length == 0 ? 4 : random.nextInt(value.length));
    }
    byte[] out = value.clone();
    for (int k = 0; k < 4; k++) {
      out[random.nextInt(Math.min(64, out.length))] = (byte) random.nextInt(256);
    }
    return out;
  }
}
