// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A DIMSE operation with several responses running on an acceptor (C-FIND, C-MOVE, C-GET,
 * PS3.7 §9.1.2–9.1.4): it produces the P-DATA-TF PDUs to send (its responses, and for C-GET the
 * C-STORE sub-operation requests), and the acceptor keeps reading meanwhile so that a C-CANCEL-RQ or a
 * C-STORE-RSP reaches it. The operation ends when {@link #pdus()} completes, after the final
 * response. Internal API.
 */
public interface ServiceOperation {

  /** Message ID of the request (matched against a C-CANCEL-RQ's Message ID Being Responded To). */
  int messageId();

  /** The PDUs to send; pulled as the socket takes them. Materialized once. */
  Source<PDataTf, NotUsed> pdus();

  /** C-CANCEL-RQ received (PS3.7 §9.3.2.3): stop and send the Cancel response. */
  void cancel();

  /**
   * A C-STORE-RSP for a sub-operation sent on this association (C-GET); false if none was
   * expected (a protocol error).
   */
  default boolean onStoreResponse(CommandSet response) {
    return false;
  }

  /** The association ended: stop, fail what waits for the peer. Nothing more will be sent. */
  void associationEnded();
}
