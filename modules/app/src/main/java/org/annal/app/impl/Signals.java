// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import sun.misc.Signal;

/**
 * Turns SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed) into a call of {@code onSignal} instead of the JVM's default
 * (start the shutdown hooks, exit 130/143). {@code annal run} needs the ordering that JVM hooks do
 * not give: the actor system's coordinated shutdown first, the embedded Cassandra last, then
 * {@code exit 0}; the main thread does it once {@code onSignal} has started the shutdown.
 * A second signal while shutting down falls back to the default handler (hard stop). Internal API.
 */
public final class Signals {
  private Signals() {}

  public static void onTermination(Runnable onSignal) {
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        Signal.handle(new Signal(name), signal -> {
          // Restore the default handlers: a second Ctrl-C stops the JVM at once.
          Signal.handle(new Signal("INT"), sun.misc.SignalHandler.SIG_DFL);
          Signal.handle(new Signal("TERM"), sun.misc.SignalHandler.SIG_DFL);
          Signal.handle(new Signal("HUP"), sun.misc.SignalHandler.SIG_DFL);
          onSignal.run();
        });
      } catch (IllegalArgumentException e) {
        // Signal not available on this platform (or taken by the JVM): keep the default.
      }
    }
  }
}
