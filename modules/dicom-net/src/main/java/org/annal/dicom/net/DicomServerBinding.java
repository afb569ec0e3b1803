// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** A bound DICOM listener (see {@link DicomServer#bind}). */
public interface DicomServerBinding {

  /** The address actually bound (with the real port when 0 was asked for). */
  InetSocketAddress localAddress();

  default int port() {
    return localAddress().getPort();
  }

  /** Associations (TCP connections) currently open, from accept to close. */
  int activeAssociations();

  /** Stops accepting new connections; open associations continue. */
  CompletionStage<Done> unbind();

  /**
   * Graceful stop: unbinds, lets open associations finish until {@code drain-timeout}, then closes
   * those still open (their in-flight C-STORE data sets fail, so nothing partial is reported
   * stored). Completes when no association is open.
   */
  CompletionStage<Done> drain();

  /** As {@link #drain()} with an explicit deadline. */
  CompletionStage<Done> drain(Duration deadline);
}
