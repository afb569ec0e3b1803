// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * Where C-MOVE sends: Move Destination AE title → host:port. An unknown title is answered
 * A801 "Refused: Move Destination unknown" (PS3.4 Table C.4-2).
 */
@FunctionalInterface
public interface MoveDestinations {

  Optional<InetSocketAddress> lookup(String aeTitle);

  static MoveDestinations of(Map<String, InetSocketAddress> table) {
    Map<String, InetSocketAddress> copy = Map.copyOf(table);
    return ae -> Optional.ofNullable(copy.get(ae));
  }
}
