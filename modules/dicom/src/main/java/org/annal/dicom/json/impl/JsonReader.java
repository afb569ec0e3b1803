// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) producing a tree. Internal API.
 *
 * <p>Objects become {@code LinkedHashMap<String, Object>} (member order kept), arrays
 * {@code ArrayList<Object>}, strings {@code String}, numbers {@link Number} (their exact text),
 * {@code true}/{@code false} {@code Boolean}, and {@code null} Java {@code null}.
 *
 * <p>Strict: the input must be UTF-8 (malformed bytes are an error), exactly one value surrounded
 * only by whitespace; no comments, trailing commas, single quotes, leading zeros, '+' signs, NaN,
 * unescaped control characters, unknown or unpaired-surrogate escapes, or duplicate object names.
 * Nesting deeper than the configured limit is refused before it can exhaust the stack. Every
 * error is an {@link IOException} that says what was expected, with line and column.
 */
public final class JsonReader {

  /** A JSON number, kept as the text it was written as so that no precision is lost. */
  public record Number(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** Default nesting limit: a DICOM data set nested 32 sequences deep needs about 100 levels. */
  public static final int DEFAULT_MAX_DEPTH = 256;

  private final Reader in;
  private final int maxDepth;
  private final char[] buffer = new char[8192];
  private int pos;
  private int limit;
  private int line = 1;
  private int column = 0;
  private int depth;

  private JsonReader(Reader in, int maxDepth) {
    this.in = in;
    this.maxDepth = maxDepth;
  }

  /** Parses one JSON value from UTF-8 bytes, reading {@code in} to its end. */
  public static Object parse(InputStream in) throws IOException {
    return parse(in, DEFAULT_MAX_DEPTH);
  }

  /** As {@link #parse(InputStream)}, with a nesting limit (objects and arrays). */
  public static Object parse(InputStream in, int maxDepth) throws IOException {
    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT));
    return parse(reader, maxDepth);
  }

  /** Parses one JSON value from characters, reading {@code in} to its end. */
  public static Object parse(Reader in, int maxDepth) throws IOException {
    JsonReader r = new JsonReader(in, maxDepth);
    try {
      r.skipWhitespace();
      Object value = r.value();
      r.skipWhitespace();
      if (r.peek() >= 0) {
        throw r.error("end of input after the JSON value");
      }
      return value;
    } catch (CharacterCodingException e) {
      throw new IOException("Malformed JSON: input is not valid UTF-8 near line " + r.line
          + " column " + r.column, e);
    }
  }

  private Object value() throws IOException {
    int c = peek();
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        next();
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("a JSON value");
    }
  }

  private Map<String, Object> object() throws IOException {
    enter();
    next(); // {
    Map<String, Object> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      next();
      depth--;
      return members;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("a member name (string)");
      }
      next();
      String name = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (members.containsKey(name)) {
        throw new IOException("Malformed JSON at line " + line + " column " + column
            + ": duplicate member name \"" + name + "\"");
      }
      members.put(name, value());
      skipWhitespace();
      int c = next();
      if (c == '}') {
        depth--;
        return members;
      }
      if (c != ',') {
        throw errorBefore("',' or '}'");
      }
    }
  }

  private List<Object> array() throws IOException {
    enter();
    next(); // [
    List<Object> elements = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      next();
      depth--;
      return elements;
    }
    while (true) {
      skipWhitespace();
      elements.add(value());
      skipWhitespace();
      int c = next();
      if (c == ']') {
        depth--;
        return elements;
      }
      if (c != ',') {
        throw errorBefore("',' or ']'");
      }
    }
  }

  private void enter() throws IOException {
    if (++depth > maxDepth) {
      throw error("nesting of at most " + maxDepth + " levels");
    }
  }

  /** The rest of a string whose opening quote has been consumed. */
  private String string() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int run = pos; // copy plain characters from the buffer in one go (long base64 strings)
      while (run < limit && buffer[run] >= 0x20 && buffer[run] != '"' && buffer[run] != '\\') {
        run++;
      }
      if (run > pos) {
        sb.append(buffer, pos, run - pos);
        column += run - pos;
        pos = run;
        continue;
      }
      int c = next();
      if (c < 0) {
        throw errorBefore("a closing '\"'");
      }
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw errorBefore("no unescaped control character (U+00" + String.format("%02X", c)
            + ") in a string");
      }
      if (c != '\\') {
        sb.append((char) c);
        continue;
      }
      int e = next();
      switch (e) {
        case '"' -> sb.append('"');
        case '\\' -> sb.append('\\');
        case '/' -> sb.append('/');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          char u = hex4();
          if (Character.isHighSurrogate(u)) {
            if (next() != '\\' || next() != 'u') {
              throw errorBefore("a low surrogate escape after a high surrogate");
            }
            char low = hex4();
            if (!Character.isLowSurrogate(low)) {
              throw errorBefore("a low surrogate escape after a high surrogate");
            }
            sb.append(u).append(low);
          } else if (Character.isLowSurrogate(u)) {
            throw errorBefore("no unpaired low surrogate");
          } else {
            sb.append(u);
          }
        }
        default -> throw errorBefore("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
  }

  private char hex4() throws IOException {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(next(), 16);
      if (d < 0) {
        throw errorBefore("four hex digits after \\u");
      }
      v = (v << 4) | d;
    }
    return (char) v;
  }

  private Number number() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = peek();
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        sb.append((char) next());
      } else {
        break;
      }
    }
    if (!JsonWriter.isJsonNumber(sb)) {
      throw errorBefore("a valid number, not \"" + sb + "\"");
    }
    return new Number(sb.toString());
  }

  private void literal(String word) throws IOException {
    for (int i = 0; i < word.length(); i++) {
      if (next() != word.charAt(i)) {
        throw errorBefore("'" + word + "'");
      }
    }
  }

  private void expect(char c) throws IOException {
    if (next() != c) {
      throw errorBefore("'" + c + "'");
    }
  }

  private void skipWhitespace() throws IOException {
    while (true) {
      int c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        next();
      } else {
        return;
      }
    }
  }

  private int peek() throws IOException {
    if (pos == limit) {
      limit = in.read(buffer, 0, buffer.length);
      pos = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[pos];
  }

  private int next() throws IOException {
    int c = peek();
    if (c >= 0) {
      pos++;
      if (c == '\n') {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    return c;
  }

  /** An error about the character that {@link #peek()} would return. */
  private IOException error(String expected) throws IOException {
    int c = peek();
    return new IOException("Malformed JSON at line " + line + " column " + (column + 1)
        + ": expected " + expected + ", found " + describe(c));
  }

  /** An error about the character just consumed. */
  private IOException errorBefore(String expected) {
    return new IOException("Malformed JSON at line " + line + " column " + column
        + ": expected " + expected + (pos == 0 && limit == 0 ? " before the end of input" : ""));
  }

  private static String describe(int c) {
    if (c < 0) {
      return "end of input";
    }
    if (c < 0x20 || c == 0x7F) {
      return String.format("character U+%04X", c);
    }
    return "'" + (char) c + "'";
  }
}
