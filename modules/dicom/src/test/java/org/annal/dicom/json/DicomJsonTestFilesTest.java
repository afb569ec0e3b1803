// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomException;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Part10;
import org.annal.dicom.Vr;
import org.annal.dicom.json.impl.JsonReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file of the shared test data (system property {@code annal.testdata.dicom}): converted to
 * JSON, the JSON parses (strictly) and is well formed as PS3.18 §F.2 wants it, and reads back into
 * a data set whose text, number, binary and sequence elements equal the original's.
 */
class DicomJsonTestFilesTest {
  static final Path DIR = Path.of(System.getProperty("annal.testdata.dicom",
      "/work/shared/testdata/dicom"));

  /** The files org.annal.dicom.Part10 rejects on purpose (see org.annal.dicom.TestFiles). */
  static final Set<String> REJECTED = Set.of("MR_truncated.dcm", "no_meta.dcm");

  static List<Path> all() throws IOException {
    assumeTrue(Files.isDirectory(DIR), "test data directory " + DIR + " not present");
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  static List<Path> readable() throws IOException {
    return all().stream().filter(p -> !REJECTED.contains(p.getFileName().toString())).toList();
  }

  @Test
  void exactlyTheDeliberatelyBrokenFilesAreRejectedByPart10() throws IOException {
    Set<String> rejected = new TreeSet<>();
    for (Path p : all()) {
      try {
        Part10.read(p);
      } catch (DicomException e) {
        rejected.add(p.getFileName().toString());
      }
    }
    assertEquals(new TreeSet<>(REJECTED), rejected);
  }

  @TestFactory
  List<DynamicTest> convertsParsesAndReadsBack() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path p : readable()) {
      tests.add(DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
        Dataset original = Part10.read(p).dataset();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DicomJson.write(original, out, DicomJson.Options.INLINE_ALL);
        byte[] json = out.toByteArray();

        Object tree = JsonReader.parse(new ByteArrayInputStream(json));
        Map<?, ?> top = assertInstanceOf(Map.class, tree);
        checkModel(top, p.getFileName().toString());

        Dataset back = DicomJson.read(new ByteArrayInputStream(json));
        assertSameContent(original, back, p.getFileName() + " ");

        // writing what was read gives the same JSON (the model is a fixed point)
        assertEquals(new String(json, StandardCharsets.UTF_8),
            DicomJson.toJson(back, DicomJson.Options.INLINE_ALL));
      }));
    }
    return tests;
  }

  /** Member names 8 upper-case hex digits in ascending order; "vr" first; at most one value. */
  private static void checkModel(Map<?, ?> object, String where) {
    String previous = "";
    for (Map.Entry<?, ?> m : object.entrySet()) {
      String key = (String) m.getKey();
      assertTrue(key.matches("[0-9A-F]{8}"), where + ": bad member name " + key);
      assertTrue(key.compareTo(previous) > 0, where + ": " + key + " after " + previous);
      assertTrue(!key.startsWith("0002") && !key.endsWith("0000"), where + ": " + key);
      previous = key;
      Map<?, ?> attribute = assertInstanceOf(Map.class, m.getValue());
      assertEquals("vr", attribute.keySet().iterator().next(), where + " " + key);
      assertTrue(attribute.size() <= 2, where + " " + key + ": " + attribute.keySet());
      if ("SQ".equals(attribute.get("vr")) && attribute.get("Value") instanceof List<?> items) {
        for (int i = 0; i < items.size(); i++) {
          checkModel(assertInstanceOf(Map.class, items.get(i)), where + " " + key + "." + i);
        }
      }
    }
  }

  /** Compares the elements JSON carries: all but group 0002, group lengths, encapsulated pixels. */
  static void assertSameContent(Dataset expected, Dataset actual, String where) {
    List<Integer> expectedTags = new ArrayList<>();
    for (Element e : expected.elements()) {
      if ((e.tag() >>> 16) != 2 && (e.tag() & 0xFFFF) != 0) {
        expectedTags.add(e.tag());
      }
    }
    List<Integer> actualTags = actual.elements().stream().map(Element::tag).toList();
    assertEquals(expectedTags, actualTags, where + "tags");
    for (int tag : expectedTags) {
      Element e = expected.get(tag);
      Element a = actual.get(tag);
      String at = where + ElementDictionary.toString(tag) + " " + e.vr();
      if (e.isSequence()) {
        assertEquals(Vr.SQ, a.vr(), at);
        assertEquals(e.items().size(), a.items().size(), at + " items");
        for (int i = 0; i < e.items().size(); i++) {
          assertSameContent(e.items().get(i), a.items().get(i), at + " item " + i + " ");
        }
        continue;
      }
      assertEquals(e.vr(), a.vr(), at);
      if (e.isEncapsulated()) {
        assertEquals(0, a.length(), at + ": left out without a BulkDataURI");
        continue;
      }
      switch (e.vr()) {
        case OB, OD, OF, OL, OV, OW, UN -> // an odd length (malformed) comes back padded
            assertArrayEquals(Arrays.copyOf(e.value(), (e.value().length + 1) & ~1), a.value(), at);
        case US, SS, UL, SL, FL, FD, SV, UV, AT -> {
          int whole = e.value().length - e.value().length % e.vr().valueSize();
          assertArrayEquals(Arrays.copyOf(e.value(), whole), a.value(), at);
        }
        case IS, DS -> {
          String[] ev = decimals(expected, tag);
          String[] av = decimals(actual, tag);
          assertEquals(ev.length, av.length, at + " " + Arrays.toString(ev) + Arrays.toString(av));
          for (int i = 0; i < ev.length; i++) {
            assertTrue(sameDecimal(ev[i], av[i]), at + ": " + ev[i] + " vs " + av[i]);
          }
        }
        default -> {
          String ev = expected.getString(tag);
          String av = actual.getString(tag);
          assertNotNull(av, at);
          assertEquals(normalized(ev, e.vr()), normalized(av, e.vr()), at);
        }
      }
    }
  }

  private static String[] decimals(Dataset d, int tag) {
    String[] v = d.getStrings(tag);
    return v.length == 1 && v[0].isEmpty() ? new String[0] : v;
  }

  private static boolean sameDecimal(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    try {
      return new BigDecimal(a.strip()).compareTo(new BigDecimal(b.strip())) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Each value without its leading and trailing spaces (JSON drops them, PS3.18 §F.2.4). */
  private static String normalized(String s, Vr vr) {
    if (vr == Vr.LT || vr == Vr.ST || vr == Vr.UT) {
      return s.stripTrailing();
    }
    String[] parts = s.split("\\\\", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = parts[i].replaceAll("^ +| +$", "");
      if (vr == Vr.PN && parts[i].matches("[\\^= ]*")) {
        parts[i] = ""; // only delimiters: an empty name
      }
    }
    String joined = String.join("\\", parts);
    return joined.replaceAll("^\\\\+$", "").isEmpty() && !s.contains("\\") ? "" : joined;
  }

  static void failWith(String message) {
    fail(message);
  }
}
