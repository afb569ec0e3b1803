// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.annal.dicom.Dataset;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.image.impl.Color;
import org.annal.dicom.image.impl.Grayscale;
import org.annal.dicom.image.impl.JpegFrames;
import org.annal.dicom.image.impl.Palette;
import org.annal.dicom.image.impl.PixelModule;
import org.annal.dicom.image.impl.RleDecoder;
import org.annal.dicom.image.impl.Samples;
import org.annal.dicom.image.impl.Scaler;

/**
 * Renders one frame to an 8-bit image for the rendered media types of PS3.18 §8.3.5
 * ({@code image/jpeg}, {@code image/png}), following the grayscale pipeline of PS3.4 Annex N.
 *
 * <pre>
 *  Pixel Data ─▶ Frames.frame ─▶ decode ─────────────▶ stored values
 *                  (native: as is; RLE: PS3.5 Annex G; JPEG 8-bit: javax.imageio)
 *  MONOCHROME1/2: ─▶ Rescale Slope/Intercept ─▶ window (VOI LUT) ─▶ invert if MONOCHROME1 ─▶ gray
 *  RGB, YBR_FULL(_422): ─▶ YCbCr → RGB where needed ───────────────────────────────────────▶ RGB
 *  PALETTE COLOR: ─▶ Red/Green/Blue Palette Color LUTs ────────────────────────────────────▶ RGB
 *  then scaled to fit Options.rows x Options.columns, aspect ratio kept
 * </pre>
 *
 * <p>Native data in any of the four uncompressed syntaxes (the reader has already inflated
 * deflated data and swapped big-endian data), RLE Lossless and 8-bit JPEG Baseline/Extended are
 * decoded. Other syntaxes (JPEG 2000, JPEG-LS, JPEG Lossless, 12-bit JPEG, video) raise
 * {@link UnsupportedRenderingException} naming the syntax.
 *
 * <p>Bad input raises {@link IllegalArgumentException} with what is wrong: a frame out of range,
 * pixel data shorter than the image, an Image Pixel Module attribute out of range, a corrupt RLE
 * or JPEG frame, a window of width below 1.
 */
public final class Renderer {
  private Renderer() {}

  static final String RLE_LOSSLESS = "1.2.840.10008.1.2.5";
  /**
   * Largest frame rendered, in pixels (8192 x 8192): decoding holds an int per sample, so a header
   * claiming more could exhaust the heap before the pixel data is found to be short.
   */
  public static final int MAX_PIXELS = 1 << 26;
  private static final Set<String> PHOTOMETRICS = Set.of("MONOCHROME1", "MONOCHROME2", "RGB",
      "YBR_FULL", "YBR_FULL_422", "PALETTE COLOR");

  /**
   * What to render.
   *
   * @param windowCenter window centre in modality units (after rescale), with {@code windowWidth};
   *     both null: the instance's first Window Center/Width (0028,1050/1051), else the frame's
   *     min-max
   * @param windowWidth window width, at least 1 for LINEAR (PS3.3 §C.11.2.1.2.1)
   * @param rows the image fits in this height, aspect ratio kept; null: no limit
   * @param columns the image fits in this width, aspect ratio kept; null: no limit
   * @param quality JPEG quality 1..100, for {@link #jpeg}
   * @param voiLutFunction LINEAR, LINEAR_EXACT or SIGMOID (the function of PS3.18 §8.3.5's
   *     {@code window=center,width,function});
   *     null: VOI LUT Function (0028,1056) of the instance, else LINEAR
   */
  public record Options(Double windowCenter, Double windowWidth, Integer rows, Integer columns,
      int quality, String voiLutFunction) {
    public Options {
      if ((windowCenter == null) != (windowWidth == null)) {
        throw new IllegalArgumentException("give both window centre and width, or neither");
      }
      if (rows != null && rows < 1 || columns != null && columns < 1) {
        throw new IllegalArgumentException("rows and columns must be positive: " + rows + ", "
            + columns);
      }
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("quality " + quality + " is not within 1..100");
      }
    }

    public Options(Double windowCenter, Double windowWidth, Integer rows, Integer columns,
        int quality) {
      this(windowCenter, windowWidth, rows, columns, quality, null);
    }

    /** Native size, the instance's window, JPEG quality 90. */
    public static Options defaults() {
      return new Options(null, null, null, null, 90, null);
    }
  }

  /**
   * Frame {@code frame} (1-based) as an image: TYPE_BYTE_GRAY for monochrome, TYPE_INT_RGB for
   * color.
   *
   * @param options null for {@link Options#defaults()}
   * @throws UnsupportedRenderingException for a transfer syntax, Photometric Interpretation or bit
   *     depth that is not rendered
   * @throws IllegalArgumentException for bad input (see the class comment)
   */
  public static BufferedImage render(Dataset dataset, String transferSyntaxUid, int frame,
      Options options) throws UnsupportedRenderingException {
    Options o = options != null ? options : Options.defaults();
    TransferSyntax ts = TransferSyntax.orAssumeEncapsulated(transferSyntaxUid);
    boolean jpeg = JpegFrames.handles(ts.uid());
    if (ts.encapsulated() && !jpeg && !ts.uid().equals(RLE_LOSSLESS)) {
      throw new UnsupportedRenderingException("cannot render pixel data in transfer syntax "
          + ts.name() + " (" + ts.uid() + "): only native, RLE Lossless and 8-bit JPEG"
          + " Baseline/Extended are decoded");
    }
    PixelModule m = PixelModule.of(dataset);
    if (!PHOTOMETRICS.contains(m.photometric())) {
      throw new UnsupportedRenderingException("cannot render Photometric Interpretation '"
          + m.photometric() + "': only MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, YBR_FULL_422 and"
          + " PALETTE COLOR are");
    }
    if (m.pixels() > MAX_PIXELS) {
      throw new UnsupportedRenderingException("cannot render a frame of " + m.columns() + " x "
          + m.rows() + " pixels: more than " + MAX_PIXELS);
    }
    boolean color = !m.isMonochrome() && !m.photometric().equals("PALETTE COLOR");
    if (color != (m.samplesPerPixel() == 3)) {
      throw new IllegalArgumentException("Photometric Interpretation " + m.photometric()
          + " does not go with Samples per Pixel " + m.samplesPerPixel());
    }
    if (color && m.bitsAllocated() != 8 && m.bitsAllocated() != 16) {
      throw new UnsupportedRenderingException("cannot render color with Bits Allocated "
          + m.bitsAllocated() + ": 8 and 16 are");
    }
    byte[] bytes = Frames.frame(dataset, ts.uid(), frame);
    int[] samples;
    if (jpeg) {
      samples = JpegFrames.decode(bytes, m, ts);
    } else if (ts.encapsulated()) {
      samples = Samples.of(RleDecoder.decode(bytes, m), m, false);
    } else if (m.photometric().equals("YBR_FULL_422")) {
      samples = Color.expand422(bytes, m);
    } else {
      samples = Samples.of(bytes, m, m.samplesPerPixel() > 1 && m.planarConfiguration() == 1);
    }
    BufferedImage image;
    if (m.isMonochrome()) {
      Grayscale.Window window = o.windowCenter() == null ? null
          : new Grayscale.Window(o.windowCenter(), o.windowWidth(), o.voiLutFunction());
      image = Grayscale.render(samples, m, dataset, window, o.voiLutFunction());
    } else if (color) {
      image = Color.render(samples, m, !m.photometric().equals("RGB"));
    } else {
      image = Palette.render(samples, m, dataset);
    }
    int[] size = Scaler.fit(image.getWidth(), image.getHeight(), o.rows(), o.columns());
    if ((long) size[0] * size[1] > MAX_PIXELS) {
      throw new IllegalArgumentException("cannot scale to " + size[0] + " x " + size[1]
          + ": more than " + MAX_PIXELS + " pixels");
    }
    return Scaler.scale(image, size[0], size[1]);
  }

  /** The image as baseline JPEG (JFIF) at {@code quality} 1..100. */
  public static byte[] jpeg(BufferedImage image, int quality) {
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("quality " + quality + " is not within 1..100");
    }
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    ImageWriter writer = writers.next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(quality / 100f);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG encoding failed", e); // in memory: should not happen
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** The image as PNG. */
  public static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer for image type " + image.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("PNG encoding failed", e);
    }
    return out.toByteArray();
  }
}
