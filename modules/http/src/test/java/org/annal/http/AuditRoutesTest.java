// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/audit} through {@link ApiRoutes}: parameters, errors, the XML answer. */
class AuditRoutesTest extends JupiterRouteTest {
  private final ObjectMapper mapper = new ObjectMapper();
  /** Every export the route asked for, as "from|to|limit". */
  private final List<String> asked = new CopyOnWriteArrayList<>();

  private final AuditTrail trail = (from, to, limit) -> {
    asked.add(from + "|" + to + "|" + limit);
    return CompletableFuture.completedFuture(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<AuditMessages from=\"" + from + "\"><AuditMessage/></AuditMessages>")
        .getBytes(StandardCharsets.UTF_8));
  };

  private TestRoute route(AuditTrail audit) {
    return testRoute(new ApiRoutes("node-a", null, null, () -> CompletableFuture.completedFuture(true),
        Duration.ofMillis(300), audit).route());
  }

  @BeforeEach
  void forget() {
    asked.clear();
  }

  private JsonNode json(String body) throws Exception {
    return mapper.readTree(body);
  }

  @Test
  void aWindowIsXmlFromTheTrail() {
    var result = route(trail).run(HttpRequest.GET(
            "/api/audit?from=2026-11-30T10:00:00Z&to=1796040000000&limit=5"))
        .assertStatusCode(200).assertMediaType("application/xml");
    assertEquals("UTF-8", result.response().entity().getContentType().getCharsetOption()
        .get().value());
    assertTrue(result.entityString().contains("<AuditMessages from=\"2026-11-30T10:00:00Z\">"),
        result.entityString());
    assertEquals(List.of("2026-11-30T10:00:00Z|" + Instant.ofEpochMilli(1796040000000L) + "|5"),
        asked);
  }

  @Test
  void limitDefaultsTo1000AndFromMayEqualTo() {
    route(trail).run(HttpRequest.GET("/api/audit?from=1000&to=1000")).assertStatusCode(200);
    assertEquals(List.of("1970-01-01T00:00:01Z|1970-01-01T00:00:01Z|1000"), asked);
  }

  @Test
  void badOrMissingInstantsAre400() throws Exception {
    for (String query : List.of("from=yesterday&to=2026-11-30T10:00:00Z",
        "from=2026-11-30T10:00:00Z&to=2026-13-30T10:00:00Z", "to=2026-11-30T10:00:00Z",
        "from=2026-11-30T10:00:00Z", "")) {
      var result = route(trail).run(HttpRequest.GET("/api/audit?" + query))
          .assertStatusCode(400).assertMediaType("application/json");
      JsonNode body = json(result.entityString());
      assertEquals(400, body.get("status").asInt(), query);
      assertTrue(body.get("message").asText().contains("from")
          || body.get("message").asText().contains("to"), body.toString());
    }
    assertTrue(asked.isEmpty(), "nothing exported for a bad request: " + asked);
  }

  @Test
  void fromAfterToIs400() throws Exception {
    var result = route(trail).run(HttpRequest.GET(
        "/api/audit?from=2026-11-30T10:00:01Z&to=2026-11-30T10:00:00Z")).assertStatusCode(400);
    assertTrue(json(result.entityString()).get("message").asText().contains("is after"),
        result.entityString());
    assertTrue(asked.isEmpty());
  }

  @Test
  void badLimitIs400() {
    for (String limit : List.of("0", "10001", "-3", "many")) {
      route(trail).run(HttpRequest.GET("/api/audit?from=0&to=1&limit=" + limit))
          .assertStatusCode(400);
    }
    assertTrue(asked.isEmpty());
  }

  @Test
  void aFailingTrailIs500AndNoTrailIs503() throws Exception {
    var failed = route((from, to, limit) -> CompletableFuture.failedFuture(
        new IllegalStateException("journal down"))).run(HttpRequest.GET("/api/audit?from=0&to=1"))
        .assertStatusCode(500);
    assertEquals(500, json(failed.entityString()).get("status").asInt());
    route(AuditTrail.NONE).run(HttpRequest.GET("/api/audit?from=0&to=1")).assertStatusCode(503);
    // The four-argument constructor (no trail) keeps working for the routes that do not audit.
    testRoute(new ApiRoutes("node-a", null, null, () -> CompletableFuture.completedFuture(true),
        Duration.ofMillis(300)).route()).run(HttpRequest.GET("/api/audit?from=0&to=1"))
        .assertStatusCode(503);
  }
}
