// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Tag;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.Vr;
import org.annal.dicom.Part10;
import org.annal.dicom.json.impl.JsonReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares our JSON with DCMTK's {@code dcm2json} (a real peer) for every shared test file it
 * converts: every element both write must have the same JSON tree (skipped when DCMTK is not
 * installed). Numbers are compared by value, since the two normalize decimal text differently;
 * FL and FD as the float or double they denote (dcm2json prints 9 and 17 significant digits, we
 * the shortest text that reads back as the same value).
 *
 * <p>Deliberate differences, checked as such rather than skipped:
 * <ul>
 *   <li>dcm2json 3.6.7 refuses files with encapsulated Pixel Data ("InlineBinary encoding not
 *       supported for compressed pixel data"); those files are not compared.
 *   <li>dcm2json rewrites Specific Character Set (0008,0005) to "ISO_IR 192", the encoding of
 *       its output; we keep the source's value, as PS3.18 §F.2.2 note 3 (2025) says: "reflects the
 *       character encoding of the source DICOM dataset and does not indicate the character
 *       encoding of the JSON representation".
 * </ul>
 * Both write a DS that is not a number ("NaN") as a string, SV/UV beyond 2^53 as strings, and an
 * empty value among several as null; the hand-built data set checks these.
 */
class Dcm2jsonComparisonTest {

  @TestFactory
  List<DynamicTest> sameJsonAsDcm2json() throws IOException {
    assumeTrue(dcm2jsonAvailable(), "dcm2json (DCMTK) is not installed");
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : DicomJsonTestFilesTest.readable()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        Dcm2json theirs = dcm2json(p);
        Dataset d = Part10.read(p).dataset();
        boolean encapsulated = d.elements().stream().anyMatch(e -> e.isEncapsulated());
        if (encapsulated) {
          assertTrue(theirs.exitCode != 0 && theirs.stderr.contains("compressed pixel data"),
              "dcm2json was expected to refuse encapsulated pixel data: " + theirs.stderr);
          return;
        }
        assertEquals(0, theirs.exitCode, theirs.stderr);
        assertSameAsDcm2json(d, theirs, p.getFileName().toString());
      }));
    }
    return tests;
  }

  /** Runs the comparison described in the class comment; fails listing every difference. */
  @SuppressWarnings("unchecked")
  private static void assertSameAsDcm2json(Dataset d, Dcm2json theirs, String what)
      throws IOException {
    Map<Object, Object> expected =
        (Map<Object, Object>) JsonReader.parse(new ByteArrayInputStream(theirs.stdout));
    Map<Object, Object> actual = (Map<Object, Object>) JsonReader.parse(new ByteArrayInputStream(
        DicomJson.toJson(d, DicomJson.Options.INLINE_ALL).getBytes(StandardCharsets.UTF_8)));
    Object ourCharset = actual.get("00080005");
    if (ourCharset != null) { // the deliberate difference: see the class comment
      assertEquals(d.getString(0x00080005), String.join("\\", strings(ourCharset)));
      assertEquals(List.of("ISO_IR 192"), strings(expected.get("00080005")));
      expected.remove("00080005");
      actual.remove("00080005");
    }
    List<String> differences = new ArrayList<>();
    int compared = compare(expected, actual, "", differences);
    assertEquals(List.of(), differences, what);
    assertEquals(expected.keySet(), actual.keySet(), what + ": top-level elements");
    assertTrue(compared > 0, "nothing compared");
  }

  private static List<String> strings(Object attribute) {
    List<String> out = new ArrayList<>();
    for (Object v : (List<?>) ((Map<?, ?>) attribute).get("Value")) {
      out.add((String) v);
    }
    return out;
  }

  /**
   * The hand-built data sets of {@link DicomJsonTest}, written as Part 10 files: every VR class
   * (non-finite FL/FD, which dcm2json refuses without -ee, replaced by finite values; not
   * extreme ones either: dcm2json 3.6.7 prints -1e300 as -1.0000000000000007e300, another
   * double, where we print -1.0E300), Latin-1
   * text under ISO_IR 100, and UTF-8 person names with ideographic and phonetic groups. (The
   * PS3.5 Annex H name in ISO 2022 IR 87 cannot be compared: Debian's DCMTK converts with glibc
   * iconv, which "does not support ISO 2022 IR 87".)
   */
  @Test
  void handBuiltDataSetsAsDcm2jsonWritesThem(@TempDir Path dir) throws Exception {
    assumeTrue(dcm2jsonAvailable(), "dcm2json (DCMTK) is not installed");
    Dataset every = DicomJsonTest.everyVr();
    every.remove(Tag.TransferSyntaxUID);
    every.remove(0x00080000);
    every.put(DicomJsonTest.text(Tag.SpecificCharacterSet, Vr.CS, "ISO_IR 100"));
    every.put(DicomJsonTest.bytes(0x00091012, Vr.FL, ByteBuffer.allocate(8)
        .order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-2.5e-7f).array()));
    every.put(DicomJsonTest.bytes(0x00091013, Vr.FD, ByteBuffer.allocate(16)
        .order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-12345.678901e-3).array()));
    for (Dataset d : List.of(every, DicomJsonTest.utf8Names())) {
      Path file = dir.resolve("hand-built.dcm");
      DicomFile.of(FileMetaInformation.of("1.2.840.10008.5.1.4.1.1.7", "1.2.3.4",
          TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), "TEST"), d).write(file);
      Dcm2json theirs = dcm2json(file);
      assertEquals(0, theirs.exitCode, theirs.stderr);
      assertSameAsDcm2json(d, theirs, d.getString(Tag.SpecificCharacterSet));
    }
  }

  /** Compares two JSON trees; returns the number of leaves compared. */
  private static int compare(Object expected, Object actual, String path, List<String> out) {
    if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a
        && ("FL".equals(e.get("vr")) || "FD".equals(e.get("vr")))
        && e.get("Value") instanceof List<?> ev && a.get("Value") instanceof List<?> av
        && ev.size() == av.size()) {
      boolean single = "FL".equals(e.get("vr"));
      for (int i = 0; i < ev.size(); i++) {
        String x = String.valueOf(ev.get(i));
        String y = String.valueOf(av.get(i));
        boolean same = single ? Float.parseFloat(x) == Float.parseFloat(y)
            : Double.parseDouble(x) == Double.parseDouble(y);
        if (!same) {
          out.add(path + "/Value/" + i + ": " + x + " vs " + y);
        }
      }
      return ev.size();
    }
    if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
      int n = 0;
      if (!e.keySet().equals(a.keySet())) {
        out.add(path + ": members " + e.keySet() + " vs " + a.keySet());
      }
      for (Object k : e.keySet()) {
        if (a.containsKey(k)) {
          n += compare(e.get(k), a.get(k), path + "/" + k, out);
        }
      }
      return n;
    }
    if (expected instanceof List<?> e && actual instanceof List<?> a) {
      if (e.size() != a.size()) {
        out.add(path + ": " + e.size() + " values vs " + a.size() + ": " + e + " vs " + a);
        return 0;
      }
      int n = 0;
      for (int i = 0; i < e.size(); i++) {
        n += compare(e.get(i), a.get(i), path + "/" + i, out);
      }
      return n;
    }
    if (expected instanceof JsonReader.Number e && actual instanceof JsonReader.Number a) {
      if (new BigDecimal(e.text()).compareTo(new BigDecimal(a.text())) != 0) {
        out.add(path + ": " + e + " vs " + a);
      }
      return 1;
    }
    if (expected == null ? actual != null : !expected.equals(actual)) {
      out.add(path + ": " + expected + " vs " + actual);
    }
    return 1;
  }

  private record Dcm2json(int exitCode, byte[] stdout, String stderr) {}

  private static Dcm2json dcm2json(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("dcm2json", "-fc", file.toString()).start();
    byte[] err;
    byte[] out;
    // stderr is small; read stdout first, then stderr (dcm2json writes warnings before output)
    out = p.getInputStream().readAllBytes();
    err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dcm2json timed out");
    return new Dcm2json(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
  }

  private static boolean dcm2jsonAvailable() {
    try {
      Process p = new ProcessBuilder("dcm2json", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
