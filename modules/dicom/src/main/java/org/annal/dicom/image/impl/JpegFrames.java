// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.image.UnsupportedRenderingException;

/**
 * Internal API. Decodes 8-bit JPEG frames (PS3.5 §A.4.1: JPEG Baseline, Process 1,
 * 1.2.840.10008.1.2.4.50, and the 8-bit case of JPEG Extended, Process 2 & 4, .51) with the JDK's
 * decoder, which handles 8-bit Huffman sequential JPEG only.
 *
 * <p>The frame is read as a raster, so the JDK does no color conversion of its own: whether the
 * components are YCbCr or RGB follows the data set's Photometric Interpretation (PS3.5 §8.2.1:
 * YBR_FULL_422 or YBR_FULL means the encoder transformed RGB, RGB means it did not), which is
 * what DCMTK's decoder does by default, rather than JFIF/Adobe markers.
 */
public final class JpegFrames {
  private JpegFrames() {}

  private static final String BASELINE = "1.2.840.10008.1.2.4.50";
  private static final String EXTENDED = "1.2.840.10008.1.2.4.51";

  public static boolean handles(String transferSyntaxUid) {
    return BASELINE.equals(transferSyntaxUid) || EXTENDED.equals(transferSyntaxUid);
  }

  /**
   * The frame's samples, interleaved.
   *
   * @throws UnsupportedRenderingException for more than 8 bits or a process the JDK does not decode
   * @throws IllegalArgumentException for a frame that is not valid JPEG or does not match the
   *     Image Pixel Module
   */
  public static int[] decode(byte[] frame, PixelModule module, TransferSyntax ts)
      throws UnsupportedRenderingException {
    if (module.bitsAllocated() != 8 || module.bitsStored() > 8) {
      throw new UnsupportedRenderingException("cannot render " + ts.name() + " (" + ts.uid()
          + ") with Bits Stored " + module.bitsStored() + ": the JDK decodes 8-bit JPEG only");
    }
    Raster raster;
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(frame))) {
      reader.setInput(in);
      int width = reader.getWidth(0); // from the frame header, before anything is allocated
      int height = reader.getHeight(0);
      if (width != module.columns() || height != module.rows()) {
        throw new IllegalArgumentException("the JPEG frame is " + width + " x " + height
            + ", the data set says " + module.columns() + " x " + module.rows());
      }
      raster = reader.readRaster(0, null);
    } catch (IOException e) {
      String why = String.valueOf(e.getMessage());
      if (why.startsWith("Unsupported")) { // the JDK's words for SOF types it does not decode
        throw new UnsupportedRenderingException("cannot render " + ts.name() + " (" + ts.uid()
            + "): " + why, e);
      }
      throw new IllegalArgumentException("the JPEG frame cannot be decoded: " + why, e);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) { // the JDK decoder is not hardened against corrupt input
      throw new IllegalArgumentException("the JPEG frame cannot be decoded: " + e, e);
    } finally {
      reader.dispose();
    }
    if (raster.getWidth() != module.columns() || raster.getHeight() != module.rows()
        || raster.getNumBands() != module.samplesPerPixel()) {
      throw new IllegalArgumentException("the JPEG frame is " + raster.getWidth() + " x "
          + raster.getHeight() + " with " + raster.getNumBands() + " component(s), the data set "
          + "says " + module.columns() + " x " + module.rows() + " with "
          + module.samplesPerPixel());
    }
    int[] samples = raster.getPixels(0, 0, raster.getWidth(), raster.getHeight(), (int[]) null);
    if (module.signed() && module.samplesPerPixel() == 1) {
      int sign = 1 << (module.bitsStored() - 1);
      for (int i = 0; i < samples.length; i++) {
        samples[i] = (samples[i] ^ sign) - sign;
      }
    }
    return samples;
  }
}
