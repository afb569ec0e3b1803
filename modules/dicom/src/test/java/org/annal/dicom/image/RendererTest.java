// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.image;

import static org.annal.dicom.image.FramesTest.assertMessage;
import static org.annal.dicom.image.FramesTest.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.Vr;
import org.annal.dicom.image.Renderer.Options;
import org.annal.dicom.image.impl.PixelModule;
import org.annal.dicom.image.impl.RleDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RendererTest {
  private static final String LE = Uid.EXPLICIT_VR_LITTLE_ENDIAN;

  private static BufferedImage render(String name, int frame, Options options) throws Exception {
    DicomFile f = ImageTestFiles.read(name);
    return Renderer.render(f.dataset(), f.transferSyntaxUid(), frame, options);
  }

  private static int[] pixels(BufferedImage image) {
    return Dcm2pnm.samples(image);
  }

  @Test
  void theSameMrInFiveTransferSyntaxesRendersToTheSamePixels() throws Exception {
    int[] expected = pixels(render("MR_small.dcm", 1, null));
    assertEquals(64 * 64, expected.length);
    assertTrue(Arrays.stream(expected).distinct().count() > 100, "a real image, not a flat one");
    for (String name : List.of("MR_small_implicit.dcm", "MR_small_bigendian.dcm",
        "MR_small_expb.dcm", "MR_small_RLE.dcm")) {
      assertArrayEquals(expected, pixels(render(name, 1, null)), name);
    }
  }

  @Test
  void rleDecodesToTheNativeFrame() {
    DicomFile rle = ImageTestFiles.read("MR_small_RLE.dcm");
    DicomFile le = ImageTestFiles.read("MR_small.dcm");
    byte[] decoded = RleDecoder.decode(Frames.frame(rle.dataset(), rle.transferSyntaxUid(), 1),
        PixelModule.of(rle.dataset()));
    assertArrayEquals(Frames.frame(le.dataset(), le.transferSyntaxUid(), 1), decoded);
  }

  @Test
  void theWindowIsTheCallersElseTheInstancesElseMinMax() throws Exception {
    int[] instance = pixels(render("MR_small.dcm", 1, null));
    assertArrayEquals(instance, pixels(render("MR_small.dcm", 1,
        new Options(600.0, 1600.0, null, null, 90))));
    int[] narrow = pixels(render("MR_small.dcm", 1, new Options(600.0, 200.0, null, null, 90)));
    assertNotEquals(Arrays.toString(instance), Arrays.toString(narrow));

    DicomFile f = ImageTestFiles.read("MR_small.dcm");
    f.dataset().remove(Tag.WindowCenter);
    f.dataset().remove(Tag.WindowWidth);
    int[] minMax = pixels(Renderer.render(f.dataset(), f.transferSyntaxUid(), 1, null));
    assertEquals(0, Arrays.stream(minMax).min().orElseThrow());
    assertEquals(255, Arrays.stream(minMax).max().orElseThrow());
    assertNotEquals(Arrays.toString(instance), Arrays.toString(minMax));
  }

  @Test
  void signedEightBitMinMax() throws Exception {
    Dataset d = image(1, 4, 8, 1);
    d.putInts(Tag.PixelRepresentation, Vr.US, 1);
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(0x80, 0xFF, 0x00, 0x7F)); // -128 -1 0 127
    // min-max: centre 0.5, width 256, so y = x + 127.5 between the edges
    assertArrayEquals(new int[] {0, 127, 128, 255}, pixels(Renderer.render(d, LE, 1, null)));
  }

  @ParameterizedTest
  @CsvSource({"LINEAR, 0, 129, 255", "LINEAR_EXACT, 0, 128, 255", "SIGMOID, 30, 128, 225"})
  void voiLutFunctions(String function, int low, int middle, int high) throws Exception {
    // values 100, 150, 200, centre 150, width 100: LINEAR's edges are 100 and 199 (PS3.3
    // §C.11.2.1.2.1), its centre 149.5 (150 -> 128.8); LINEAR_EXACT's are 100, 150 and 200
    Dataset d = image(1, 3, 8, 1);
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(100, 150, 200));
    d.putString(Tag.VOILUTFunction, Vr.CS, function);
    d.putString(Tag.WindowCenter, Vr.DS, "150");
    d.putString(Tag.WindowWidth, Vr.DS, "100");
    int[] fromInstance = pixels(Renderer.render(d, LE, 1, null));
    assertArrayEquals(new int[] {low, middle, high}, fromInstance);
    d.remove(Tag.VOILUTFunction);
    assertArrayEquals(fromInstance, pixels(Renderer.render(d, LE, 1,
        new Options(150.0, 100.0, null, null, 90, function.toLowerCase().replace('_', '-')))));
  }

  @Test
  void paletteColor() throws Exception {
    Dataset d = image(1, 3, 8, 1);
    d.putString(Tag.PhotometricInterpretation, Vr.CS, "PALETTE COLOR");
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(10, 11, 200, 0)); // 200: past the table
    int[] lut = {Tag.RedPaletteColorLookupTableDescriptor,
        Tag.GreenPaletteColorLookupTableDescriptor, Tag.BluePaletteColorLookupTableDescriptor};
    int[] data = {Tag.RedPaletteColorLookupTableData, Tag.GreenPaletteColorLookupTableData,
        Tag.BluePaletteColorLookupTableData};
    for (int c = 0; c < 3; c++) {
      d.putInts(lut[c], Vr.US, 2, 10, 16); // two 16-bit entries for values 10 and 11
      d.putBytes(data[c], Vr.OW, FramesTest.bytes(0, 0x10 * (c + 1), 0xFF, 0xFF));
    }
    assertArrayEquals(new int[] {0x10, 0x20, 0x30, 255, 255, 255, 255, 255, 255},
        pixels(Renderer.render(d, LE, 1, null)));
  }

  @Test
  void ybrFull422NativeSharesChromaBetweenPairs() throws Exception {
    Dataset d = image(1, 2, 8, 1);
    d.putInts(Tag.SamplesPerPixel, Vr.US, 3);
    d.putString(Tag.PhotometricInterpretation, Vr.CS, "YBR_FULL_422");
    // Y1 Y2 Cb Cr: neutral chroma gives gray, then Cr 228 adds red (+140) and takes green
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(50, 90, 128, 128));
    assertArrayEquals(new int[] {50, 50, 50, 90, 90, 90}, pixels(Renderer.render(d, LE, 1, null)));
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(100, 100, 128, 228));
    assertArrayEquals(new int[] {240, 29, 100, 240, 29, 100},
        pixels(Renderer.render(d, LE, 1, null)));
  }

  @Test
  void jpegAndRleColorFramesAreRgb() throws Exception {
    BufferedImage jpeg = render("SC_rgb_jpeg_dcmtk.dcm", 1, null);
    assertEquals(BufferedImage.TYPE_INT_RGB, jpeg.getType());
    assertEquals(100, jpeg.getWidth());
    BufferedImage first = render("SC_rgb_rle_2frame.dcm", 1, null);
    BufferedImage second = render("SC_rgb_rle_2frame.dcm", 2, null);
    assertEquals(BufferedImage.TYPE_INT_RGB, first.getType());
    // the RLE file's second frame is its first inverted; the JPEG file a lossy copy of the first
    int[] a = pixels(first);
    int[] j = pixels(jpeg);
    assertArrayEquals(Arrays.stream(a).map(v -> 255 - v).toArray(), pixels(second));
    int worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - j[i]));
    }
    assertTrue(worst <= 8, "JPEG far from the lossless original: " + worst);
  }

  @ParameterizedTest
  @CsvSource({"JPEG2000.dcm, 1.2.840.10008.1.2.4.91",
      "MR_small_jp2klossless.dcm, 1.2.840.10008.1.2.4.90",
      "MR_small_jpeg_ls_lossless.dcm, 1.2.840.10008.1.2.4.80",
      "JPEG-lossy.dcm, 1.2.840.10008.1.2.4.51"})
  void otherSyntaxesAreUnsupportedAndSaySo(String name, String uid) {
    UnsupportedRenderingException e = assertThrows(UnsupportedRenderingException.class,
        () -> render(name, 1, null));
    assertTrue(e.getMessage().contains(uid), e.getMessage());
  }

  @Test
  void unsupportedPhotometricInterpretation() {
    DicomFile f = ImageTestFiles.read("MR_small.dcm");
    f.dataset().putString(Tag.PhotometricInterpretation, Vr.CS, "HSV");
    UnsupportedRenderingException e = assertThrows(UnsupportedRenderingException.class,
        () -> Renderer.render(f.dataset(), f.transferSyntaxUid(), 1, null));
    assertTrue(e.getMessage().contains("'HSV'"), e.getMessage());
  }

  @Test
  void badInputFailsClearly() {
    DicomFile mr = ImageTestFiles.read("MR_small.dcm");
    Dataset cut = mr.dataset();
    cut.putBytes(Tag.PixelData, Vr.OW, new byte[1000]);
    assertMessage("holds 1000 bytes", () -> Renderer.render(cut, LE, 1, null));
    assertMessage("frame 2 is out of range", () -> render("MR_small.dcm", 2, null));

    DicomFile rle = ImageTestFiles.read("MR_small_RLE.dcm");
    List<byte[]> fragments = rle.dataset().get(Tag.PixelData).fragments();
    byte[] frame = fragments.get(1);
    rle.dataset().put(Element.ofFragments(Tag.PixelData, Vr.OB,
        List.of(fragments.get(0), Arrays.copyOf(frame, frame.length / 2))));
    assertMessage("RLE segment", () -> Renderer.render(rle.dataset(), rle.transferSyntaxUid(),
        1, null));
    rle.dataset().put(Element.ofFragments(Tag.PixelData, Vr.OB,
        List.of(fragments.get(0), new byte[10])));
    assertMessage("shorter than its 64-byte header",
        () -> Renderer.render(rle.dataset(), rle.transferSyntaxUid(), 1, null));

    DicomFile jpeg = ImageTestFiles.read("SC_rgb_jpeg_dcmtk.dcm");
    List<byte[]> jf = jpeg.dataset().get(Tag.PixelData).fragments();
    jpeg.dataset().put(Element.ofFragments(Tag.PixelData, Vr.OB,
        List.of(jf.get(0), Arrays.copyOf(jf.get(1), 40))));
    assertMessage("the JPEG frame", () -> Renderer.render(jpeg.dataset(),
        jpeg.transferSyntaxUid(), 1, null));

    assertMessage("window width 0.5 is not allowed",
        () -> render("MR_small.dcm", 1, new Options(10.0, 0.5, null, null, 90)));
    assertMessage("both window centre and width", () -> new Options(10.0, null, null, null, 90));
    assertMessage("quality 0", () -> new Options(null, null, null, null, 0));
    assertMessage("rows and columns must be positive", () -> new Options(null, null, 0, 5, 90));
    assertMessage("is not LINEAR, LINEAR_EXACT or SIGMOID",
        () -> render("MR_small.dcm", 1, new Options(10.0, 5.0, null, null, 90, "cubic")));

    assertMessage("cannot scale to 100000 x 100000",
        () -> render("MR_small.dcm", 1, new Options(null, null, 100000, 100000, 90)));
    DicomFile huge = ImageTestFiles.read("MR_small_RLE.dcm"); // a header far larger than its data
    huge.dataset().putInts(Tag.Rows, Vr.US, 10000);
    huge.dataset().putInts(Tag.Columns, Vr.US, 10000);
    UnsupportedRenderingException tooLarge = assertThrows(UnsupportedRenderingException.class,
        () -> Renderer.render(huge.dataset(), huge.transferSyntaxUid(), 1, null));
    assertTrue(tooLarge.getMessage().contains("10000 x 10000"), tooLarge.getMessage());

    Dataset threeSamples = image(2, 2, 8, 1);
    threeSamples.putInts(Tag.SamplesPerPixel, Vr.US, 3);
    threeSamples.putBytes(Tag.PixelData, Vr.OB, new byte[12]);
    assertMessage("MONOCHROME2 does not go with Samples per Pixel 3",
        () -> Renderer.render(threeSamples, LE, 1, null));
  }

  @Test
  void scalingFitsInsideAndKeepsTheAspectRatio() throws Exception {
    BufferedImage ct = render("CT_small.dcm", 1, new Options(null, null, 64, 100, 90));
    assertEquals(64, ct.getWidth());
    assertEquals(64, ct.getHeight());

    // 32 rows of 128 columns: a 4:1 image
    DicomFile f = ImageTestFiles.read("MR_small.dcm");
    f.dataset().putInts(Tag.Rows, Vr.US, 32);
    f.dataset().putInts(Tag.Columns, Vr.US, 128);
    BufferedImage wide = Renderer.render(f.dataset(), f.transferSyntaxUid(), 1,
        new Options(null, null, 50, 50, 90));
    assertEquals(50, wide.getWidth());
    assertEquals(13, wide.getHeight()); // 12.5 rounded
    BufferedImage tall = Renderer.render(f.dataset(), f.transferSyntaxUid(), 1,
        new Options(null, null, 64, null, 90));
    assertEquals(256, tall.getWidth());
    assertEquals(64, tall.getHeight());
    BufferedImage rgb = render("SC_rgb_rle_2frame.dcm", 1, new Options(null, null, null, 30, 90));
    assertEquals(30, rgb.getWidth());
    assertEquals(30, rgb.getHeight());
    assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
  }

  @Test
  void halvingAveragesEachTwoByTwoBlock() throws Exception {
    Dataset d = image(2, 4, 8, 1);
    d.putString(Tag.WindowCenter, Vr.DS, "128");
    d.putString(Tag.WindowWidth, Vr.DS, "256"); // identity: y = (x - 127.5) / 255 * 255 + 127.5
    d.putBytes(Tag.PixelData, Vr.OB, FramesTest.bytes(0, 10, 100, 200, 20, 30, 50, 50));
    assertArrayEquals(new int[] {0, 10, 100, 200, 20, 30, 50, 50},
        pixels(Renderer.render(d, LE, 1, null)));
    assertArrayEquals(new int[] {15, 100}, // (0+10+20+30)/4 and (100+200+50+50)/4
        pixels(Renderer.render(d, LE, 1, new Options(null, null, 1, 2, 90))));
  }

  @Test
  void jpegAndPngDecodeBackToTheSameSize() throws Exception {
    for (BufferedImage image : List.of(render("CT_small.dcm", 1, null),
        render("SC_rgb_rle_2frame.dcm", 2, null),
        render("MR_small.dcm", 1, new Options(null, null, 40, 30, 90)))) {
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(Renderer.png(image)));
      assertEquals(image.getWidth(), png.getWidth());
      assertEquals(image.getHeight(), png.getHeight());
      assertArrayEquals(pixels(image), pixels(png), "PNG is lossless");
      byte[] good = Renderer.jpeg(image, 95);
      byte[] poor = Renderer.jpeg(image, 5);
      assertTrue(poor.length < good.length, poor.length + " vs " + good.length);
      BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(good));
      assertEquals(image.getWidth(), jpeg.getWidth());
      assertEquals(image.getHeight(), jpeg.getHeight());
      assertEquals(image.getRaster().getNumBands(), jpeg.getRaster().getNumBands());
    }
    assertThrows(IllegalArgumentException.class,
        () -> Renderer.jpeg(render("CT_small.dcm", 1, null), 101));
  }
}
