// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.annal.http.impl.HttpErrors;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's history/admin HTTP API:
 *
 * <pre>
 * GET /api/health             200 {"status":"UP","node":..,"cassandra":"UP"} | 503 when the journal does not answer
 * GET /api/studies/{studyUid} 200 the study's state | 404 no events for that UID | 400 not a UID (PS3.5 §9.1)
 * GET /api/studies/{studyUid}?asOf=T
 *                             200 the state replayed from the events up to T (ISO-8601 instant, e.g.
 *                             2026-11-30T10:00:00Z, or epoch ms) | 400 T not understood
 * GET /api/changes?after=OFFSET&limit=N
 *                             200 {"changes":[{offset, studyInstanceUid, sequenceNr, timestamp,
 *                             type, hash}, ...], "next": OFFSET} the events of all studies after
 *                             OFFSET (none: from the start), oldest first, N (1..1000, default 100)
 *                             at most; resume with after=next | 400 bad OFFSET or N
 * GET /api/studies/{studyUid}/history
 *                             200 {"studyInstanceUid":..,"events":[{sequenceNr, timestamp, type,
 *                             actor, details, prevHash, hash}, ...]} oldest first | 404 | 400
 * GET /api/studies/{studyUid}/instances/{sopInstanceUid}
 *                             200 application/dicom, the stored file, from whichever node holds it
 *                             | 404 no such instance | 503 its node is down (message names it)
 * GET /api/audit?from=T&to=T&limit=N
 *                             200 application/xml, the window's DICOM audit messages (PS3.15 §A.5),
 *                             see {@link AuditRoutes} | 400 bad T or N, from after to
 * </pre>
 *
 * Every answer but the file itself, errors included, is JSON.
 */
public final class ApiRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

  private final String nodeId;
  private final StudyLookup studies;
  private final InstanceFiles instances;
  private final HealthProbe health;
  private final Duration healthTimeout;
  private final AuditRoutes audit;
  private final ObjectMapper mapper = new ObjectMapper();
  private static final ContentType DICOM =
      ContentTypes.create(MediaTypes.applicationBinary("dicom", false));

  public ApiRoutes(String nodeId, StudyLookup studies, InstanceFiles instances, HealthProbe health,
      Duration healthTimeout) {
    this(nodeId, studies, instances, health, healthTimeout, AuditTrail.NONE);
  }

  public ApiRoutes(String nodeId, StudyLookup studies, InstanceFiles instances, HealthProbe health,
      Duration healthTimeout, AuditTrail audit) {
    this.audit = new AuditRoutes(audit);
    this.nodeId = nodeId;
    this.studies = studies;
    this.instances = instances;
    this.health = health;
    this.healthTimeout = healthTimeout;
  }

  public Route route() {
    Route api = pathPrefix("api", () -> concat(
        path("health", () -> get(this::health)),
        path("audit", () -> get(audit::route)),
        path("changes", () -> get(() -> parameterOptional("after", after ->
            parameterOptional("limit", limit -> changes(after.orElse(null), limit))))),
        pathPrefix("studies", () -> pathPrefix(PathMatchers.segment(), uid -> concat(
            pathEnd(() -> get(() -> parameterOptional("asOf", asOf -> asOf.isPresent()
                ? studyAsOf(uid, asOf.get()) : study(uid)))),
            path("history", () -> get(() -> history(uid))),
            path(PathMatchers.segment("instances").slash(PathMatchers.segment()),
                sop -> get(() -> instance(uid, sop))))))));
    return handleExceptions(exceptions(), () -> handleRejections(HttpErrors.rejections(), () -> api));
  }

  private Route health() {
    CompletionStage<Boolean> up;
    try {
      up = health.journalReachable().toCompletableFuture()
          .completeOnTimeout(false, healthTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(e -> false);
    } catch (RuntimeException e) {
      up = CompletableFuture.completedFuture(false);
    }
    return onSuccess(up, ok -> {
      ObjectNode body = mapper.createObjectNode()
          .put("status", ok ? "UP" : "DOWN")
          .put("node", nodeId)
          .put("cassandra", ok ? "UP" : "DOWN");
      return json(ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
    });
  }

  private Route study(String uid) {
    return studyJson(uid, () -> studies.find(uid));
  }

  /** 400 for a malformed UID (never looked up), else 200 with the JSON found or 404. */
  private Route studyJson(String uid, Supplier<CompletionStage<Optional<JsonNode>>> lookup) {
    if (!UidSyntax.isValid(uid)) {
      return error(StatusCodes.BAD_REQUEST, "not a valid DICOM UID (PS3.5 §9.1): " + HttpErrors.clip(uid));
    }
    return onSuccess(lookup.get(), (Optional<JsonNode> found) -> found
        .map(s -> json(StatusCodes.OK, s))
        .orElseGet(() -> error(StatusCodes.NOT_FOUND, "no study " + uid)));
  }

  private Route studyAsOf(String uid, String asOf) {
    Instant at;
    try {
      at = HttpErrors.instant("asOf", asOf);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    return studyJson(uid, () -> studies.findAsOf(uid, at));
  }

  private Route changes(String after, Optional<String> limitParam) {
    int limit;
    try {
      limit = limitParam.map(Integer::parseInt).orElse(100);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      return error(StatusCodes.BAD_REQUEST, "limit must be 1..1000: "
          + HttpErrors.clip(limitParam.orElse("")));
    }
    CompletionStage<JsonNode> page;
    try {
      page = studies.changes(after, limit);
    } catch (IllegalArgumentException e) {
      return error(StatusCodes.BAD_REQUEST, HttpErrors.clip(e.getMessage()));
    }
    return onSuccess(page, body -> json(StatusCodes.OK, body));
  }

  private Route history(String uid) {
    return studyJson(uid, () -> studies.history(uid));
  }

  private Route instance(String studyUid, String sopUid) {
    if (!UidSyntax.isValid(studyUid) || !UidSyntax.isValid(sopUid)) {
      return error(StatusCodes.BAD_REQUEST, "not a valid DICOM UID (PS3.5 §9.1): "
          + HttpErrors.clip(UidSyntax.isValid(studyUid) ? sopUid : studyUid));
    }
    CompletionStage<Optional<InstanceFiles.InstanceFile>> opened;
    try {
      opened = instances.open(studyUid, sopUid);
    } catch (RuntimeException e) {
      opened = CompletableFuture.failedFuture(e);
    }
    return onComplete(opened, tried -> {
      if (tried.isFailure()) {
        Throwable e = tried.failed().get();
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
          e = e.getCause();
        }
        if (e instanceof InstanceFiles.UnavailableException) {
          return error(StatusCodes.SERVICE_UNAVAILABLE, e.getMessage());
        }
        return failWith(e);
      }
      return tried.get()
          .map(file -> complete(HttpResponse.create().withEntity(
              HttpEntities.create(DICOM, file.size(), file.bytes()))))
          .orElseGet(() -> error(StatusCodes.NOT_FOUND,
              "no instance " + sopUid + " in study " + studyUid));
    });
  }

  private Route json(StatusCode status, JsonNode body) {
    return complete(status, body, Jackson.marshaller(mapper));
  }

  private Route error(StatusCode status, String message) {
    return HttpErrors.error(status, message);
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> {
          log.atWarn().addKeyValue("event", "http_error").setCause(e).log("HTTP request failed: {}", e.toString());
          return error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        })
        .build();
  }
}
