// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.annal.dicom.net.TestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.AAbort;
import org.annal.dicom.net.impl.AAssociateAc;
import org.annal.dicom.net.impl.AAssociateRj;
import org.annal.dicom.net.impl.AReleaseRp;
import org.annal.dicom.net.impl.AReleaseRq;
import org.annal.dicom.net.impl.CommandSet;
import org.annal.dicom.net.impl.PDataTf;
import org.annal.dicom.net.impl.Pdu;
import org.annal.dicom.net.impl.PduCodec;
import org.annal.dicom.net.impl.PresentationDataValue;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile or broken peers on a raw socket: each gets the A-ABORT / A-ASSOCIATE-RJ / close PS3.8
 * prescribes, and afterwards the server still serves a normal association and holds no
 * association open (no leak).
 */
class MalformedInputIT {
  static ActorSystem system;
  static DicomServerBinding binding;
  static int descriptorsAtStart;
  static FileHandler handler;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("MalformedInputIT");
    DicomServerSettings settings = DicomServerSettings.defaults().withBind("127.0.0.1", 0)
        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5));
    handler = new FileHandler(Files.createTempDirectory("malformed-it"));
    binding = DicomServer.bind(system, settings, handler).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    // baseline after one normal association, so lazily opened resources are already counted
    assertEquals(0, run("echoscu", "-aec", "ANNAL", "127.0.0.1", Integer.toString(binding.port()))
        .exitCode());
    await("warm-up association closed", Duration.ofSeconds(10),
        () -> binding.activeAssociations() == 0);
    descriptorsAtStart = openFileDescriptors();
    assertTrue(descriptorsAtStart > 0, "/proc/self/fd readable");
  }

  @AfterAll
  static void stop() throws Exception {
    binding.drain().toCompletableFuture().get(20, TimeUnit.SECONDS);
    TestKit.shutdownActorSystem(system);
  }

  /** After every hostile peer: nothing left open, and a normal C-ECHO still works. */
  @AfterEach
  void serverStillServes() throws Exception {
    await("no association left open", Duration.ofSeconds(10),
        () -> binding.activeAssociations() == 0);
    ToolResult echo = run("echoscu", "-aec", "ANNAL", "127.0.0.1",
        Integer.toString(binding.port()));
    assertEquals(0, echo.exitCode(), echo.output());
    await("echo association closed", Duration.ofSeconds(10),
        () -> binding.activeAssociations() == 0);
    // No socket leak: the JVM's descriptors come back to (about) the baseline. Threads are not
    // counted: Pekko's dispatchers grow their pools lazily, which is not a leak.
    await("file descriptors back to the baseline of " + descriptorsAtStart,
        Duration.ofSeconds(10), () -> openFileDescriptors() <= descriptorsAtStart + 4);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  static void assertAbort(Pdu pdu, int source, int reason) {
    assertEquals(new AAbort(source, reason), pdu);
  }

  @Test
  void randomBytesGetAnAbortOrAClose() throws Exception {
    for (int seed = 0; seed < 25; seed++) {
      byte[] junk = new byte[1 + new Random(seed).nextInt(3000)];
      new Random(seed).nextBytes(junk);
      try (RawPeer peer = new RawPeer(binding.port())) {
        peer.send(junk);
        Pdu pdu;
        while ((pdu = peer.read()) != null) {
          assertTrue(pdu instanceof AAbort || pdu instanceof AAssociateRj,
              "seed " + seed + ": only A-ABORT/RJ may come back, got " + pdu);
          peer.socket.shutdownOutput(); // we are done: let the server see the close (Sta13)
        }
      }
    }
  }

  @Test
  void unknownPduTypeIsAbortedAsUnrecognizedPdu() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(hex("09 00 00000004 00000000"));
      assertAbort(peer.read(), 2, AAbort.REASON_UNRECOGNIZED_PDU);
    }
  }

  @Test
  void bogusLengthIsAbortedWithoutWaitingForTheBody() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(hex("01 00 FFFFFFFF 0001"));
      assertAbort(peer.read(), 2, AAbort.REASON_INVALID_PDU_PARAMETER_VALUE);
    }
  }

  @Test
  void lengthInconsistentWithContentIsInvalidParameter() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      // A-ASSOCIATE-RQ whose body is shorter than the 68-byte fixed part
      peer.send(hex("01 00 00000008 0001 0000 41414141"));
      assertAbort(peer.read(), 2, AAbort.REASON_INVALID_PDU_PARAMETER_VALUE);
    }
  }

  @Test
  void pDataBeforeAssociationIsAborted() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, true, true,
          ByteString.fromArray(new byte[] {1, 2})))));
      assertAbort(peer.read(), 2, AAbort.REASON_UNEXPECTED_PDU); // Sta2, Evt10 → AA-1
      assertTrue(peer.closedByServer(), "closed by ARTIM after the abort");
    }
  }

  @Test
  void associateRqTwiceIsAborted() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      peer.send(RawPeer.echoRq());
      assertAbort(peer.read(), 2, AAbort.REASON_UNEXPECTED_PDU); // Sta6, Evt6 → AA-8
    }
  }

  @Test
  void stalledConnectionIsClosedByArtim() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      long start = System.nanoTime();
      assertTrue(peer.closedByServer());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 900 && millis < 5000, "ARTIM of 1 s closed after " + millis + " ms");
    }
  }

  @Test
  void truncatedPduThenSilenceIsClosedByArtim() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      byte[] rq = PduCodec.encode(RawPeer.echoRq()).toArray();
      peer.send(java.util.Arrays.copyOf(rq, 40));
      assertNull(peer.read(), "no PDU, just the close");
    }
  }

  @Test
  void rejections() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.rq("ANNAL", 2, List.of()));
      assertEquals(new AAssociateRj(1, 2, 2), peer.read());
    }
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.rq("SOMEONE", 1, List.of()));
      assertEquals(new AAssociateRj(1, 1, 7), peer.read());
      assertTrue(peer.closedByServer(), "ARTIM closes after the RJ");
    }
  }

  @Test
  void pdvOnAContextNotAcceptedIsAborted() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      peer.send(new PDataTf(List.of(PresentationDataValue.of(3, true, true,
          ByteString.fromArray(new byte[] {0, 0, 0, 0})))));
      assertAbort(peer.read(), 2, AAbort.REASON_INVALID_PDU_PARAMETER_VALUE);
    }
  }

  @Test
  void garbageCommandSetIsAbortedAndUnknownCommandGets0211() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      // N-GET-RQ (0110h) on the verification context: not supported → status 0211
      CommandSet nGet = new CommandSet().putUid(CommandSet.REQUESTED_SOP_CLASS_UID, Uid.VERIFICATION)
          .putUs(CommandSet.COMMAND_FIELD, 0x0110).putUs(CommandSet.MESSAGE_ID, 9)
          .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, true, true, nGet.encode()))));
      PDataTf rsp = (PDataTf) peer.read();
      CommandSet status = CommandSet.decode(rsp.values().get(0).value());
      assertEquals(0x8110, status.getUs(CommandSet.COMMAND_FIELD));
      assertEquals(Status.UNRECOGNIZED_OPERATION, status.getUs(CommandSet.STATUS));
      assertEquals(9, status.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO));
      // an element length running past the end of the command set
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, true, true,
          ByteString.fromArray(hex("0000 0001 FFFF0000 3000"))))));
      assertAbort(peer.read(), 0, 0);
    }
  }

  @Test
  void idleAssociationIsAborted() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      long start = System.nanoTime();
      assertAbort(peer.read(), 0, 0);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 1500, "idle timeout of 2 s, aborted after " + millis + " ms");
    }
  }

  @Test
  void releaseIsAnsweredAndTheConnectionEnds() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.echoRq());
      assertInstanceOf(AAssociateAc.class, peer.read());
      peer.send(new AReleaseRq());
      assertEquals(new AReleaseRp(), peer.read());
      peer.socket.shutdownOutput(); // requestor closes the transport (AR-3)
      assertTrue(peer.closedByServer());
    }
  }

  @Test
  void abruptCloseInTheMiddleOfADataSetFailsTheHandlersStream() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.rq("ANNAL", 1, List.of(new org.annal.dicom.net.impl.PresentationContextRq(
          1, Uid.CT_IMAGE_STORAGE, List.of(Uid.EXPLICIT_VR_LITTLE_ENDIAN)))));
      assertInstanceOf(AAssociateAc.class, peer.read());
      CommandSet store = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID,
              Uid.CT_IMAGE_STORAGE)
          .putUs(CommandSet.COMMAND_FIELD, 0x0001).putUs(CommandSet.MESSAGE_ID, 1)
          .putUs(CommandSet.PRIORITY, 0).putUs(CommandSet.COMMAND_DATA_SET_TYPE, 0)
          .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, "1.2.3.4.5");
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, true, true, store.encode()))));
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, false, false,
          ByteString.fromArray(new byte[1000])))));
    } // closed without the last fragment: the handler's sink must see a failure, not a success
    await("the handler's stream failed", Duration.ofSeconds(5), () -> handler.failed.stream()
        .anyMatch(r -> r.affectedSopInstanceUid().equals("1.2.3.4.5")));
    assertTrue(handler.received.stream()
        .noneMatch(r -> r.request().affectedSopInstanceUid().equals("1.2.3.4.5")),
        "a partial data set was reported stored");
  }

  @Test
  void peerStallingInTheMiddleOfADataSetIsAbortedByTheIdleTimer() throws Exception {
    try (RawPeer peer = new RawPeer(binding.port())) {
      peer.send(RawPeer.rq("ANNAL", 1, List.of(new org.annal.dicom.net.impl.PresentationContextRq(
          1, Uid.CT_IMAGE_STORAGE, List.of(Uid.EXPLICIT_VR_LITTLE_ENDIAN)))));
      assertInstanceOf(AAssociateAc.class, peer.read());
      CommandSet store = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID,
              Uid.CT_IMAGE_STORAGE)
          .putUs(CommandSet.COMMAND_FIELD, 0x0001).putUs(CommandSet.MESSAGE_ID, 1)
          .putUs(CommandSet.PRIORITY, 0).putUs(CommandSet.COMMAND_DATA_SET_TYPE, 0)
          .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, "1.2.3.4.6");
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, true, true, store.encode()))));
      peer.send(new PDataTf(List.of(PresentationDataValue.of(1, false, false,
          ByteString.fromArray(new byte[1000])))));
      assertAbort(peer.read(), 0, 0); // then silence: idle timeout (2 s) aborts
    }
    await("the handler's stream failed", Duration.ofSeconds(5), () -> handler.failed.stream()
        .anyMatch(r -> r.affectedSopInstanceUid().equals("1.2.3.4.6")));
  }
}
