// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Implicit VR "US or SS" elements take their VR from Pixel Representation (0028,0103), as DCMTK
 * reads them (found comparing DICOM JSON with dcm2json on MR_small_implicit.dcm).
 */
class ImplicitVrSignedPixelValueTest {
  private static final String IMPLICIT = "1.2.840.10008.1.2";

  private static Dataset readImplicit(int pixelRepresentation) throws IOException {
    Dataset d = new Dataset();
    d.putInts(Tag.PixelRepresentation, Vr.US, pixelRepresentation);
    d.putInts(Tag.SmallestImagePixelValue, Vr.US, 0xF830); // -2000 if signed
    d.putInts(Tag.LUTDescriptor, Vr.US, 4096, 0, 12);
    return DatasetReader.read(DatasetWriter.encode(d, IMPLICIT), IMPLICIT);
  }

  @Test
  void signedPixelRepresentationMakesSingleValuedUsOrSsElementsSs() throws IOException {
    Dataset d = readImplicit(1);
    assertEquals(Vr.SS, d.get(Tag.SmallestImagePixelValue).vr());
    assertEquals(-2000, d.getInt(Tag.SmallestImagePixelValue, 0));
    assertEquals(Vr.US, d.get(Tag.LUTDescriptor).vr(), "descriptors stay US (PS3.3 C.11.1.1.1)");
    assertEquals("4096\\0\\12", d.getString(Tag.LUTDescriptor));
  }

  @Test
  void unsignedPixelRepresentationKeepsUs() throws IOException {
    Dataset d = readImplicit(0);
    assertEquals(Vr.US, d.get(Tag.SmallestImagePixelValue).vr());
    assertEquals(0xF830, d.getInt(Tag.SmallestImagePixelValue, 0));
  }
}
