// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

/**
 * Who sent an instance, as the event records it for auditors (ARCHITECTURE invariant 3): taken from
 * the association (PS3.8 §7.1) the C-STORE arrived on.
 *
 * @param callingAeTitle the peer's AE title
 * @param calledAeTitle our AE title as the peer called it
 * @param peerAddress the peer's address as {@code host:port} (or another transport's notation)
 * @param associationId the id Annal gave the association (matches the logs)
 * @param moveOriginatorAeTitle Move Originator Application Entity Title (0000,1030) of the
 *     C-STORE-RQ when the store was a sub-operation of someone's C-MOVE, else null
 */
public record Sender(
    String callingAeTitle,
    String calledAeTitle,
    String peerAddress,
    String associationId,
    String moveOriginatorAeTitle)
    implements CborSerializable {

  /** A peer address as {@code peerAddress} records it: {@code host:port}; empty if unknown. */
  public static String address(java.net.InetSocketAddress peer) {
    return peer == null ? "" : peer.getHostString() + ":" + peer.getPort();
  }
}
