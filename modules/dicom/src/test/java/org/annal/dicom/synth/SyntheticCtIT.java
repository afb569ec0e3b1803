// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks generated files with third-party readers: DCMTK's {@code dcmftest} (PS3.10 format) and
 * {@code dcmdump} (parses every element), and dicom3tools' {@code dciodvfy} (validates the CT Image
 * IOD of PS3.3) when installed. A reader we did not write is the point: the unit test's walker
 * shares our reading of the standard.
 */
class SyntheticCtIT {

  @Test
  void dcmtkReadsEveryFileAndTheValuesWeWrote(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("dcmftest") && onPath("dcmdump"), "DCMTK is not installed");
    SyntheticCt ct = SyntheticCt.builder().studies(2).seriesPerStudy(2).instancesPerSeries(2)
        .nonAsciiNames(true).build();
    List<SyntheticCt.GeneratedInstance> written = ct.generate(dir);
    List<String> command = new ArrayList<>(List.of("dcmftest"));
    written.forEach(g -> command.add(dir.resolve(g.path()).toString()));
    Result ftest = run(command);
    assertEquals(0, ftest.exitCode, ftest.output);
    assertEquals(written.size(), ftest.output.lines().filter(l -> l.startsWith("yes:")).count(),
        ftest.output);

    Path file = dir.resolve(written.get(written.size() - 1).path());
    Result dump = run(List.of("dcmdump", "--log-level", "warn", "+U8", file.toString()));
    assertEquals(0, dump.exitCode, dump.output);
    assertTrue(!dump.output.contains("W: ") && !dump.output.contains("E: "), dump.output);
    assertTrue(dump.output.contains("(0002,0010) UI =LittleEndianExplicit"), dump.output);
    assertTrue(dump.output.contains("[" + ct.sopInstanceUid(1, 1, 1) + "]"), dump.output);
    assertTrue(dump.output.contains("(0008,0005) CS [ISO_IR 192]"), dump.output);
    assertTrue(dump.output.contains("(0028,0010) US 512"), dump.output);
    assertTrue(dump.output.contains("# 524288, 1 PixelData"), dump.output);
  }

  @Test
  void dciodvfyFindsNoErrorInTheCtImageIod(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("dciodvfy"), "dicom3tools (dciodvfy) is not installed");
    for (boolean metadataOnly : new boolean[] {false, true}) {
      SyntheticCt ct = SyntheticCt.builder().metadataOnly(metadataOnly).instancesPerSeries(1)
          .nonAsciiNames(metadataOnly).build();
      Path out = dir.resolve("metadataOnly-" + metadataOnly);
      Path file = out.resolve(ct.generate(out).get(0).path());
      Result verify = run(List.of("dciodvfy", file.toString()));
      assertTrue(verify.output.contains("CTImage"), verify.output);
      assertTrue(verify.output.lines().noneMatch(l -> l.startsWith("Error")), verify.output);
      assertTrue(verify.output.lines().noneMatch(l -> l.startsWith("Warning")), verify.output);
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // Read before waiting, so that a chatty tool cannot block on a full pipe.
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
    return new Result(p.exitValue(), output);
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
