// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.annal.app.it.RawDicom.Ending;
import org.annal.app.it.RawDicom.Observed;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile and broken peers over raw sockets (PS3.8 §9): each must end in A-ABORT, A-ASSOCIATE-RJ
 * or a closed connection within a deadline, and after each the node still answers C-ECHO. At the
 * end a storescu still stores, the study stored at the start is unchanged, and {@code annal
 * verify} passes. The ARTIM timer is set to 3 s so that a stalled peer is dropped quickly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedInputIT {
  static final Duration ARTIM = Duration.ofSeconds(3);
  /** How long the node may take to drop a misbehaving peer that is not waiting on a timer. */
  static final Duration PROMPTLY = Duration.ofSeconds(20);

  private AnnalNode node;
  private StudyApi api;
  private SyntheticCtSeries.Series baseline;
  private String baselineState;
  /** Set once the last test stopped the node on purpose. */
  private boolean stoppedOnPurpose;

  @BeforeAll
  void start() {
    ExternalTool.assumeInstalled("storescu");
    ExternalTool.assumeInstalled("echoscu");
    node = new AnnalNode("MalformedInputIT", List.of("annal.dicom.artim-timeout = " + ARTIM.toSeconds() + "s"));
    baseline = SyntheticCtSeries.write(List.of(node.workDir().resolve("baseline")), 5, "MALFORMED");
    node.start();
    api = new StudyApi(node.httpPort());
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @AfterEach
  void nodeStillServes() {
    if (stoppedOnPurpose) {
      return;
    }
    assertTrue(node.process().isAlive(), "node died\n" + node.tail(60));
    ExternalTool.Run echo = Dcmtk.echoscu(node.workDir().resolve("echoscu.log"), node.dicomPort(), AnnalNode.AE_TITLE);
    assertEquals(0, echo.exitCode(), "C-ECHO after the previous test\n" + echo.describe());
  }

  @Test
  @Order(1)
  void baselineStudyIsStored() {
    ExternalTool.Run run = ExternalTool.run(node.workDir().resolve("storescu-baseline.log"), Duration.ofSeconds(120),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), baseline.files()));
    assertEquals(5, StorescuLog.count(StorescuLog.parse(run.output()), Outcome.SUCCESS), run.describe());
    baselineState = api.study(baseline.studyInstanceUid()).body();
  }

  @Test
  @Order(2)
  void randomBytes() throws IOException {
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    garbage[0] = (byte) 0xAB; // not a PDU type, so the outcome does not depend on the seed
    expectEnd("random bytes", garbage, PROMPTLY);
  }

  @Test
  @Order(3)
  void unknownPduType() throws IOException {
    expectEnd("PDU type 0x42", RawDicom.pdu(0x42, new byte[] {1, 2, 3, 4}), PROMPTLY);
  }

  @Test
  @Order(4)
  void bogusLengthBeforeAssociation() throws IOException {
    byte[] pdu = ByteBuffer.allocate(6 + 68).put((byte) RawDicom.A_ASSOCIATE_RQ).put((byte) 0).putInt(0xFFFFFFFF)
        .putShort((short) 1).array();
    expectEnd("A-ASSOCIATE-RQ of length 0xFFFFFFFF", pdu, PROMPTLY);
  }

  @Test
  @Order(5)
  void pDataBeforeAssociation() throws IOException {
    expectEnd("P-DATA-TF before any association", RawDicom.pData(1, true, true, RawDicom.cEchoRq(1)), PROMPTLY);
  }

  @Test
  @Order(6)
  void truncatedAssociateRqThenEndOfStream() throws IOException {
    byte[] rq = associateRq();
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      peer.send(Arrays.copyOf(rq, rq.length / 2));
      peer.shutdownOutput();
      Observed observed = peer.awaitEnd(PROMPTLY);
      System.out.printf("[it] MalformedInputIT truncated A-ASSOCIATE-RQ + EOF: %s after %d ms%n", observed.detail(), observed.after().toMillis());
    }
  }

  @Test
  @Order(7)
  void truncatedAssociateRqThenSilence() throws IOException {
    byte[] rq = associateRq();
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      peer.send(Arrays.copyOf(rq, rq.length / 2));
      Observed observed = peer.awaitEnd(ARTIM.plus(PROMPTLY));
      System.out.printf("[it] MalformedInputIT truncated A-ASSOCIATE-RQ + silence: %s after %d ms%n", observed.detail(), observed.after().toMillis());
    }
  }

  @Test
  @Order(8)
  void stalledConnectionIsClosedByTheArtimTimer() throws IOException {
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      Observed observed = peer.awaitEnd(ARTIM.plus(PROMPTLY));
      System.out.printf("[it] MalformedInputIT stalled peer: %s after %d ms%n", observed.detail(), observed.after().toMillis());
      assertTrue(observed.after().compareTo(ARTIM.minusMillis(500)) >= 0,
          "closed after " + observed.after().toMillis() + " ms, before the ARTIM timer (" + ARTIM.toMillis() + " ms) could fire");
    }
  }

  @Test
  @Order(9)
  void wrongCalledAeTitleIsRejected() throws IOException {
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      peer.send(RawDicom.associateRq("NOT-ANNAL", "RAWSCU", RawDicom.VERIFICATION, List.of(Dcmtk.IMPLICIT_LE)));
      Observed observed = peer.awaitEnd(PROMPTLY);
      assertEquals(Ending.REJECTED, observed.ending(), observed.detail());
    }
  }

  @Test
  @Order(10)
  void bogusLengthInsideAnAssociation() throws IOException {
    try (RawDicom peer = associated()) {
      byte[] header = ByteBuffer.allocate(12).put((byte) RawDicom.P_DATA_TF).put((byte) 0).putInt(0xFFFFFFFF)
          .putInt(100).put((byte) 1).put((byte) 3).array();
      peer.send(header);
      Observed observed = peer.awaitEnd(PROMPTLY);
      assertNotEquals(Ending.OTHER, observed.ending(), observed.detail());
    }
  }

  @Test
  @Order(11)
  void pdvLongerThanItsPdu() throws IOException {
    try (RawDicom peer = associated()) {
      // P-DATA-TF of 10 bytes whose PDV claims 1000.
      byte[] pdu = ByteBuffer.allocate(16).put((byte) RawDicom.P_DATA_TF).put((byte) 0).putInt(10)
          .putInt(1000).put((byte) 1).put((byte) 3).putInt(0).array();
      peer.send(pdu);
      Observed observed = peer.awaitEnd(PROMPTLY);
      assertNotEquals(Ending.OTHER, observed.ending(), observed.detail());
    }
  }

  @Test
  @Order(12)
  void abortMidDataSetStoresNothing() throws IOException {
    partialStore(true);
  }

  @Test
  @Order(13)
  void connectionLostMidDataSetStoresNothing() throws IOException {
    partialStore(false);
  }

  @Test
  @Order(14)
  void storingStillWorksAndEarlierDataIsIntact() {
    SyntheticCtSeries.Series after = SyntheticCtSeries.write(List.of(node.workDir().resolve("after")), 3, "MALFORMED2");
    ExternalTool.Run run = ExternalTool.run(node.workDir().resolve("storescu-after.log"), Duration.ofSeconds(120),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), after.files()));
    assertEquals(3, StorescuLog.count(StorescuLog.parse(run.output()), Outcome.SUCCESS), run.describe());
    assertEquals(3, api.study(after.studyInstanceUid()).instances().size());
    assertEquals(baselineState, api.study(baseline.studyInstanceUid()).body(), "baseline study changed");
  }

  @Test
  @Order(15)
  void verifyPasses() {
    stoppedOnPurpose = true;
    assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
    ExternalTool.Run verify = node.verify("verify.log");
    assertEquals(0, verify.exitCode(), verify.describe());
    Map<String, Long> summary = AnnalNode.verifySummary(verify);
    assertEquals(8L, summary.get("instances"), verify.describe());
    assertEquals(8L, summary.get("ok"), verify.describe());
  }

  /** Half a data set, then A-ABORT (or a bare close): no event, no listing. */
  private void partialStore(boolean abort) throws IOException {
    SyntheticCtSeries.Series partial = SyntheticCtSeries.write(
        List.of(node.workDir().resolve(abort ? "aborted" : "cut")), 1, "PARTIAL");
    byte[] dataSet = Part10File.read(partial.files().get(0)).dataSet();
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      String accepted = peer.associate(SyntheticCtSeries.CT_IMAGE_STORAGE, List.of(Dcmtk.EXPLICIT_LE));
      assertEquals("1:" + Dcmtk.EXPLICIT_LE, accepted);
      peer.send(RawDicom.pData(1, true, true, RawDicom.cStoreRq(1, SyntheticCtSeries.CT_IMAGE_STORAGE, partial.sopInstanceUids().get(0))));
      for (int offset = 0; offset < dataSet.length / 2; offset += 16_000) {
        peer.send(RawDicom.pData(1, false, false, Arrays.copyOfRange(dataSet, offset, offset + 16_000)));
      }
      if (abort) {
        peer.send(RawDicom.abort());
      }
    }
    // The node must neither store nor list it; give it time to (wrongly) finish a write.
    StudyApi.Response response = api.studyResponse(partial.studyInstanceUid());
    assertEquals(404, response.status(), "partial instance recorded: " + response.body());
    boolean recorded = Await.within(Duration.ofSeconds(3), () -> api.studyResponse(partial.studyInstanceUid()).status() != 404);
    assertTrue(!recorded, "partial instance recorded later: " + api.studyResponse(partial.studyInstanceUid()).body());
  }

  private RawDicom associated() throws IOException {
    RawDicom peer = new RawDicom(node.dicomPort());
    peer.associate(SyntheticCtSeries.CT_IMAGE_STORAGE, List.of(Dcmtk.EXPLICIT_LE));
    return peer;
  }

  private static byte[] associateRq() {
    return RawDicom.associateRq(AnnalNode.AE_TITLE, "RAWSCU", SyntheticCtSeries.CT_IMAGE_STORAGE, List.of(Dcmtk.EXPLICIT_LE));
  }

  private void expectEnd(String what, byte[] bytes, Duration timeout) throws IOException {
    try (RawDicom peer = new RawDicom(node.dicomPort())) {
      peer.send(bytes);
      Observed observed = peer.awaitEnd(timeout);
      System.out.printf("[it] MalformedInputIT %s: %s after %d ms%n", what, observed.detail(), observed.after().toMillis());
      assertNotEquals(Ending.OTHER, observed.ending(), what + ": " + observed.detail());
    }
  }
}
