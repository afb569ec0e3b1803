// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;

/**
 * How {@code annal find} prints its matches: a table (one row per match, one column per key, in
 * the order the keys were asked for) or a JSON array of objects keyword → value.
 *
 * <p>Everything shown comes from the peer: control characters are replaced before anything
 * reaches a terminal, so that a value cannot move the cursor or recolour the screen.
 */
final class FindOutput {
  /** Widest cell, except UIDs, which are never cut (a cut UID is useless to copy). */
  static final int MAX_CELL = 40;
  private static final String CUT = "...";
  private static final ObjectMapper JSON = new ObjectMapper();

  private FindOutput() {}

  /** The table: a heading row, a rule, one row per match; empty if there is no match. */
  static String table(List<Dataset> matches, List<Integer> columns) {
    if (matches.isEmpty() || columns.isEmpty()) {
      return "";
    }
    List<String[]> rows = new ArrayList<>();
    String[] heading = new String[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      heading[c] = QueryModelOptions.heading(columns.get(c));
    }
    for (Dataset match : matches) {
      String[] row = new String[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        row[c] = cell(match, columns.get(c));
      }
      rows.add(row);
    }
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = width(heading[c]);
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], width(row[c]));
      }
    }
    StringBuilder out = new StringBuilder();
    appendRow(out, heading, widths);
    String[] rule = new String[columns.size()];
    for (int c = 0; c < rule.length; c++) {
      rule[c] = "-".repeat(widths[c]);
    }
    appendRow(out, rule, widths);
    for (String[] row : rows) {
      appendRow(out, row, widths);
    }
    return out.toString();
  }

  private static void appendRow(StringBuilder out, String[] cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        line.append("  ");
      }
      line.append(cells[c]);
      if (c < cells.length - 1) {
        line.append(" ".repeat(widths[c] - width(cells[c])));
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  private static int width(String s) {
    return s.codePointCount(0, s.length());
  }

  /** One table cell: the value, printable, cut to {@link #MAX_CELL} unless it is a UID. */
  static String cell(Dataset match, int tag) {
    String text = text(match, tag);
    if (text == null) {
      return "";
    }
    text = printable(text);
    Element e = match.get(tag);
    if (e != null && e.vr() == Vr.UI) {
      return text;
    }
    return cut(text, MAX_CELL);
  }

  static String cut(String s, int max) {
    if (width(s) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max - CUT.length())) + CUT;
  }

  /**
   * A value as text: strings as decoded (multiple values joined by '\'), numbers as dcmdump
   * prints them, a sequence as "(n items)", a byte value as "(n bytes)"; null if absent.
   */
  static String text(Dataset match, int tag) {
    Element e = match.get(tag);
    if (e == null) {
      return null;
    }
    if (e.items() != null) {
      return "(" + e.items().size() + (e.items().size() == 1 ? " item)" : " items)");
    }
    if (e.fragments() != null) {
      return "(encapsulated)";
    }
    String s = match.getString(tag);
    return s != null ? s : "(" + e.length() + " bytes)";
  }

  /** Control characters (C0, DEL, C1) replaced by '?'; newlines too. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> {
      if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
        b.append('?');
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }

  /**
   * The JSON array: per match an object with the asked-for keys first (null when the peer left
   * one out), then whatever else it returned, keyword → string (multiple values joined by '\'),
   * a sequence as an array of such objects; private elements are keyed by their tag (GGGGEEEE).
   */
  static String json(List<Dataset> matches, List<Integer> columns) {
    ArrayNode array = JSON.createArrayNode();
    for (Dataset match : matches) {
      ObjectNode object = array.addObject();
      for (int tag : columns) {
        put(object, match, tag);
      }
      for (Element e : match.elements()) {
        if (!columns.contains(e.tag()) && e.tag() != Tag.SpecificCharacterSet
            && e.tag() != Tag.QueryRetrieveLevel) {
          put(object, match, e.tag());
        }
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(ObjectNode object, Dataset dataset, int tag) {
    String key = QueryModelOptions.heading(tag);
    Element e = dataset.get(tag);
    if (e == null) {
      object.putNull(key);
    } else if (e.items() != null) {
      ArrayNode items = object.putArray(key);
      for (Dataset item : e.items()) {
        ObjectNode itemObject = items.addObject();
        for (Element inner : item.elements()) {
          put(itemObject, item, inner.tag());
        }
      }
    } else if (e.fragments() != null) {
      object.putNull(key);
    } else {
      object.put(key, dataset.getString(tag));
    }
  }
}
