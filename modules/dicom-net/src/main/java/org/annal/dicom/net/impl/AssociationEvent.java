// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/** The events of the upper layer state machine (PS3.8 §9.2, Table 9-2). Internal API. */
public enum AssociationEvent {
  /** A-ASSOCIATE request (local user). */
  Evt1,
  /** Transport connect confirmation (local transport service). */
  Evt2,
  /** A-ASSOCIATE-AC PDU (received on transport connection). */
  Evt3,
  /** A-ASSOCIATE-RJ PDU (received on transport connection). */
  Evt4,
  /** Transport connection indication (local transport service). */
  Evt5,
  /** A-ASSOCIATE-RQ PDU (received on transport connection). */
  Evt6,
  /** A-ASSOCIATE response primitive (accept). */
  Evt7,
  /** A-ASSOCIATE response primitive (reject). */
  Evt8,
  /** P-DATA request primitive. */
  Evt9,
  /** P-DATA-TF PDU. */
  Evt10,
  /** A-RELEASE request primitive. */
  Evt11,
  /** A-RELEASE-RQ PDU (received on open transport connection). */
  Evt12,
  /** A-RELEASE-RP PDU (received on transport connection). */
  Evt13,
  /** A-RELEASE response primitive. */
  Evt14,
  /** A-ABORT request primitive. */
  Evt15,
  /** A-ABORT PDU (received on open transport connection). */
  Evt16,
  /** Transport connection closed indication (local transport service). */
  Evt17,
  /** ARTIM timer expired (Association reject/release timer). */
  Evt18,
  /** Unrecognized or invalid PDU received. */
  Evt19;

  /** The event a received PDU is (Evt3, 4, 6, 10, 12, 13, 16 or 19). */
  public static AssociationEvent received(Pdu pdu) {
    if (pdu instanceof AAssociateAc) {
      return Evt3;
    } else if (pdu instanceof AAssociateRj) {
      return Evt4;
    } else if (pdu instanceof AAssociateRq) {
      return Evt6;
    } else if (pdu instanceof PDataTf) {
      return Evt10;
    } else if (pdu instanceof AReleaseRq) {
      return Evt12;
    } else if (pdu instanceof AReleaseRp) {
      return Evt13;
    } else if (pdu instanceof AAbort) {
      return Evt16;
    }
    return Evt19;
  }
}
