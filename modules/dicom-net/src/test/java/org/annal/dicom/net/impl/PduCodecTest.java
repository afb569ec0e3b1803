// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import org.annal.dicom.Uid;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Golden byte vectors of PS3.8 §9.3, written by hand from its tables or captured from DCMTK. */
class PduCodecTest {

  static ByteString hex(String hex) {
    return ByteString.fromArray(HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  static Pdu decode(ByteString wire) throws PduException {
    PduType type = PduType.of(wire.apply(0) & 0xFF);
    long length = wire.slice(2, 6).asByteBuffer().getInt() & 0xFFFFFFFFL;
    assertEquals(wire.size() - 6, length, "PDU-length field");
    return PduCodec.decode(type, wire.drop(6));
  }

  @Test
  void aAssociateRjTable921() throws Exception {
    // type 03, reserved, length 4, reserved, result 1, source 1, reason 7 (called AE title)
    ByteString wire = hex("03 00 00000004 00 01 01 07");
    assertEquals(new AAssociateRj(1, 1, 7), decode(wire));
    assertEquals(wire, PduCodec.encode(new AAssociateRj(1, 1, 7)));
  }

  @Test
  void aAbortTable926() throws Exception {
    ByteString wire = hex("07 00 00000004 00 00 02 01");
    assertEquals(AAbort.provider(AAbort.REASON_UNRECOGNIZED_PDU), decode(wire));
    assertEquals(wire, PduCodec.encode(AAbort.provider(1)));
  }

  @Test
  void releasePdusTables924And925() throws Exception {
    assertEquals(hex("05 00 00000004 00000000"), PduCodec.encode(new AReleaseRq()));
    assertEquals(hex("06 00 00000004 00000000"), PduCodec.encode(new AReleaseRp()));
    assertEquals(new AReleaseRp(), decode(hex("06 00 00000004 00000000")));
  }

  @Test
  void pDataTfTable922AndAnnexE2() throws Exception {
    // one PDV: item length 6 = context id + header + 4 bytes; header 03 = command, last
    ByteString wire = hex("04 00 0000000A 00000006 01 03 AABBCCDD");
    PDataTf pdu = (PDataTf) decode(wire);
    PresentationDataValue pdv = pdu.values().get(0);
    assertEquals(1, pdv.presentationContextId());
    assertTrue(pdv.isCommand());
    assertTrue(pdv.isLast());
    assertEquals(hex("AABBCCDD"), pdv.value());
    assertEquals(wire, PduCodec.encode(pdu));
    assertEquals(10, pdu.pduLength());
  }

  @Test
  void pDataTfWithTwoPdvsAndDataBitsClear() throws Exception {
    ByteString wire = hex("04 00 00000010 00000003 03 02 11 00000005 05 00 223344");
    PDataTf pdu = (PDataTf) decode(wire);
    assertEquals(2, pdu.values().size());
    assertFalse(pdu.values().get(0).isCommand());
    assertTrue(pdu.values().get(0).isLast());
    assertFalse(pdu.values().get(1).isLast());
    assertEquals(5, pdu.values().get(1).presentationContextId());
  }

  @Test
  void inconsistentPdvLengthIsInvalidParameter() {
    // PDV claims 100 bytes, PDU has 6
    PduException e = assertThrows(PduException.class,
        () -> decode(hex("04 00 0000000A 00000064 01 03 AABBCCDD")));
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, e.reason);
    // PDV item length below 2
    e = assertThrows(PduException.class, () -> decode(hex("04 00 00000004 00000001")));
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, e.reason);
    // no PDV at all
    e = assertThrows(PduException.class, () -> decode(hex("04 00 00000000")));
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, e.reason);
  }

  @Test
  void abortAndReleaseWithWrongLengthAreInvalid() {
    assertThrows(PduException.class, () -> decode(hex("07 00 00000002 0000")));
    assertThrows(PduException.class, () -> decode(hex("05 00 00000006 000000000000")));
  }

  /** A-ASSOCIATE-RQ as DCMTK 3.6.7 echoscu sends it (captured from a raw socket). */
  @Test
  void echoscuAssociateRq() throws Exception {
    ByteString wire = resource("/echoscu-3.6.7-associate-rq.bin");
    AAssociateRq rq = (AAssociateRq) decode(wire);
    assertEquals(1, rq.protocolVersion());
    assertEquals("ANNAL", rq.calledAeTitle());
    assertEquals("ECHOSCU", rq.callingAeTitle());
    assertEquals(Uid.DICOM_APPLICATION_CONTEXT, rq.applicationContextName());
    assertEquals(List.of(new PresentationContextRq(1, Uid.VERIFICATION,
        List.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN))), rq.presentationContexts());
    UserInformation ui = rq.userInformation();
    assertEquals(16384, ui.maximumLength());
    assertEquals("1.2.276.0.7230010.3.0.3.6.7", ui.implementationClassUid());
    assertEquals("OFFIS_DCMTK_367", ui.implementationVersionName());
    assertNull(ui.maxOperationsInvoked());
    // Re-encoding gives the same bytes but for a reserved byte DCMTK sets to FF (PS3.8 §9.3.1:
    // reserved fields are not tested on receipt, and we send 00).
    byte[] expected = wire.toArray();
    byte[] actual = PduCodec.encode(rq).toArray();
    assertEquals(expected.length, actual.length);
    int differences = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        differences++;
        assertEquals((byte) 0xFF, expected[i], "only reserved FF may differ, at " + i);
      }
    }
    assertTrue(differences <= 1);
  }

  /** A minimal A-ASSOCIATE-AC written from PS3.8 Table 9-17, 9-18 and Annex D.1 by hand. */
  @Test
  void associateAcByHand() throws Exception {
    String ae = "414E4E414C20202020202020202020 20"; // "ANNAL" + 11 spaces
    String calling = "53435520202020202020202020202020"; // "SCU"
    String appContext = "10 00 0015 312E322E3834302E31303030382E332E312E312E31";
    // context 1 accepted with 1.2.840.10008.1.2 (17 bytes); sub-item 40h
    String pc = "21 00 0019 01 00 00 00 40 00 0011 312E322E3834302E31303030382E312E32";
    // user info: 51h max length 16384, 52h UID "1.2.3" (5 bytes)
    String ui = "50 00 0011 51 00 0004 00004000 52 00 0005 312E322E33";
    String body = "0001 0000 " + ae + calling + "00".repeat(32) + appContext + pc + ui;
    int length = HexFormat.of().parseHex(body.replace(" ", "")).length;
    ByteString wire = hex("02 00 " + String.format("%08X", length) + body);
    AAssociateAc ac = (AAssociateAc) decode(wire);
    assertEquals("ANNAL", ac.calledAeTitle());
    assertEquals("SCU", ac.callingAeTitle());
    assertEquals(List.of(new PresentationContextAc(1, 0, Uid.IMPLICIT_VR_LITTLE_ENDIAN)),
        ac.presentationContexts());
    assertEquals(16384, ac.userInformation().maximumLength());
    assertEquals("1.2.3", ac.userInformation().implementationClassUid());
    assertEquals(wire, PduCodec.encode(ac));
  }

  @Test
  void userInformationRoundTripWithAsyncAndRolesAndUnknownSubItemSkipped() throws Exception {
    UserInformation ui = new UserInformation(32768, "1.2.3.4", "V1", 1, 1,
        List.of(new RoleSelection(Uid.CT_IMAGE_STORAGE, 1, 0)));
    AAssociateRq rq = new AAssociateRq(1, "ANNAL", "SCU", Uid.DICOM_APPLICATION_CONTEXT,
        List.of(new PresentationContextRq(3, Uid.CT_IMAGE_STORAGE,
            List.of(Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN))), ui);
    ByteString wire = PduCodec.encode(rq);
    assertEquals(rq, decode(wire));
    // Append an unknown sub-item 58h (user identity) inside 50h and an unknown item 60h after it.
    byte[] b = wire.toArray();
    int uiOffset = indexOf(b, (byte) 0x50);
    int uiLength = ((b[uiOffset + 2] & 0xFF) << 8) | (b[uiOffset + 3] & 0xFF);
    ByteString patched = ByteString.fromArray(b, 0, uiOffset + 2)
        .concat(hex(String.format("%04X", uiLength + 6)))
        .concat(ByteString.fromArray(b, uiOffset + 4, uiLength))
        .concat(hex("58 00 0002 0102"))
        .concat(hex("60 00 0001 FF"));
    byte[] p = patched.toArray();
    int pduLength = p.length - 6;
    p[2] = (byte) (pduLength >>> 24);
    p[3] = (byte) (pduLength >>> 16);
    p[4] = (byte) (pduLength >>> 8);
    p[5] = (byte) pduLength;
    assertEquals(rq, decode(ByteString.fromArray(p)));
  }

  @Test
  void truncatedItemInAssociateRqIsInvalidParameter() throws Exception {
    ByteString wire = resource("/echoscu-3.6.7-associate-rq.bin");
    // Cut the last 10 bytes off the body but keep the header consistent with the cut body.
    ByteString body = wire.drop(6).dropRight(10);
    PduException e = assertThrows(PduException.class,
        () -> PduCodec.decode(PduType.A_ASSOCIATE_RQ, body));
    assertEquals(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE, e.reason);
    // Body shorter than the fixed part
    assertThrows(PduException.class,
        () -> PduCodec.decode(PduType.A_ASSOCIATE_RQ, wire.slice(6, 40)));
  }

  private static int indexOf(byte[] b, byte itemType) {
    // the user information item is the last item of the PDU: scan items from offset 74
    int i = 6 + PduCodec.ASSOCIATE_FIXED_LENGTH;
    while (i < b.length) {
      if (b[i] == itemType) {
        return i;
      }
      i += 4 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
    }
    throw new AssertionError("no item " + itemType);
  }

  static ByteString resource(String name) throws IOException {
    try (InputStream in = PduCodecTest.class.getResourceAsStream(name)) {
      return ByteString.fromArray(in.readAllBytes());
    }
  }
}
