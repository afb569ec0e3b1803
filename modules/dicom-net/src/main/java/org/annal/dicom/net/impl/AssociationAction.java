// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.annal.dicom.net.impl.AssociationState.*;

/**
 * The actions of the upper layer state machine (PS3.8 §9.2, Table 9-3 to 9-9) and the state each
 * leads to. AE-6 and AR-8 have two possible next states; {@link #next} is then null and the caller
 * decides (AE-6: Sta3 if the A-ASSOCIATE-RQ is acceptable by the service provider, else Sta13;
 * AR-8: Sta9 for the requestor, Sta10 for the acceptor). Internal API.
 */
public enum AssociationAction {
  /** Issue TRANSPORT CONNECT request primitive to local transport service. */
  AE_1(Sta4),
  /** Send A-ASSOCIATE-RQ PDU. */
  AE_2(Sta5),
  /** Issue A-ASSOCIATE confirmation (accept) primitive. */
  AE_3(Sta6),
  /** Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection. */
  AE_4(Sta1),
  /** Issue Transport connection response primitive; start ARTIM timer. */
  AE_5(Sta2),
  /** Stop ARTIM; if acceptable issue A-ASSOCIATE indication, else send A-ASSOCIATE-RJ, start ARTIM. */
  AE_6(null),
  /** Send A-ASSOCIATE-AC PDU. */
  AE_7(Sta6),
  /** Send A-ASSOCIATE-RJ PDU and start ARTIM timer. */
  AE_8(Sta13),
  /** Send P-DATA-TF PDU. */
  DT_1(Sta6),
  /** Send P-DATA indication primitive. */
  DT_2(Sta6),
  /** Send A-RELEASE-RQ PDU. */
  AR_1(Sta7),
  /** Issue A-RELEASE indication primitive. */
  AR_2(Sta8),
  /** Issue A-RELEASE confirmation primitive, and close transport connection. */
  AR_3(Sta1),
  /** Issue A-RELEASE-RP PDU and start ARTIM timer. */
  AR_4(Sta13),
  /** Stop ARTIM timer. */
  AR_5(Sta1),
  /** Issue P-DATA indication. */
  AR_6(Sta7),
  /** Issue P-DATA-TF PDU. */
  AR_7(Sta8),
  /** Issue A-RELEASE indication (release collision). */
  AR_8(null),
  /** Send A-RELEASE-RP PDU. */
  AR_9(Sta11),
  /** Issue A-RELEASE confirmation primitive. */
  AR_10(Sta12),
  /** Send A-ABORT PDU (service-user source) and start (or restart) ARTIM timer. */
  AA_1(Sta13),
  /** Stop ARTIM timer if running. Close transport connection. */
  AA_2(Sta1),
  /** Issue A-ABORT (or A-P-ABORT) indication and close transport connection. */
  AA_3(Sta1),
  /** Issue A-P-ABORT indication primitive. */
  AA_4(Sta1),
  /** Stop ARTIM timer. */
  AA_5(Sta1),
  /** Ignore PDU. */
  AA_6(Sta13),
  /** Send A-ABORT PDU. */
  AA_7(Sta13),
  /** Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, start ARTIM. */
  AA_8(Sta13);

  /** The next state, or null where it depends on a condition (AE-6, AR-8). */
  public final AssociationState next;

  AssociationAction(AssociationState next) {
    this.next = next;
  }
}
