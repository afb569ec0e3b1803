// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The node's audit trail for {@code GET /api/audit}: the store, access and query events of a time
 * window rendered as DICOM audit messages (PS3.15 §A.5). Implemented by the app, which knows where
 * the events are (the study journal, the audit log).
 */
public interface AuditTrail {

  /**
   * The events from {@code from} to {@code to} (both included), oldest first, at most {@code
   * limit} messages, as one UTF-8 XML document.
   */
  CompletionStage<byte[]> export(Instant from, Instant to, int limit);

  /** No audit trail: every export fails, and the route answers 503. */
  AuditTrail NONE = (from, to, limit) -> java.util.concurrent.CompletableFuture.failedFuture(
      new UnsupportedOperationException("this node has no audit trail configured"));
}
