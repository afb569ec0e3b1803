// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Ephemeral ports for the node under test. The lead's manual runs own 11112, 8080, 9042 and 7000;
 * the kernel's ephemeral range never hands those out, but we check anyway.
 */
final class FreePorts {
  private static final Set<Integer> RESERVED = Set.of(11112, 8080, 9042, 7000, 7001, 7199);
  // Ports handed out by this JVM: a port freed by one node may otherwise be handed to the next
  // node's other listener in the same start-up.
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  static synchronized int next() {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (!RESERVED.contains(port) && GIVEN.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port after 50 attempts");
  }
}
