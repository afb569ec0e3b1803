// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image.impl;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Locale;
import org.annal.dicom.Dataset;
import org.annal.dicom.Tag;

/**
 * Internal API. The grayscale pipeline of PS3.4 Annex N (Figure N.2-1) down to 8-bit display
 * values: stored values, then the Modality LUT as a linear rescale (Rescale Slope/Intercept,
 * PS3.3 §C.11.1.1.2), then the VOI LUT as a window (PS3.3 §C.11.2.1.2), then, for MONOCHROME1,
 * inversion so that the minimum is white (PS3.3 §C.7.6.3.1.2).
 *
 * <p>The window comes from the caller, else from the first Window Center/Width (0028,1050/1051)
 * of the data set, else from the frame's minimum and maximum after rescale: centre (min + max + 1)
 * / 2 and width max - min + 1, the window whose LINEAR edges (PS3.3 §C.11.2.1.2.1) are exactly min
 * and max, so min is black and max white (DCMTK's min-max window, +Wm, is the same). The function
 * is the caller's, else VOI LUT Function (0028,1056), else LINEAR. Modality LUT and VOI LUT
 * Sequences (0028,3000/3010) are not applied. Display values are rounded to the nearest integer.
 */
public final class Grayscale {
  private Grayscale() {}

  /** A window: centre, width and VOI LUT Function (LINEAR, LINEAR_EXACT or SIGMOID). */
  public record Window(double center, double width, String function) {
    public Window {
      function = function == null ? "LINEAR" : function.strip().toUpperCase(Locale.ROOT)
          .replace('-', '_');
      if (!function.equals("LINEAR") && !function.equals("LINEAR_EXACT")
          && !function.equals("SIGMOID")) {
        throw new IllegalArgumentException("VOI LUT Function '" + function
            + "' is not LINEAR, LINEAR_EXACT or SIGMOID (PS3.3 §C.11.2.1.3)");
      }
      if (Double.isNaN(center) || Double.isInfinite(center) || Double.isNaN(width)
          || Double.isInfinite(width)) {
        throw new IllegalArgumentException("window centre and width must be finite numbers");
      }
      if (function.equals("LINEAR") ? width < 1 : width <= 0) {
        throw new IllegalArgumentException("window width " + width + " is not allowed for "
            + function + " (PS3.3 §C.11.2.1.2.1: at least 1 for LINEAR, else above 0)");
      }
    }

    /** The display value in 0 .. 255 for modality value {@code x}. */
    double apply(double x) {
      return switch (function) {
        case "LINEAR" -> {
          double low = center - 0.5 - (width - 1) / 2;
          double high = center - 0.5 + (width - 1) / 2;
          if (x <= low) {
            yield 0;
          } else if (x > high) {
            yield 255;
          }
          yield width == 1 ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
        }
        case "LINEAR_EXACT" -> {
          double y = ((x - center) / width + 0.5) * 255;
          yield Math.max(0, Math.min(255, y));
        }
        default -> 255 / (1 + Math.exp(-4 * (x - center) / width));
      };
    }
  }

  /**
   * Renders interleaved stored values of a one-sample frame.
   *
   * @param requested the caller's window, or null for the data set's or min-max
   * @param function the caller's VOI LUT Function with no window of its own, or null
   */
  public static BufferedImage render(int[] samples, PixelModule module, Dataset dataset,
      Window requested, String function) {
    double slope = number(dataset, Tag.RescaleSlope, "Rescale Slope (0028,1053)", 1);
    double intercept = number(dataset, Tag.RescaleIntercept, "Rescale Intercept (0028,1052)", 0);
    int pixels = module.pixels();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < pixels; i++) {
      double v = Samples.value(samples[i], module) * slope + intercept;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    String dataFunction = dataset.getString(Tag.VOILUTFunction);
    String fn = function != null ? function : dataFunction;
    Window window = requested != null ? requested : fromDataset(dataset, fn);
    if (window == null) {
      window = new Window((min + max + 1) / 2, Math.max(1, max - min + 1),
          fn == null || fn.isBlank() ? null : fn);
    }
    boolean invert = module.photometric().equals("MONOCHROME1");
    BufferedImage image = new BufferedImage(module.columns(), module.rows(),
        BufferedImage.TYPE_BYTE_GRAY);
    byte[] out = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < pixels; i++) {
      long y = Math.round(window.apply(Samples.value(samples[i], module) * slope + intercept));
      out[i] = (byte) (invert ? 255 - y : y);
    }
    return image;
  }

  /** The first Window Center/Width pair of the data set, or null if absent or unusable. */
  private static Window fromDataset(Dataset dataset, String function) {
    String[] centers = dataset.getStrings(Tag.WindowCenter);
    String[] widths = dataset.getStrings(Tag.WindowWidth);
    if (centers.length == 0 || widths.length == 0) {
      return null;
    }
    try {
      return new Window(Double.parseDouble(centers[0].strip()),
          Double.parseDouble(widths[0].strip()), function == null || function.isBlank()
              ? null : function);
    } catch (IllegalArgumentException e) { // NumberFormatException included
      return null; // a window the data set gets wrong falls back to min-max, not a failure
    }
  }

  private static double number(Dataset dataset, int tag, String name, double dflt) {
    String[] s = dataset.getStrings(tag);
    if (s.length == 0 || s[0].isBlank()) {
      return dflt;
    }
    try {
      double v = Double.parseDouble(s[0].strip());
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + s[0] + "' is not a number");
    }
  }
}
