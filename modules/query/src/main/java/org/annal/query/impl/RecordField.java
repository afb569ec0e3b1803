// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * Internal API. The returnable values of a study or series document (its attributes and extras)
 * as one binary doc value, {@value #NAME}: what a C-FIND answer reads for every match.
 *
 * <p>Why not stored fields: Lucene compresses those in chunks of many documents, so reading one
 * document decompresses its whole chunk (several KB); a STUDY-level answer of 150 matches read
 * that way spent half its time in LZ4. Doc values are read in place (memory-mapped, uncompressed).
 * Study and series documents are a small part of the index (instances are the bulk and keep
 * stored fields), so the space this costs is small. Documents written before this field existed
 * are read from their stored fields ({@link #fromStored}).
 *
 * <p>Encoding: per entry, a VInt length and the UTF-8 bytes of its name ({@code v.Keyword} or
 * {@code x.extra}, as the stored field names), then of its value; in insertion order.
 */
public final class RecordField {
  private RecordField() {}

  public static final String NAME = "rec";

  /** A document's attributes (keyword → value, in field order) and extras (name → value). */
  public record Values(Map<String, String> attributes, Map<String, String> extras) {}

  /** Adds the record field holding {@code attributes} and {@code extras} to {@code doc}. */
  public static void add(Document doc, Map<String, String> attributes, Map<String, String> extras) {
    doc.add(new BinaryDocValuesField(NAME, encode(attributes, extras)));
  }

  static BytesRef encode(Map<String, String> attributes, Map<String, String> extras) {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    try {
      for (Map.Entry<String, String> e : attributes.entrySet()) {
        if (e.getValue() != null && !e.getValue().isEmpty()) {
          write(out, IndexFields.STORED + e.getKey());
          write(out, e.getValue());
        }
      }
      for (Map.Entry<String, String> e : extras.entrySet()) {
        if (e.getValue() != null) {
          write(out, IndexFields.EXTRA + e.getKey());
          write(out, e.getValue());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot happen
    }
    return new BytesRef(out.toArrayCopy());
  }

  private static void write(ByteBuffersDataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeVInt(b.length);
    out.writeBytes(b, b.length);
  }

  static Values decode(BytesRef ref) {
    return decode(ref, null);
  }

  /** Decodes the extras and, of the attributes, those {@code wanted} (all if null). */
  static Values decode(BytesRef ref, Set<String> wanted) {
    byte[] b = ref.bytes;
    int[] pos = {ref.offset};
    int end = ref.offset + ref.length;
    Map<String, String> attributes = new LinkedHashMap<>();
    Map<String, String> extras = new LinkedHashMap<>();
    while (pos[0] < end) {
      String name = read(b, pos);
      if (name.startsWith(IndexFields.STORED)) {
        String keyword = name.substring(IndexFields.STORED.length());
        if (wanted == null || wanted.contains(keyword)) {
          attributes.put(keyword, read(b, pos));
        } else {
          skip(b, pos); // a C-FIND returns a dozen of a study's forty-odd attributes
        }
      } else if (name.startsWith(IndexFields.EXTRA)) {
        extras.put(name.substring(IndexFields.EXTRA.length()), read(b, pos));
      } else {
        skip(b, pos);
      }
    }
    return new Values(attributes, extras);
  }

  /** A VInt length (as DataOutput.writeVInt writes it) and that many UTF-8 bytes. */
  private static String read(byte[] b, int[] pos) {
    int n = length(b, pos);
    String s = new String(b, pos[0], n, StandardCharsets.UTF_8);
    pos[0] += n;
    return s;
  }

  private static void skip(byte[] b, int[] pos) {
    int n = length(b, pos);
    pos[0] += n;
  }

  private static int length(byte[] b, int[] pos) {
    int n = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[pos[0]++];
      n |= (x & 0x7F) << shift;
      if (x >= 0) {
        return n;
      }
    }
  }

  /** The values of a document written without the record field. */
  public static Values fromStored(Document doc) {
    return new Values(IndexFields.storedAttributes(doc), IndexFields.storedExtras(doc));
  }

  /** The values of document {@code doc} (a global doc id of the searcher's reader). */
  public static Values read(IndexSearcher searcher, int doc) throws IOException {
    return read(searcher, new int[] {doc}).get(0);
  }

  /**
   * The values of documents {@code docs} (global doc ids), in the order given. Read in doc id
   * order, each leaf's doc values iterator once; documents without the record field (instances,
   * documents written before it existed) from their stored fields.
   */
  public static List<Values> read(IndexSearcher searcher, int[] docs) throws IOException {
    return read(searcher, docs, null);
  }

  /**
   * As {@link #read(IndexSearcher, int[])}, with only the attributes {@code wanted} (all if null)
   * from record fields (stored-only documents keep all theirs).
   */
  public static List<Values> read(IndexSearcher searcher, int[] docs, Set<String> wanted)
      throws IOException {
    Integer[] order = new Integer[docs.length];
    for (int i = 0; i < docs.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(docs[a], docs[b]));
    Values[] out = new Values[docs.length];
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    int leafIndex = -1;
    LeafReaderContext leaf = null;
    BinaryDocValues values = null;
    StoredFields stored = null; // one for all: it keeps the chunk it last decompressed
    int previous = -1;
    Values last = null;
    for (Integer i : order) {
      int doc = docs[i];
      if (doc == previous) { // the same document twice: an iterator only moves forward
        out[i] = last;
        continue;
      }
      previous = doc;
      int li = ReaderUtil.subIndex(doc, leaves);
      if (li != leafIndex) {
        leafIndex = li;
        leaf = leaves.get(li);
        values = leaf.reader().getBinaryDocValues(NAME);
      }
      int local = doc - leaf.docBase;
      if (values != null && values.advanceExact(local)) {
        last = decode(values.binaryValue(), wanted);
      } else {
        if (stored == null) {
          stored = searcher.storedFields();
        }
        last = fromStored(stored.document(doc));
      }
      out[i] = last;
    }
    return Arrays.asList(out);
  }
}
