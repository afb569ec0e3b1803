// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.annal.dicom.net.impl.PduCodecTest.hex;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The framing stage: PDUs cut out of a byte stream however TCP splits it; bad headers. */
class PduDecoderStageTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("PduDecoderStageTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  List<Pdu> decode(List<ByteString> chunks, long cap) throws Exception {
    return Source.from(chunks).via(Flow.fromGraph(new PduDecoderStage(cap)))
        .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Property: any split of a PDU sequence into chunks decodes to the same PDUs. */
  @Test
  void randomSplitsDecodeToTheSamePdus() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<Pdu> pdus = new ArrayList<>();
      ByteString wire = ByteString.emptyByteString();
      int count = 1 + random.nextInt(6);
      for (int i = 0; i < count; i++) {
        byte[] value = new byte[random.nextInt(3000)];
        random.nextBytes(value);
        Pdu pdu = switch (random.nextInt(4)) {
          case 0 -> new PDataTf(List.of(PresentationDataValue.of(1 + 2 * random.nextInt(10),
              random.nextBoolean(), random.nextBoolean(), ByteString.fromArray(value))));
          case 1 -> new AReleaseRq();
          case 2 -> new AAbort(2, random.nextInt(7));
          default -> new AAssociateRj(1, 1, 7);
        };
        pdus.add(pdu);
        wire = wire.concat(PduCodec.encode(pdu));
      }
      List<ByteString> chunks = new ArrayList<>();
      int offset = 0;
      while (offset < wire.size()) {
        int n = Math.min(wire.size() - offset, 1 + random.nextInt(random.nextBoolean() ? 7 : 4000));
        chunks.add(wire.slice(offset, offset + n));
        offset += n;
      }
      assertEquals(pdus, decode(chunks, 1 << 20), "round " + round);
    }
  }

  /**
   * The hook that lets a peer's Nagle-held rest of a PDU go (TcpQuickAck) runs each time part of a
   * PDU is held and more bytes are asked for, and not when the chunks end on PDU boundaries.
   */
  @Test
  void awaitingRestRunsWhilePartOfAPduIsHeld() throws Exception {
    ByteString rsp = PduCodec.encode(new PDataTf(List.of(PresentationDataValue.of(1, true, true,
        ByteString.fromArray(new byte[138])))));
    ByteString release = PduCodec.encode(new AReleaseRq());
    // As DCMTK writes a message: PDU + PDV headers (12 bytes), then the value.
    List<ByteString> split = List.of(rsp.slice(0, 12), rsp.slice(12, rsp.size()), release);
    List<ByteString> whole = List.of(rsp, release);
    for (List<ByteString> chunks : List.of(split, whole)) {
      AtomicInteger runs = new AtomicInteger();
      List<Pdu> out = Source.from(chunks)
          .via(Flow.fromGraph(new PduDecoderStage(1 << 20, runs::incrementAndGet)))
          .runWith(Sink.seq(), system).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(2, out.size());
      assertInstanceOf(AReleaseRq.class, out.get(1));
      assertEquals(chunks == split ? 1 : 0, runs.get(), chunks == split ? "split" : "whole");
    }
  }

  @Test
  void lengthOverTheCapIsRejectedBeforeBuffering() throws Exception {
    // 0xFFFFFFFF: must not try to allocate 4 GiB; nothing after the header needs to arrive.
    List<Pdu> out = decode(List.of(hex("04 00 FFFFFFFF 00")), 16384 + 6);
    assertEquals(1, out.size());
    MalformedPdu m = (MalformedPdu) out.get(0);
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, m.reason());
  }

  @Test
  void unknownPduTypeIsUnrecognizedPdu() throws Exception {
    List<Pdu> out = decode(List.of(hex("09 00 00000004 00000000"),
        PduCodec.encode(new AReleaseRq())), 1 << 20);
    // reason 1, and nothing after it is decoded
    assertEquals(List.of(new MalformedPdu(AAbort.REASON_UNRECOGNIZED_PDU,
        "unrecognized PDU type 09h")), out);
  }

  @Test
  void truncatedPduAtEndOfStreamJustCompletes() throws Exception {
    ByteString release = PduCodec.encode(new AReleaseRq());
    List<Pdu> out = decode(List.of(release, release.take(7)), 1 << 20);
    assertEquals(List.of(new AReleaseRq()), out);
  }

  @Test
  void inconsistentBodyIsInvalidParameter() throws Exception {
    List<Pdu> out = decode(List.of(hex("04 00 00000008 000000FF 01 03 AABB")), 1 << 20);
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, ((MalformedPdu) out.get(0)).reason());
  }
}
