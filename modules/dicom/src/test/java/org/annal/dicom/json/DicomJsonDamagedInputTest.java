// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomException;
import org.annal.dicom.Part10;
import org.annal.dicom.json.impl.JsonReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Randomly damaged copies of the shared files that Part10 still accepts (bit flips and overwritten
 * lengths give odd lengths, partial binary values, control characters, broken escape sequences
 * and non-numbers in DS/IS): the JSON must always be written, parse strictly, read back, and
 * write again to the same JSON (bar a Specific Character Set the reader had to switch to UTF-8).
 * A stored instance that converts badly would otherwise break every QIDO-RS answer it is part of.
 */
class DicomJsonDamagedInputTest {

  @TestFactory
  List<DynamicTest> damagedDataSetsStillGiveValidJson() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : DicomJsonTestFilesTest.readable()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        byte[] original = Files.readAllBytes(p);
        Random random = new Random(p.getFileName().toString().hashCode());
        int accepted = 0;
        int rounds = original.length > 100_000 ? 15 : 60; // keep the big waveform quick
        for (int round = 0; round < rounds; round++) {
          byte[] damaged = damage(original, random);
          Dataset d;
          try {
            d = Part10.read(new ByteArrayInputStream(damaged), damaged.length).dataset();
          } catch (DicomException rejected) {
            continue;
          }
          accepted++;
          try {
            String json = DicomJson.toJson(d, DicomJson.Options.INLINE_ALL);
            Object tree = JsonReader.parse(new ByteArrayInputStream(
                json.getBytes(StandardCharsets.UTF_8)));
            Dataset back = DicomJson.fromJson(json);
            Object again = JsonReader.parse(new ByteArrayInputStream(
                DicomJson.toJson(back, DicomJson.Options.INLINE_ALL)
                    .getBytes(StandardCharsets.UTF_8)));
            assertEquals(withoutCharset(tree), withoutCharset(again));
          } catch (Throwable t) {
            fail(p.getFileName() + " round " + round + ": " + t, t);
          }
        }
        assertTrue(accepted > 0, "no damaged copy was readable: nothing was checked");
      }));
    }
    return tests;
  }

  /** The tree without (0008,0005) members, at any depth. */
  private static Object withoutCharset(Object tree) {
    if (tree instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> {
        if (!"00080005".equals(k)) {
          out.put(k, withoutCharset(v));
        }
      });
      return out;
    }
    if (tree instanceof List<?> l) {
      return l.stream().map(DicomJsonDamagedInputTest::withoutCharset).toList();
    }
    return tree;
  }

  private static byte[] damage(byte[] original, Random random) {
    byte[] b = original.clone();
    if (random.nextInt(4) > 0) {
      int flips = 1 + random.nextInt(8);
      for (int i = 0; i < flips; i++) {
        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
      }
    } else {
      int at = random.nextInt(Math.max(1, b.length - 4));
      int value = random.nextInt(64);
      for (int i = 0; i < 2 && at + i < b.length; i++) {
        b[at + i] = (byte) (value >>> (8 * i));
      }
    }
    return b;
  }
}
