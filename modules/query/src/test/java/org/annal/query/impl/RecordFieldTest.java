// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

class RecordFieldTest {

  @Test
  void encodeDecodeKeepsOrderNonAsciiLongValuesAndDropsEmptyAttributes() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("PatientName", "Müller^Jörg=山田^太郎");
    attributes.put("StudyDescription", "x".repeat(300)); // a two-byte VInt length
    attributes.put("AccessionNumber", "");
    attributes.put("StudyDate", "20261130");
    Map<String, String> extras = Map.of(IndexFields.SERIES_COUNTS, "1.2.3=20\\1.2.4=1");
    BytesRef encoded = RecordField.encode(attributes, extras);
    RecordField.Values back = RecordField.decode(encoded);
    assertEquals(List.of("PatientName", "StudyDescription", "StudyDate"),
        List.copyOf(back.attributes().keySet()));
    assertEquals("Müller^Jörg=山田^太郎", back.attributes().get("PatientName"));
    assertEquals("x".repeat(300), back.attributes().get("StudyDescription"));
    assertEquals(extras, back.extras());
    assertEquals(new RecordField.Values(Map.of(), Map.of()),
        RecordField.decode(RecordField.encode(Map.of(), Map.of())));
    // Only the attributes asked for (a C-FIND's keys), extras always.
    RecordField.Values some = RecordField.decode(encoded,
        java.util.Set.of("StudyDate", "PatientName", "NotThere"));
    assertEquals(Map.of("PatientName", "Müller^Jörg=山田^太郎", "StudyDate", "20261130"),
        some.attributes());
    assertEquals(extras, some.extras());
  }

  @Test
  void readsRecordsAndStoredOnlyDocumentsAcrossSegmentsInTheOrderAsked() throws Exception {
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
      // Segment 1: a record document and a stored-only one (as written before the record field).
      writer.addDocument(recordDoc("a", "ALPHA"));
      writer.addDocument(storedDoc("b", "BRAVO"));
      writer.commit();
      // Segment 2: another record document.
      writer.addDocument(recordDoc("c", "CHARLIE"));
      writer.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(2, reader.leaves().size());
        IndexSearcher searcher = new IndexSearcher(reader);
        int a = doc(searcher, "a");
        int b = doc(searcher, "b");
        int c = doc(searcher, "c");
        List<RecordField.Values> got = RecordField.read(searcher, new int[] {c, a, b, a});
        assertEquals("CHARLIE", got.get(0).attributes().get("PatientName"));
        assertEquals("ALPHA", got.get(1).attributes().get("PatientName"));
        assertEquals("BRAVO", got.get(2).attributes().get("PatientName"));
        assertEquals("7", got.get(2).extras().get(IndexFields.INSTANCE_COUNT));
        assertSame(got.get(1), got.get(3));
        assertEquals("a", RecordField.read(searcher, a).attributes().get("StudyInstanceUID"));
        assertEquals("7", RecordField.read(searcher, a).extras().get(IndexFields.INSTANCE_COUNT));
      }
    }
  }

  private static Document recordDoc(String uid, String name) {
    Document doc = new Document();
    doc.add(new StringField("uid", uid, Field.Store.NO));
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("StudyInstanceUID", uid);
    attributes.put("PatientName", name);
    RecordField.add(doc, attributes, Map.of(IndexFields.INSTANCE_COUNT, "7"));
    return doc;
  }

  private static Document storedDoc(String uid, String name) {
    Document doc = new Document();
    doc.add(new StringField("uid", uid, Field.Store.NO));
    doc.add(new StoredField(IndexFields.STORED + "StudyInstanceUID", uid));
    doc.add(new StoredField(IndexFields.STORED + "PatientName", name));
    doc.add(new StoredField(IndexFields.EXTRA + IndexFields.INSTANCE_COUNT, "7"));
    return doc;
  }

  private static int doc(IndexSearcher searcher, String uid) throws Exception {
    return searcher.search(new TermQuery(new Term("uid", uid)), 1).scoreDocs[0].doc;
  }
}
