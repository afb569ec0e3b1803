// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

/**
 * A cheap, deterministic CT phantom: an elliptical body of soft tissue with a vertical gradient,
 * two lungs whose size follows the slice position, a spine, a few nodules placed from the seed, and
 * low-amplitude noise.
 *
 * <p>Why not zeros or a constant: a blob store, a checksum, a compressor or a viewer behaves
 * differently on degenerate pixel data, and a benchmark must not benefit from that. Values are
 * stored as {@code HU + 1024} in 12 bits (0..4095), matching Rescale Intercept -1024, Rescale
 * Slope 1, Bits Stored 12, Pixel Representation 0 (PS3.3 §C.8.2.1 CT Image Module).
 */
final class CtPhantom {
  static final int RESCALE_INTERCEPT = -1024;
  private static final int MAX_STORED = 4095;

  private CtPhantom() {}

  /**
   * Renders one slice.
   *
   * @param pixels row-major output, {@code rows * columns} long
   * @param sliceMm position of the slice along the patient axis, shapes the lungs
   * @param seed determines nodules and noise; the same arguments give the same pixels
   */
  static void render(short[] pixels, int rows, int columns, double sliceMm, long seed) {
    double cx = columns / 2.0;
    double cy = rows / 2.0;
    double bodyA = columns * 0.42;
    double bodyB = rows * 0.32;
    // Lungs grow and shrink along z, so that neighbouring slices differ.
    double lungScale = 0.75 + 0.25 * Math.sin(sliceMm / 40.0);
    double lungA = columns * 0.13 * lungScale;
    double lungB = rows * 0.20 * lungScale;
    double lungDx = columns * 0.19;
    double lungCy = cy - rows * 0.03;
    double spineR = columns * 0.045;
    double spineCy = cy + rows * 0.22;

    long state = SyntheticUids.mix(seed ^ 0x5DEECE66DL);
    int nodules = 3;
    double[] nodX = new double[nodules];
    double[] nodY = new double[nodules];
    double[] nodR2 = new double[nodules];
    for (int i = 0; i < nodules; i++) {
      state = SyntheticUids.mix(state);
      nodX[i] = cx + ((state & 0xFFFF) / 65535.0 - 0.5) * bodyA;
      nodY[i] = cy + (((state >>> 16) & 0xFFFF) / 65535.0 - 0.5) * bodyB;
      double r = columns * (0.01 + 0.02 * (((state >>> 32) & 0xFF) / 255.0));
      nodR2[i] = r * r;
    }

    long noise = SyntheticUids.mix(seed) | 1L; // xorshift must not start at 0
    int index = 0;
    for (int y = 0; y < rows; y++) {
      double dy = (y - cy) / bodyB;
      double tissueHu = 40 + 30 * ((double) y / rows - 0.5);
      for (int x = 0; x < columns; x++) {
        double dx = (x - cx) / bodyA;
        int hu;
        if (dx * dx + dy * dy > 1.0) {
          hu = -1000;
        } else {
          hu = (int) tissueHu;
          double ly = (y - lungCy) / lungB;
          double llx = (x - (cx - lungDx)) / lungA;
          double lrx = (x - (cx + lungDx)) / lungA;
          if (llx * llx + ly * ly <= 1.0 || lrx * lrx + ly * ly <= 1.0) {
            hu = -850;
          }
          double sx = x - cx;
          double sy = y - spineCy;
          if (sx * sx + sy * sy <= spineR * spineR) {
            hu = 700;
          }
          for (int i = 0; i < nodules; i++) {
            double nx = x - nodX[i];
            double ny = y - nodY[i];
            if (nx * nx + ny * ny <= nodR2[i]) {
              hu = 60;
            }
          }
        }
        // xorshift64: cheap noise of +-15 HU that is the same for the same seed.
        noise ^= noise << 13;
        noise ^= noise >>> 7;
        noise ^= noise << 17;
        int stored = hu - RESCALE_INTERCEPT + (int) ((noise & 31) - 15);
        pixels[index++] = (short) Math.max(0, Math.min(MAX_STORED, stored));
      }
    }
  }
}
