// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The integration tests' own readers, on known input: a wrong reader would make them pass or
 * fail for the wrong reason.
 */
class HarnessTest {

  @Test
  void part10FileSeparatesMetaFromDataSet() {
    byte[] file = SyntheticCtSeries.encode("P1", "1.2.3", "1.2.3.4", "1.2.3.4.5", 7);
    Part10File part10 = Part10File.parse(file);
    assertEquals("1.2.840.10008.1.2.1", part10.transferSyntaxUid());
    assertEquals("1.2.3.4.5", part10.sopInstanceUid());
    byte[] dataSet = part10.dataSet();
    // The data set starts with (0008,0008) CS, Explicit VR Little Endian.
    assertArrayEquals(new byte[] {0x08, 0x00, 0x08, 0x00, 'C', 'S'}, java.util.Arrays.copyOf(dataSet, 6));
    // 512 x 512 x 2 bytes of pixel data plus the attributes before it.
    assertTrue(dataSet.length > 512 * 512 * 2 && dataSet.length < 512 * 512 * 2 + 1024, "length " + dataSet.length);
    assertThrows(IllegalArgumentException.class, () -> Part10File.parse(dataSet));
  }

  @Test
  void firstDifferenceFindsTheByte() {
    assertEquals(-1, Part10File.firstDifference(new byte[] {1, 2, 3}, new byte[] {1, 2, 3}));
    assertEquals(1, Part10File.firstDifference(new byte[] {1, 2, 3}, new byte[] {1, 9, 3}));
    assertEquals(2, Part10File.firstDifference(new byte[] {1, 2}, new byte[] {1, 2, 3}));
  }

  @Test
  void studyDocumentIsReadAsTheStudyEntityWritesIt() {
    String sha = "ab".repeat(32);
    String datasetSha = "cd".repeat(32);
    String body = """
        {"studyInstanceUid":"1.2.3","patient":{},"study":{},"series":{},
         "instances":{"1.2.3.4":{"sopInstanceUid":"1.2.3.4","sopClassUid":"1.2.840.10008.5.1.4.1.1.2",
           "seriesInstanceUid":"1.2.3.9","transferSyntaxUid":"1.2.840.10008.1.2.1","size":1234,
           "sha256":"%s","datasetSha256":"%s",
           "placements":[{"nodeId":"vm","site":"default","tier":"online","blobKey":"0123456789abcdef0123456789abcdef"}],
           "source":{"callingAeTitle":"ITSCU"},"receivedAt":1,"attributes":{}}},
         "eventCount":1,"headHash":"%s"}
        """.formatted(sha, datasetSha, "ef".repeat(32));
    StudyApi.Study study = StudyApi.parse(body);
    StudyApi.Instance instance = study.instances().get("1.2.3.4");
    assertEquals(sha, instance.sha256());
    assertEquals(datasetSha, instance.datasetSha256());
    assertEquals(1234, instance.size());
    assertEquals("1.2.840.10008.1.2.1", instance.transferSyntaxUid());
    assertEquals(List.of("0123456789abcdef0123456789abcdef"), instance.blobKeys());
    assertEquals(Map.of("1.2.3.4", 1), study.listings());
  }

  @Test
  void verifySummaryNumbersAreRead() {
    ExternalTool.Run run = new ExternalTool.Run(List.of("annal", "verify"), 0, """
        Verifying /data (node vm) ...
        studies 2, instances 400, bytes 210000000 (210.0 MB), ok 400, mismatched 0, missing 0, unreadable 0, broken hash chains 0, on other nodes 0, 3.9 s
        verify: OK
        """, java.nio.file.Path.of("verify.log"));
    Map<String, Long> summary = AnnalNode.verifySummary(run);
    assertEquals(2L, summary.get("studies"));
    assertEquals(400L, summary.get("instances"));
    assertEquals(400L, summary.get("ok"));
    assertEquals(0L, summary.get("missing"));
    assertEquals(0L, summary.get("broken hash chains"));
  }

  @Test
  void sameLengthUidReplacementKeepsLengths() {
    String old = "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457";
    String fresh = EchoStoreIT.sameLengthUid(old);
    assertEquals(old.length(), fresh.length());
    byte[] replaced = EchoStoreIT.replace(("xx" + old + "yy").getBytes(java.nio.charset.StandardCharsets.US_ASCII), old, fresh);
    assertEquals("xx" + fresh + "yy", new String(replaced, java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void associateRqHasTheLengthItDeclares() {
    byte[] rq = RawDicom.associateRq("ANNAL", "RAWSCU", RawDicom.VERIFICATION, List.of(Dcmtk.IMPLICIT_LE));
    assertEquals(RawDicom.A_ASSOCIATE_RQ, rq[0]);
    long declared = java.nio.ByteBuffer.wrap(rq, 2, 4).getInt() & 0xFFFFFFFFL;
    assertEquals(rq.length - 6, declared);
  }
}
