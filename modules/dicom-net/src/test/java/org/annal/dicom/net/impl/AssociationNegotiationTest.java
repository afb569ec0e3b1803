// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.annal.dicom.Uid;
import org.annal.dicom.net.AllowedCaller;
import org.annal.dicom.net.DicomServerSettings;
import org.junit.jupiter.api.Test;

/** A-ASSOCIATE-RJ reasons (PS3.8 Table 9-21) and per-context results (Table 9-18). */
class AssociationNegotiationTest {
  static final DicomServerSettings SETTINGS = DicomServerSettings.defaults();
  static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

  static AAssociateRq rq(int version, String called, String calling, String appContext,
      List<PresentationContextRq> contexts) {
    return new AAssociateRq(version, called, calling, appContext, contexts,
        new UserInformation(16384, "1.2.3", null, null, null, List.of()));
  }

  static AAssociateRq rq(String called, String calling, List<PresentationContextRq> contexts) {
    return rq(1, called, calling, Uid.DICOM_APPLICATION_CONTEXT, contexts);
  }

  static AAssociateRj reject(DicomServerSettings settings, AAssociateRq rq) {
    return AssociationNegotiation.negotiate(settings, rq, LOCALHOST, false).reject();
  }

  @Test
  void rejections() {
    assertEquals(new AAssociateRj(1, 1, 7), reject(SETTINGS, rq("OTHER", "SCU", List.of())));
    assertEquals(new AAssociateRj(1, 1, 2),
        reject(SETTINGS, rq(1, "ANNAL", "SCU", "1.2.3.4", List.of())));
    assertEquals(new AAssociateRj(1, 2, 2),
        reject(SETTINGS, rq(2, "ANNAL", "SCU", Uid.DICOM_APPLICATION_CONTEXT, List.of())));
    DicomServerSettings allowList = SETTINGS.withCallingAeTitles(List.of(
        AllowedCaller.parse("CT1"), AllowedCaller.parse("MR1@10.9.9.9")));
    assertEquals(new AAssociateRj(1, 1, 3), reject(allowList, rq("ANNAL", "XX", List.of())));
    assertEquals(new AAssociateRj(1, 1, 3), reject(allowList, rq("ANNAL", "MR1", List.of())),
        "MR1 only from 10.9.9.9");
    assertNull(reject(allowList, rq("ANNAL", "CT1", List.of())));
    assertEquals(new AAssociateRj(2, 3, 2), AssociationNegotiation.negotiate(SETTINGS,
        rq("ANNAL", "SCU", List.of()), LOCALHOST, true).reject());
  }

  @Test
  void presentationContextResults() {
    AssociationNegotiation.Outcome outcome = AssociationNegotiation.negotiate(
        SETTINGS.withAcceptedSyntaxes(Set.of("verification", "storage"),
            Set.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN, Uid.EXPLICIT_VR_LITTLE_ENDIAN)),
        rq("ANNAL", "SCU", List.of(
            new PresentationContextRq(1, Uid.VERIFICATION, List.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN)),
            new PresentationContextRq(3, "1.2.840.10008.5.1.4.1.2.2.1", // Study Root FIND
                List.of(Uid.IMPLICIT_VR_LITTLE_ENDIAN)),
            new PresentationContextRq(5, Uid.CT_IMAGE_STORAGE,
                List.of(Uid.EXPLICIT_VR_BIG_ENDIAN)),
            new PresentationContextRq(7, Uid.MR_IMAGE_STORAGE,
                List.of(Uid.EXPLICIT_VR_BIG_ENDIAN, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
                    Uid.IMPLICIT_VR_LITTLE_ENDIAN)))),
        LOCALHOST, false);
    assertEquals(List.of(
        new PresentationContextAc(1, 0, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
        new PresentationContextAc(3, 3, Uid.IMPLICIT_VR_LITTLE_ENDIAN),
        new PresentationContextAc(5, 4, Uid.EXPLICIT_VR_BIG_ENDIAN),
        new PresentationContextAc(7, 0, Uid.EXPLICIT_VR_LITTLE_ENDIAN)),
        outcome.accept().presentationContexts());
    assertEquals(SETTINGS.maxPduLength(), outcome.accept().userInformation().maximumLength());
  }

  @Test
  void defaultsAcceptEveryStandardTransferSyntaxAndStorageClass() {
    assertTrue(SETTINGS.acceptsTransferSyntax("1.2.840.10008.1.2.4.50"));
    assertTrue(SETTINGS.acceptsTransferSyntax(Uid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN));
    assertFalse(SETTINGS.acceptsTransferSyntax("1.2.3.4"));
    assertTrue(SETTINGS.acceptsSopClass("1.2.840.10008.5.1.4.1.1.66.4"));
    assertTrue(SETTINGS.acceptsSopClass(Uid.VERIFICATION));
    assertFalse(SETTINGS.acceptsSopClass("1.2.840.10008.5.1.4.1.2.2.1"));
  }
}
