// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json.impl;

import java.io.IOException;
import java.io.Writer;
import java.util.Base64;

/**
 * A minimal streaming JSON writer (RFC 8259), compact output, no dependencies. Internal API.
 *
 * <p>The caller drives the structure ({@link #beginObject()}, {@link #name(String)}, values,
 * {@link #endObject()}); the writer only inserts the commas and escapes strings: quotation mark,
 * reverse solidus and the control characters U+0000 to U+001F are escaped, everything else
 * (non-ASCII included) is written as is, so that an UTF-8 {@code Writer} gives UTF-8 JSON.
 * Misuse (a value where a name is due, unbalanced ends) throws {@link IllegalStateException}.
 */
public final class JsonWriter {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int MAX_DEPTH = 1024;

  private final Writer out;
  /** Per open container: 'o' object awaiting a name, 'v' object awaiting a value, 'a' array. */
  private final char[] stack = new char[MAX_DEPTH];
  /** Per open container: whether a member or element has been written (a comma is due). */
  private final boolean[] nonEmpty = new boolean[MAX_DEPTH];
  private int depth;
  private boolean done;

  public JsonWriter(Writer out) {
    this.out = out;
  }

  public JsonWriter beginObject() throws IOException {
    beforeValue();
    out.write('{');
    push('o');
    return this;
  }

  public JsonWriter endObject() throws IOException {
    pop('o', '}');
    return this;
  }

  public JsonWriter beginArray() throws IOException {
    beforeValue();
    out.write('[');
    push('a');
    return this;
  }

  public JsonWriter endArray() throws IOException {
    pop('a', ']');
    return this;
  }

  /** The name of the next object member. */
  public JsonWriter name(String name) throws IOException {
    if (depth == 0 || stack[depth - 1] != 'o') {
      throw new IllegalStateException("a name is only allowed inside an object, before a value");
    }
    if (nonEmpty[depth - 1]) {
      out.write(',');
    }
    nonEmpty[depth - 1] = true;
    quoted(name);
    out.write(':');
    stack[depth - 1] = 'v';
    return this;
  }

  public JsonWriter value(String s) throws IOException {
    if (s == null) {
      return nullValue();
    }
    beforeValue();
    quoted(s);
    return this;
  }

  /**
   * A number given as its JSON text; the caller guarantees it is a valid JSON number (see
   * {@link #isJsonNumber(CharSequence)}).
   */
  public JsonWriter number(String jsonNumber) throws IOException {
    beforeValue();
    out.write(jsonNumber);
    return this;
  }

  public JsonWriter number(long n) throws IOException {
    return number(Long.toString(n));
  }

  public JsonWriter nullValue() throws IOException {
    beforeValue();
    out.write("null");
    return this;
  }

  /** A string holding the base64 encoding (RFC 4648 §4, with padding) of {@code bytes}. */
  public JsonWriter base64(byte[] bytes) throws IOException {
    return base64(new byte[][] {bytes});
  }

  /**
   * A string holding the base64 encoding of the concatenation of {@code parts}, encoded in chunks
   * so that large values are not held twice in memory.
   */
  public JsonWriter base64(byte[]... parts) throws IOException {
    beforeValue();
    out.write('"');
    Base64.Encoder encoder = Base64.getEncoder();
    byte[] chunk = new byte[3 * 4096];
    int filled = 0;
    for (byte[] part : parts) {
      for (int i = 0; i < part.length; ) {
        int n = Math.min(chunk.length - filled, part.length - i);
        System.arraycopy(part, i, chunk, filled, n);
        filled += n;
        i += n;
        if (filled == chunk.length) {
          out.write(encoder.encodeToString(chunk));
          filled = 0;
        }
      }
    }
    if (filled > 0) { // the chunks before were multiples of 3 bytes: no padding inside
      byte[] last = new byte[filled];
      System.arraycopy(chunk, 0, last, 0, filled);
      out.write(encoder.encodeToString(last));
    }
    out.write('"');
    return this;
  }

  /** Flushes the underlying writer (does not close it). */
  public void flush() throws IOException {
    if (depth != 0) {
      throw new IllegalStateException(depth + " container(s) left open");
    }
    out.flush();
  }

  /** True if {@code s} is a number as RFC 8259 §6 defines it (no '+', no leading zeros, ...). */
  public static boolean isJsonNumber(CharSequence s) {
    int n = s.length();
    int i = 0;
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    if (i >= n) {
      return false;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
    } else {
      return false;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      int start = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int start = i;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void beforeValue() throws IOException {
    if (depth == 0) {
      if (done) {
        throw new IllegalStateException("only one top-level value");
      }
      done = true;
      return;
    }
    char state = stack[depth - 1];
    if (state == 'o') {
      throw new IllegalStateException("a value inside an object needs a name first");
    }
    if (state == 'v') {
      stack[depth - 1] = 'o';
      return;
    }
    if (nonEmpty[depth - 1]) {
      out.write(',');
    }
    nonEmpty[depth - 1] = true;
  }

  private void push(char kind) {
    if (depth == MAX_DEPTH) {
      throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
    }
    stack[depth] = kind;
    nonEmpty[depth] = false;
    depth++;
  }

  private void pop(char kind, char close) throws IOException {
    if (depth == 0 || stack[depth - 1] != kind) {
      throw new IllegalStateException("unbalanced " + close);
    }
    depth--;
    out.write(close);
  }

  private void quoted(String s) throws IOException {
    out.write('"');
    int start = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.write(s, start, i - start);
      start = i + 1;
      switch (c) {
        case '"' -> out.write("\\\"");
        case '\\' -> out.write("\\\\");
        case '\n' -> out.write("\\n");
        case '\r' -> out.write("\\r");
        case '\t' -> out.write("\\t");
        case '\b' -> out.write("\\b");
        case '\f' -> out.write("\\f");
        default -> {
          out.write("\\u00");
          out.write(HEX[c >> 4]);
          out.write(HEX[c & 0xF]);
        }
      }
    }
    out.write(s, start, n - start);
    out.write('"');
  }
}
