// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares top-level values with what DCMTK's dcmdump prints for the same file (skipped when
 * dcmdump is not installed). Text values are compared after dcmdump's conversion to UTF-8, so
 * this also checks Specific Character Set decoding.
 */
class DcmdumpComparisonTest {
  private static final Pattern LINE =
      Pattern.compile("^\\(([0-9a-f]{4}),([0-9a-f]{4})\\) ([A-Z]{2}) (\\[(.*)\\]|[-0-9\\\\]+)\\s+#.*$");
  private static final Set<String> COMPARED = Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS",
      "LO", "PN", "SH", "TM", "UI", "UC", "US", "SS", "UL", "SL");

  @TestFactory
  List<DynamicTest> topLevelValuesMatchDcmdump() throws IOException {
    assumeTrue(dcmdumpAvailable(), "dcmdump (DCMTK) is not installed");
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : TestFiles.wellFormed()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        Dataset d = Part10.read(p).dataset();
        int compared = 0;
        boolean inDataSet = false;
        for (String line : dcmdump(p)) {
          if (line.startsWith("# Dicom-Data-Set")) {
            inDataSet = true;
            continue;
          }
          Matcher m = LINE.matcher(line);
          if (!inDataSet || !m.matches() || !COMPARED.contains(m.group(3))) {
            continue;
          }
          int tag = Integer.parseUnsignedInt(m.group(1) + m.group(2), 16);
          String expected = m.group(5) != null ? m.group(5) : m.group(4);
          Element e = d.get(tag);
          if (tag == Tag.SpecificCharacterSet) {
            continue; // +U8 rewrites it to ISO_IR 192
          }
          if (e == null || !e.vr().name().equals(m.group(3))) {
            continue; // e.g. an element dcmdump re-interpreted; not what this test is about
          }
          assertEquals(expected.stripTrailing(), d.getString(tag).stripTrailing(),
              p.getFileName() + " " + ElementDictionary.toString(tag));
          compared++;
        }
        assertTrue(compared > 0 || d.size() < 5, "nothing compared for " + p.getFileName());
      }));
    }
    return tests;
  }

  private static boolean dcmdumpAvailable() {
    try {
      Process p = new ProcessBuilder("dcmdump", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<String> dcmdump(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("dcmdump", "-q", "+L", "-Un", "+U8", file.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dcmdump timed out");
    return out.lines().toList();
  }
}
