// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

/**
 * Marker for every message, event and state that crosses the wire or reaches the journal: bound to
 * Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf}
 * ({@code pekko.actor.serialization-bindings}), so nothing falls back to Java serialization.
 */
public interface CborSerializable {}
