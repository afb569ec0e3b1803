// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DCMTK's dcmj2pnm (dcm2pnm with the JPEG and RLE decoders) as the reference renderer: writes a
 * raw 8-bit PGM/PPM (+op) and reads it back. Tests that use it are skipped where DCMTK is absent.
 */
final class Dcm2pnm {
  private Dcm2pnm() {}

  /** A decoded PNM: width, height, 1 (PGM) or 3 (PPM) channels, samples row by row. */
  record Pnm(int width, int height, int channels, int[] samples) {}

  static void assumeInstalled() {
    boolean ok;
    try {
      Process p = new ProcessBuilder("dcmj2pnm", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      ok = false;
    }
    assumeTrue(ok, "dcmj2pnm (DCMTK) is not installed");
  }

  /** Renders {@code file} with dcmj2pnm and the given options (e.g. "+Ww", "600", "1600"). */
  static Pnm render(Path file, Path workDir, String... options) throws Exception {
    Path out = Files.createTempFile(workDir, "dcmtk", ".pnm");
    List<String> command = new ArrayList<>(List.of("dcmj2pnm", "+op"));
    command.addAll(List.of(options));
    command.add(file.toString());
    command.add(out.toString());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dcmj2pnm timed out");
    assertEquals(0, p.exitValue(), "dcmj2pnm " + command + " failed: " + log);
    return parse(Files.readAllBytes(out));
  }

  static Pnm parse(byte[] b) {
    int[] pos = {0};
    String magic = token(b, pos);
    int width = Integer.parseInt(token(b, pos));
    int height = Integer.parseInt(token(b, pos));
    int max = Integer.parseInt(token(b, pos));
    assertEquals(255, max, "8-bit PNM expected");
    pos[0]++; // the single whitespace before the raster
    int channels = switch (magic) {
      case "P5" -> 1;
      case "P6" -> 3;
      default -> throw new AssertionError("not a raw PGM/PPM: " + magic);
    };
    int[] samples = new int[width * height * channels];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = b[pos[0] + i] & 0xFF;
    }
    return new Pnm(width, height, channels, samples);
  }

  private static String token(byte[] b, int[] pos) {
    while (Character.isWhitespace(b[pos[0]])) {
      pos[0]++;
    }
    int start = pos[0];
    while (!Character.isWhitespace(b[pos[0]])) {
      pos[0]++;
    }
    return new String(b, start, pos[0] - start, StandardCharsets.US_ASCII);
  }

  /** Samples of a rendered image in PNM order (gray, or R G B per pixel). */
  static int[] samples(BufferedImage image) {
    return image.getRaster().getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
  }

  /** The largest absolute difference between the image and the PNM, after checking sizes. */
  static int maxDifference(BufferedImage image, Pnm pnm) {
    assertEquals(pnm.width(), image.getWidth(), "width");
    assertEquals(pnm.height(), image.getHeight(), "height");
    assertEquals(pnm.channels(), image.getRaster().getNumBands(), "channels");
    int[] ours = samples(image);
    int max = 0;
    for (int i = 0; i < ours.length; i++) {
      max = Math.max(max, Math.abs(ours[i] - pnm.samples()[i]));
    }
    return max;
  }
}
