// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.annal.dicom.json.impl.JsonReader;
import org.annal.dicom.json.impl.JsonWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict JSON parser and the writer's escaping (RFC 8259). */
class JsonReaderTest {

  static Object parse(String json) throws IOException {
    return JsonReader.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void parsesEveryKindOfValue() throws IOException {
    Object v = parse(" {\"a\":[1,-0.5e+3,\"x\\u00e9\\n\\\"\\\\\\/\",true,false,null,{},[]],"
        + "\"\\ud83d\\ude00\":\"\ud83d\ude00\"} \n");
    Map<?, ?> m = (Map<?, ?>) v;
    List<?> a = (List<?>) m.get("a");
    assertEquals(new JsonReader.Number("1"), a.get(0));
    assertEquals(new JsonReader.Number("-0.5e+3"), a.get(1));
    assertEquals("x\u00e9\n\"\\/", a.get(2));
    assertEquals(Boolean.TRUE, a.get(3));
    assertEquals(Boolean.FALSE, a.get(4));
    assertNull(a.get(5));
    assertEquals(Map.of(), a.get(6));
    assertEquals(List.of(), a.get(7));
    assertEquals("\ud83d\ude00", m.get("\ud83d\ude00"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                     | end of input",
      "'{\"a\":1,}'           | member name",
      "'[1,]'                 | a JSON value",
      "'[1 2]'                | ',' or ']'",
      "'{\"a\" 1}'            | ':'",
      "'{a:1}'                | member name",
      "'[01]'                 | valid number",
      "'[+1]'                 | a JSON value",
      "'[1.]'                 | valid number",
      "'[.5]'                 | a JSON value",
      "'[NaN]'                | a JSON value",
      "'[tru]'                | 'true'",
      "'[\"a\\x\"]'           | valid escape",
      "'[\"\\u12\"]'          | four hex digits",
      "'[\"\\udc00\"]'        | unpaired low surrogate",
      "'[\"\\ud800x\"]'       | low surrogate",
      "'[\"abc'               | closing",
      "'{\"a\":1,\"a\":2}'    | duplicate",
      "'[1] [2]'              | end of input after the JSON value",
      "'[1] x'                | end of input after the JSON value",
      "'// c\n[1]'            | a JSON value",
  })
  void rejectsMalformedJsonWithAClearMessage(String json, String expected) {
    IOException e = assertThrows(IOException.class, () -> parse(json));
    assertTrue(e.getMessage().startsWith("Malformed JSON at line "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void rejectsRawControlCharactersInStrings() {
    IOException e = assertThrows(IOException.class, () -> parse("[\"a\tb\"]"));
    assertTrue(e.getMessage().contains("control character (U+0009)"), e.getMessage());
  }

  @Test
  void reportsLineAndColumn() {
    IOException e = assertThrows(IOException.class, () -> parse("{\n  \"a\": [1,\n  2,,]}"));
    assertTrue(e.getMessage().startsWith("Malformed JSON at line 3 column 5"), e.getMessage());
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] bytes = {'[', '"', (byte) 0xC3, '(', '"', ']'};
    IOException e = assertThrows(IOException.class,
        () -> JsonReader.parse(new ByteArrayInputStream(bytes)));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void capsNestingBeforeTheStackOverflows() throws IOException {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    IOException e = assertThrows(IOException.class, () -> parse(deep));
    assertTrue(e.getMessage().contains("nesting of at most 256 levels"), e.getMessage());
    String ok = "[".repeat(256) + "]".repeat(256);
    assertTrue(parse(ok) instanceof List<?>, "256 levels are allowed");
    assertThrows(IOException.class, () -> JsonReader.parse(new ByteArrayInputStream(
        "[[[]]]".getBytes(StandardCharsets.US_ASCII)), 2));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "1", "-12.5", "1e3", "1E+3", "1.5e-07",
      "123456789012345678901"})
  void validNumbers(String n) {
    assertTrue(JsonWriter.isJsonNumber(n), n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "NaN", "1,5",
      " 1", "Infinity"})
  void invalidNumbers(String n) {
    assertFalse(JsonWriter.isJsonNumber(n), n);
  }

  @Test
  void writerEscapesWhatJsonRequiresAndWritesTheRestAsIs() throws IOException {
    StringWriter sw = new StringWriter();
    JsonWriter w = new JsonWriter(sw);
    w.beginObject().name("k\"").value("q\" b\\ \u0000\u001f\u007f \b\f\n\r\t \u00e9\u5c71 /")
        .name("n").number(-3).name("z").nullValue().name("a").beginArray().endArray()
        .endObject().flush();
    String json = sw.toString();
    assertEquals("{\"k\\\"\":\"q\\\" b\\\\ \\u0000\\u001f\u007f \\b\\f\\n\\r\\t \u00e9\u5c71 /\","
        + "\"n\":-3,\"z\":null,\"a\":[]}", json);
    Map<?, ?> back = (Map<?, ?>) parse(json);
    assertEquals("q\" b\\ \u0000\u001f\u007f \b\f\n\r\t \u00e9\u5c71 /", back.get("k\""));
  }

  @Test
  void writerRefusesMisuse() throws IOException {
    JsonWriter w = new JsonWriter(new StringWriter());
    w.beginObject();
    assertThrows(IllegalStateException.class, () -> w.value("no name"));
    assertThrows(IllegalStateException.class, w::endArray);
    assertThrows(IllegalStateException.class, w::flush);
  }

  @Test
  void base64IsStreamedInChunksWithoutPaddingInside() throws IOException {
    byte[] big = new byte[3 * 4096 * 2 + 2];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    StringWriter sw = new StringWriter();
    new JsonWriter(sw).base64(big, new byte[] {9}).flush();
    byte[] both = java.util.Arrays.copyOf(big, big.length + 1);
    both[big.length] = 9;
    assertEquals("\"" + java.util.Base64.getEncoder().encodeToString(both) + "\"", sw.toString());
  }
}
