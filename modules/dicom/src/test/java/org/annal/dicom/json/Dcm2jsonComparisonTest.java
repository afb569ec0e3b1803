// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Dataset;
import org.annal.dicom.Part10;
import org.annal.dicom.json.impl.JsonReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

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
 *   <li>dcm2json writes a DS or IS value that is not a number as a JSON number anyway (invalid
 *       JSON); we write a string. None of the shared files has such a value.
 * </ul>
 */
class Dcm2jsonComparisonTest {

  @TestFactory
  @SuppressWarnings("unchecked")
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
        Map<Object, Object> expected = (Map<Object, Object>) JsonReader.parse(new ByteArrayInputStream(theirs.stdout));
        Map<Object, Object> actual = (Map<Object, Object>) JsonReader.parse(new ByteArrayInputStream(
            DicomJson.toJson(d, DicomJson.Options.INLINE_ALL).getBytes("UTF-8")));
        Object ourCharset = actual.get("00080005");
        if (ourCharset != null) { // the deliberate difference: see the class comment
          assertEquals(d.getString(0x00080005), String.join("\\", strings(ourCharset)));
          assertEquals(List.of("ISO_IR 192"), strings(expected.get("00080005")));
          expected.remove("00080005");
          actual.remove("00080005");
        }
        List<String> differences = new ArrayList<>();
        int compared = compare(expected, actual, "", differences);
        assertEquals(List.of(), differences, p.getFileName().toString());
        assertEquals(expected.keySet(), actual.keySet(), "top-level elements");
        assertTrue(compared > 0, "nothing compared");
      }));
    }
    return tests;
  }

  private static List<String> strings(Object attribute) {
    List<String> out = new ArrayList<>();
    for (Object v : (List<?>) ((Map<?, ?>) attribute).get("Value")) {
      out.add((String) v);
    }
    return out;
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
    return new Dcm2json(p.exitValue(), out, new String(err, "UTF-8"));
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
