// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import java.util.concurrent.CompletionStage;

/** Whether the journal answers: completes true if it does, false or exceptionally if not. */
@FunctionalInterface
public interface HealthProbe {
  CompletionStage<Boolean> journalReachable();
}
