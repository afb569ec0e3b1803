// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.util.Map;
import org.annal.app.config.AnnalConfig;
import org.annal.dicom.net.ScuSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The ActorSystem of a CLI tool ({@code store}, {@code echo}): local provider (no cluster port),
 * Pekko logging at WARNING, so that the tool's output is its results. Internal API.
 */
public final class ToolSystem implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final AnnalConfig config;

  public ToolSystem(String name) {
    LogFiles.defaultLevel("WARN");
    this.config = AnnalConfig.load(null, new AnnalConfig.Overrides())
        .with(Map.of("pekko.actor.provider", "local", "pekko.loglevel", "WARNING",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));
    this.system = ActorSystem.create(Behaviors.empty(), name, config.underlying());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public ScuSettings scuSettings() {
    return ScuSettings.fromConfig(config.underlying().getConfig("annal.dicom.scu"));
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (Exception e) {
      // Terminating anyway.
    }
  }
}
