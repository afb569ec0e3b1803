// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/** The states of the DICOM upper layer state machine (PS3.8 §9.2, Table 9-1). Internal API. */
public enum AssociationState {
  /** Idle. */
  Sta1,
  /** Transport connection open (awaiting A-ASSOCIATE-RQ PDU). */
  Sta2,
  /** Awaiting local A-ASSOCIATE response primitive (from local user). */
  Sta3,
  /** Awaiting transport connection opening to complete (from local transport service). */
  Sta4,
  /** Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU. */
  Sta5,
  /** Association established and ready for data transfer. */
  Sta6,
  /** Awaiting A-RELEASE-RP PDU. */
  Sta7,
  /** Awaiting local A-RELEASE response primitive (from local user). */
  Sta8,
  /** Release collision requestor side; awaiting A-RELEASE response (from local user). */
  Sta9,
  /** Release collision acceptor side; awaiting A-RELEASE-RP PDU. */
  Sta10,
  /** Release collision requestor side; awaiting A-RELEASE-RP PDU. */
  Sta11,
  /** Release collision acceptor side; awaiting A-RELEASE response primitive (from local user). */
  Sta12,
  /** Awaiting Transport Connection Close Indication (association no longer exists). */
  Sta13
}
