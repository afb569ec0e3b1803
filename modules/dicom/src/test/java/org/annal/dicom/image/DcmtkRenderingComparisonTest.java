// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.annal.dicom.image.Renderer.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same frame, the same window: Renderer against DCMTK's dcmj2pnm, pixel by pixel. Rounding
 * may differ by one (DCMTK truncates the window's output, Renderer rounds it); each test prints
 * the largest difference it saw.
 */
class DcmtkRenderingComparisonTest {
  @TempDir
  static Path work;

  @BeforeAll
  static void dcmtk() {
    Dcm2pnm.assumeInstalled();
  }

  private static int compare(String what, Path file, int frame, Options options,
      String... dcmtkOptions) throws Exception {
    DicomFile f = DicomFile.read(file);
    BufferedImage ours = Renderer.render(f.dataset(), f.transferSyntaxUid(), frame, options);
    String[] args = new String[dcmtkOptions.length + 2];
    args[0] = "+F";
    args[1] = Integer.toString(frame);
    System.arraycopy(dcmtkOptions, 0, args, 2, dcmtkOptions.length);
    int diff = Dcm2pnm.maxDifference(ours, Dcm2pnm.render(file, work, args));
    System.out.println("max difference to dcmj2pnm, " + what + ": " + diff);
    return diff;
  }

  private static Options window(double center, double width) {
    return new Options(center, width, null, null, 90);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MR_small.dcm", "MR_small_implicit.dcm", "MR_small_bigendian.dcm",
      "MR_small_expb.dcm", "MR_small_RLE.dcm"})
  void mrInEveryTransferSyntaxMatchesWithTheInstanceWindow(String name) throws Exception {
    // null window: the instance's 600/1600; DCMTK's +Wi 1 is the same first window
    assertTrue(compare(name + " window 600/1600", ImageTestFiles.path(name), 1,
        Options.defaults(), "+Wi", "1") <= 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm"})
  void mrWithAnExplicitWindowAndMinMax(String name) throws Exception {
    Path p = ImageTestFiles.path(name);
    assertTrue(compare(name + " window 1000/500", p, 1, window(1000, 500), "+Ww", "1000", "500")
        <= 1);
    assertTrue(compare(name + " window 0.5/1", p, 1, window(0.5, 1), "+Ww", "0.5", "1") <= 1);
  }

  @Test
  void ctSignedWithRescaleMinMaxAndWindow() throws Exception {
    Path p = ImageTestFiles.path("CT_small.dcm"); // no window in the instance: min-max
    assertTrue(compare("CT_small min-max", p, 1, Options.defaults(), "+Wm") <= 1);
    assertTrue(compare("CT_small window 40/400 (HU)", p, 1, window(40, 400), "+Ww", "40", "400")
        <= 1);
  }

  @Test
  void deflated8BitMinMax() throws Exception {
    assertTrue(compare("image_dfl min-max", ImageTestFiles.path("image_dfl.dcm"), 1,
        Options.defaults(), "+Wm") <= 1);
  }

  @Test
  void singleBit() throws Exception {
    assertTrue(compare("liver_1frame 1-bit min-max", ImageTestFiles.path("liver_1frame.dcm"), 1,
        Options.defaults(), "+Wm") <= 1);
  }

  @Test
  void thirtyTwoBitMultiFrame() throws Exception {
    Path p = ImageTestFiles.path("rtdose.dcm");
    for (int frame : new int[] {1, 8, 15}) {
      assertTrue(compare("rtdose 32-bit frame " + frame + " min-max", p, frame,
          Options.defaults(), "+Wm") <= 1);
    }
  }

  @Test
  void rgbRleBothFrames() throws Exception {
    Path p = ImageTestFiles.path("SC_rgb_rle_2frame.dcm");
    assertTrue(compare("SC_rgb_rle_2frame frame 1", p, 1, Options.defaults()) <= 1);
    assertTrue(compare("SC_rgb_rle_2frame frame 2", p, 2, Options.defaults()) <= 1);
  }

  @Test
  void jpegBaselineYbrFull() throws Exception {
    // both decoders are IJG libjpeg underneath; the YCbCr -> RGB step is ours vs IJG's tables
    assertTrue(compare("SC_rgb_jpeg_dcmtk (JPEG baseline YBR_FULL)",
        ImageTestFiles.path("SC_rgb_jpeg_dcmtk.dcm"), 1, Options.defaults()) <= 1);
  }

  @Test
  void monochrome1IsInverted() throws Exception {
    Path p = rewrite("MR_small.dcm", "mono1.dcm", d ->
        d.putString(Tag.PhotometricInterpretation, Vr.CS, "MONOCHROME1"));
    assertTrue(compare("MR_small as MONOCHROME1, window 600/1600", p, 1, Options.defaults(),
        "+Wi", "1") <= 1);
    assertTrue(compare("MR_small as MONOCHROME1, window 900/700", p, 1, window(900, 700), "+Ww",
        "900", "700") <= 1);
  }

  @Test
  void bitsStoredBelowAllocatedSignedWithSlope() throws Exception {
    // CT values masked to 12 bits, sign-extended from bit 11, then slope 2 and intercept -100
    Path p = rewrite("CT_small.dcm", "ct12.dcm", d -> {
      d.putInts(Tag.BitsStored, Vr.US, 12);
      d.putInts(Tag.HighBit, Vr.US, 11);
      d.putString(Tag.RescaleSlope, Vr.DS, "2");
      d.putString(Tag.RescaleIntercept, Vr.DS, "-100");
    });
    assertTrue(compare("CT_small 12 of 16 bits, slope 2, min-max", p, 1, Options.defaults(),
        "+Wm") <= 1);
    assertTrue(compare("CT_small 12 of 16 bits, slope 2, window 300/1000", p, 1,
        window(300, 1000), "+Ww", "300", "1000") <= 1);
  }

  @Test
  void highBitNotAtTheTopOfBitsStored() throws Exception {
    Path p = rewrite("MR_small.dcm", "mr_hb.dcm", d -> {
      d.putInts(Tag.BitsStored, Vr.US, 10);
      d.putInts(Tag.HighBit, Vr.US, 13);
      d.putInts(Tag.PixelRepresentation, Vr.US, 0);
      d.remove(Tag.WindowCenter); // so that Renderer, like +Wm, takes min-max
      d.remove(Tag.WindowWidth);
    });
    assertTrue(compare("MR_small bits 4..13 unsigned, min-max", p, 1, Options.defaults(), "+Wm")
        <= 1);
  }

  @Test
  void rgbPlanarConfigurationOneMatchesInterleaved() throws Exception {
    DicomFile rle = ImageTestFiles.read("SC_rgb_rle_2frame.dcm");
    BufferedImage interleaved = Renderer.render(rle.dataset(), rle.transferSyntaxUid(), 2, null);
    Path p = rewrite("SC_rgb_rle_2frame.dcm", "planar.dcm", d -> {
      // native, by plane: frame 1 then frame 2, each all R, then all G, then all B
      int pixels = 100 * 100;
      byte[] planar = new byte[2 * 3 * pixels];
      for (int frame = 0; frame < 2; frame++) {
        byte[] native0 = org.annal.dicom.image.impl.RleDecoder.decode(
            Frames.frame(rle.dataset(), rle.transferSyntaxUid(), frame + 1),
            org.annal.dicom.image.impl.PixelModule.of(rle.dataset()));
        for (int i = 0; i < pixels; i++) {
          for (int c = 0; c < 3; c++) {
            planar[frame * 3 * pixels + c * pixels + i] = native0[3 * i + c];
          }
        }
      }
      d.putInts(Tag.PlanarConfiguration, Vr.US, 1);
      d.putBytes(Tag.PixelData, Vr.OB, planar);
    });
    DicomFile f = DicomFile.read(p);
    BufferedImage ours = Renderer.render(f.dataset(), f.transferSyntaxUid(), 2, null);
    assertArrayEquals(Dcm2pnm.samples(interleaved), Dcm2pnm.samples(ours));
    assertTrue(compare("SC_rgb planar configuration 1, frame 2", p, 2, null) <= 1);
  }

  @Test
  void sigmoidVoiLutFunction() throws Exception {
    Path p = ImageTestFiles.path("MR_small.dcm");
    assertTrue(compare("MR_small SIGMOID 600/1600", p, 1,
        new Options(600.0, 1600.0, null, null, 90, "SIGMOID"), "+Ww", "600", "1600", "+Wfs")
        <= 1);
  }

  @Test
  void paletteColorFromSixteenBitTables() throws Exception {
    Path p = rewrite("image_dfl.dcm", "palette.dcm", d -> {
      d.putString(Tag.PhotometricInterpretation, Vr.CS, "PALETTE COLOR");
      int[] descriptors = {Tag.RedPaletteColorLookupTableDescriptor,
          Tag.GreenPaletteColorLookupTableDescriptor, Tag.BluePaletteColorLookupTableDescriptor};
      int[] data = {Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData,
          Tag.BluePaletteColorLookupTableData};
      for (int c = 0; c < 3; c++) {
        byte[] table = new byte[2 * 256];
        for (int i = 0; i < 256; i++) {
          int v = (c == 0 ? i : c == 1 ? 255 - i : i * 3 % 256) * 257; // 8 bits spread to 16
          table[2 * i] = (byte) v;
          table[2 * i + 1] = (byte) (v >> 8);
        }
        d.putInts(descriptors[c], Vr.US, 256, 0, 16);
        d.putBytes(data[c], Vr.OW, table);
      }
    });
    assertTrue(compare("image_dfl as PALETTE COLOR", p, 1, null) <= 1);
  }

  @Test
  void ybrFullAndYbrFull422Native() throws Exception {
    DicomFile rle = ImageTestFiles.read("SC_rgb_rle_2frame.dcm");
    byte[] rgb = org.annal.dicom.image.impl.RleDecoder.decode(
        Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 1),
        org.annal.dicom.image.impl.PixelModule.of(rle.dataset()));
    int pixels = 100 * 100;
    byte[] full = new byte[3 * pixels];
    byte[] half = new byte[2 * pixels];
    for (int i = 0; i < pixels; i++) { // forward transform of PS3.3 §C.7.6.3.1.2
      double r = rgb[3 * i] & 0xFF;
      double g = rgb[3 * i + 1] & 0xFF;
      double b = rgb[3 * i + 2] & 0xFF;
      full[3 * i] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
      full[3 * i + 1] = clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128);
      full[3 * i + 2] = clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128);
    }
    for (int pair = 0; pair < pixels / 2; pair++) {
      int a = 3 * 2 * pair;
      half[4 * pair] = full[a];
      half[4 * pair + 1] = full[a + 3];
      half[4 * pair + 2] = (byte) (((full[a + 1] & 0xFF) + (full[a + 4] & 0xFF) + 1) / 2);
      half[4 * pair + 3] = (byte) (((full[a + 2] & 0xFF) + (full[a + 5] & 0xFF) + 1) / 2);
    }
    for (String photometric : java.util.List.of("YBR_FULL", "YBR_FULL_422")) {
      Path p = rewrite("SC_rgb_rle_2frame.dcm", photometric + ".dcm", d -> {
        d.putString(Tag.PhotometricInterpretation, Vr.CS, photometric);
        d.putString(Tag.NumberOfFrames, Vr.IS, "1");
        d.putBytes(Tag.PixelData, Vr.OB, photometric.equals("YBR_FULL") ? full : half);
      });
      // up to 2: DCMTK's YBR conversion (dcmimage diybrpxt.h) centres chroma on 127.5, not on
      // the 128 of PS3.3 §C.7.6.3.1.2 (1.402 Cr - 0.701 x 255), and truncates
      assertTrue(compare("SC_rgb as native " + photometric, p, 1, null) <= 2);
    }
  }

  private static byte clamp(double v) {
    return (byte) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** A copy of a test file, changed, written as Explicit VR Little Endian with native pixels. */
  private static Path rewrite(String name, String as, java.util.function.Consumer<Dataset> change)
      throws Exception {
    DicomFile f = ImageTestFiles.read(name);
    Dataset d = f.dataset();
    change.accept(d);
    FileMetaInformation m = f.meta();
    Path out = work.resolve(as);
    DicomFile.of(new FileMetaInformation(m.mediaStorageSopClassUid(),
        m.mediaStorageSopInstanceUid(), Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.ANNAL_IMPLEMENTATION_CLASS,
        Uid.ANNAL_IMPLEMENTATION_VERSION, null), d).write(out);
    return out;
  }
}
