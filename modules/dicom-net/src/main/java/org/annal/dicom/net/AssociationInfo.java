// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Who is on the other end of an established association (PS3.8 §7.1): what the handlers of DIMSE
 * services are told, so that what they record names the sender.
 *
 * @param associationId unique id Annal gives the association (for logs and events)
 * @param callingAeTitle the peer's AE title from the A-ASSOCIATE-RQ, trimmed
 * @param calledAeTitle our AE title as the peer called it, trimmed
 * @param peerAddress the peer's socket address
 * @param establishedAt when the A-ASSOCIATE-AC was sent
 */
public record AssociationInfo(
    String associationId,
    String callingAeTitle,
    String calledAeTitle,
    InetSocketAddress peerAddress,
    Instant establishedAt) {}
