// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.annal.http.impl.HttpErrors;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/audit?from=T&to=T[&limit=N]}: the audit trail of a time window as DICOM audit
 * messages (PS3.15 §A.5), {@code application/xml}. T is an ISO-8601 instant
 * ({@code 2026-11-30T10:00:00Z}) or epoch milliseconds, like {@code asOf}; both are required and
 * included; N is 1..{@value #MAX_LIMIT} messages (default {@value #DEFAULT_LIMIT}). 400 (JSON, as
 * the other API errors) for a missing or malformed T, {@code from} after {@code to}, or a bad N;
 * 503 when the node has no audit trail. Mounted by {@link ApiRoutes} under {@code /api/audit}.
 */
final class AuditRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AuditRoutes.class);
  static final int DEFAULT_LIMIT = 1000;
  static final int MAX_LIMIT = 10_000;
  private static final ContentType XML = MediaTypes.APPLICATION_XML.toContentType(HttpCharsets.UTF_8);

  private final AuditTrail trail;

  AuditRoutes(AuditTrail trail) {
    this.trail = trail;
  }

  /** The route at {@code /api/audit} (the caller has matched the path). */
  Route route() {
    return parameterOptional("from", from -> parameterOptional("to", to ->
        parameterOptional("limit", limit -> export(from, to, limit))));
  }

  private Route export(Optional<String> fromParam, Optional<String> toParam,
      Optional<String> limitParam) {
    Instant from;
    Instant to;
    try {
      from = instant("from", fromParam);
      to = instant("to", toParam);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    if (from.isAfter(to)) {
      return error(StatusCodes.BAD_REQUEST, "from (" + from + ") is after to (" + to + ")");
    }
    int limit;
    try {
      limit = limitParam.map(Integer::parseInt).orElse(DEFAULT_LIMIT);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      return error(StatusCodes.BAD_REQUEST, "limit must be 1.." + MAX_LIMIT + ": "
          + HttpErrors.clip(limitParam.orElse("")));
    }
    CompletionStage<byte[]> document;
    try {
      document = trail.export(from, to, limit);
    } catch (RuntimeException e) {
      document = CompletableFuture.failedFuture(e);
    }
    return onComplete(document, tried -> {
      if (tried.isSuccess()) {
        return complete(HttpResponse.create().withEntity(HttpEntities.create(XML, tried.get())));
      }
      Throwable e = tried.failed().get();
      while (e instanceof CompletionException && e.getCause() != null) {
        e = e.getCause();
      }
      if (e instanceof UnsupportedOperationException) {
        return error(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage());
      }
      log.atWarn().addKeyValue("event", "audit_export_failed").setCause(e)
          .log("Audit export failed: {}", e.toString());
      return error(StatusCodes.INTERNAL_SERVER_ERROR, "audit export failed: "
          + e.getClass().getSimpleName());
    });
  }

  /** ISO-8601 instant or epoch milliseconds, as {@code asOf} takes them. */
  static Instant instant(String name, Optional<String> value) {
    return HttpErrors.instant(name, value.orElseThrow(() -> new IllegalArgumentException(name
        + " is required: an ISO-8601 instant (2026-11-30T10:00:00Z) or epoch milliseconds")));
  }

  private Route error(StatusCode status, String message) {
    return HttpErrors.error(status, message);
  }
}
