// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiRoutesTest extends JupiterRouteTest {
  private static final String KNOWN = "1.2.826.0.1.3680043.8.1055.1.20111103111148288.98361414.79379639";
  private final ObjectMapper mapper = new ObjectMapper();
  private final List<String> lookedUp = new CopyOnWriteArrayList<>();

  private final List<Instant> asOfs = new CopyOnWriteArrayList<>();

  private final StudyLookup studies = new StudyLookup() {
    @Override
    public CompletionStage<Optional<JsonNode>> find(String uid) {
      lookedUp.add(uid);
      if (uid.equals(KNOWN)) {
        JsonNode state = mapper.valueToTree(Map.of(
            "studyInstanceUid", KNOWN, "eventCount", 2,
            "patient", Map.of("PatientID", "P1"),
            "instances", Map.of("1.2.3", Map.of("sha256", "ab12", "size", 100))));
        return CompletableFuture.completedFuture(Optional.of(state));
      }
      if (uid.equals("9.9.9")) {
        return CompletableFuture.failedFuture(new IllegalStateException("journal down"));
      }
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Optional<JsonNode>> findAsOf(String uid, Instant asOf) {
      lookedUp.add(uid);
      asOfs.add(asOf);
      return CompletableFuture.completedFuture(uid.equals(KNOWN)
          ? Optional.of(mapper.valueToTree(Map.of("studyInstanceUid", KNOWN, "eventCount", 1)))
          : Optional.empty());
    }

    @Override
    public CompletionStage<JsonNode> changes(String after, int limit) {
      if ("bad".equals(after)) {
        throw new IllegalArgumentException("not an offset of this feed: bad");
      }
      return CompletableFuture.completedFuture(mapper.valueToTree(Map.of("changes", List.of(),
          "next", after == null ? "" : after, "limit", limit)));
    }

    @Override
    public CompletionStage<Optional<JsonNode>> history(String uid) {
      lookedUp.add(uid);
      return CompletableFuture.completedFuture(uid.equals(KNOWN)
          ? Optional.of(mapper.valueToTree(Map.of("studyInstanceUid", KNOWN, "events",
              List.of(Map.of("sequenceNr", 1, "type", "InstanceStored/1")))))
          : Optional.empty());
    }
  };

  private final InstanceFiles instances = (study, sop) -> {
    if (sop.equals("1.2.3")) {
      byte[] file = "DICM-bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      return CompletableFuture.completedFuture(Optional.of(new InstanceFiles.InstanceFile(
          file.length, org.apache.pekko.stream.javadsl.Source.single(
              org.apache.pekko.util.ByteString.fromArray(file)), "node-a")));
    }
    if (sop.equals("1.2.4")) {
      return CompletableFuture.failedFuture(new InstanceFiles.UnavailableException(
          "instance 1.2.4 is stored on node node-b (not a reachable cluster member now)"));
    }
    return CompletableFuture.completedFuture(Optional.empty());
  };

  @BeforeEach
  void forget() {
    lookedUp.clear();
  }

  private TestRoute route(HealthProbe health) {
    return testRoute(new ApiRoutes("node-a", studies, instances, health, Duration.ofMillis(300)).route());
  }

  private JsonNode json(String body) throws Exception {
    return mapper.readTree(body);
  }

  @Test
  void healthIsUpWhenTheJournalAnswers() throws Exception {
    var result = route(() -> CompletableFuture.completedFuture(true)).run(HttpRequest.GET("/api/health"))
        .assertStatusCode(200).assertMediaType("application/json");
    JsonNode body = json(result.entityString());
    assertEquals("UP", body.get("status").asText());
    assertEquals("node-a", body.get("node").asText());
    assertEquals("UP", body.get("cassandra").asText());
  }

  @Test
  void healthIs503WhenTheJournalSaysNo() throws Exception {
    var result = route(() -> CompletableFuture.completedFuture(false)).run(HttpRequest.GET("/api/health"))
        .assertStatusCode(503);
    assertEquals("DOWN", json(result.entityString()).get("cassandra").asText());
  }

  @Test
  void healthIs503WhenTheProbeFails() throws Exception {
    var result = route(() -> CompletableFuture.failedFuture(new RuntimeException("no host")))
        .run(HttpRequest.GET("/api/health")).assertStatusCode(503);
    assertEquals("DOWN", json(result.entityString()).get("status").asText());
  }

  @Test
  void healthIs503WhenTheProbeNeverAnswers() {
    route(CompletableFuture::new).run(HttpRequest.GET("/api/health")).assertStatusCode(503);
  }

  @Test
  void healthIs503WhenTheProbeThrows() {
    route(() -> {
      throw new IllegalStateException("session closed");
    }).run(HttpRequest.GET("/api/health")).assertStatusCode(503);
  }

  @Test
  void knownStudyIsReturnedAsJson() throws Exception {
    var result = route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.GET("/api/studies/" + KNOWN)).assertStatusCode(200)
        .assertMediaType("application/json");
    JsonNode body = json(result.entityString());
    assertEquals(KNOWN, body.get("studyInstanceUid").asText());
    assertEquals(2, body.get("eventCount").asInt());
    assertEquals("ab12", body.at("/instances/1.2.3/sha256").asText());
  }

  @Test
  void historyAndAsOfOfAKnownStudy() throws Exception {
    var ok = route(() -> CompletableFuture.completedFuture(true));
    JsonNode history = json(ok.run(HttpRequest.GET("/api/studies/" + KNOWN + "/history"))
        .assertStatusCode(200).assertMediaType("application/json").entityString());
    assertEquals("InstanceStored/1", history.at("/events/0/type").asText());
    ok.run(HttpRequest.GET("/api/studies/1.2.3.4/history")).assertStatusCode(404);
    ok.run(HttpRequest.GET("/api/studies/abc/history")).assertStatusCode(400);

    JsonNode asOf = json(ok.run(HttpRequest.GET("/api/studies/" + KNOWN
        + "?asOf=2026-11-30T10:00:00Z")).assertStatusCode(200).entityString());
    assertEquals(1, asOf.get("eventCount").asInt());
    ok.run(HttpRequest.GET("/api/studies/" + KNOWN + "?asOf=1764496800000"))
        .assertStatusCode(200);
    assertEquals(List.of(Instant.parse("2026-11-30T10:00:00Z"),
        Instant.ofEpochMilli(1764496800000L)), asOfs);
    JsonNode bad = json(ok.run(HttpRequest.GET("/api/studies/" + KNOWN + "?asOf=yesterday"))
        .assertStatusCode(400).entityString());
    assertTrue(bad.get("message").asText().contains("ISO-8601"), bad.toString());
    ok.run(HttpRequest.GET("/api/studies/1.2.3.4?asOf=0")).assertStatusCode(404);
  }

  @Test
  void changeFeedPagesAndRefusesBadParameters() throws Exception {
    var ok = route(() -> CompletableFuture.completedFuture(true));
    JsonNode first = json(ok.run(HttpRequest.GET("/api/changes")).assertStatusCode(200)
        .entityString());
    assertEquals(100, first.get("limit").asInt());
    JsonNode page = json(ok.run(HttpRequest.GET("/api/changes?after=42&limit=7"))
        .assertStatusCode(200).entityString());
    assertEquals("42", page.get("next").asText());
    assertEquals(7, page.get("limit").asInt());
    for (String bad : List.of("limit=0", "limit=1001", "limit=x", "after=bad")) {
      ok.run(HttpRequest.GET("/api/changes?" + bad)).assertStatusCode(400);
    }
  }

  @Test
  void unknownStudyIs404WithJsonMessage() throws Exception {
    var result = route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.GET("/api/studies/1.2.3.4")).assertStatusCode(404)
        .assertMediaType("application/json");
    JsonNode body = json(result.entityString());
    assertEquals(404, body.get("status").asInt());
    assertTrue(body.get("message").asText().contains("1.2.3.4"), body.toString());
  }

  @Test
  void malformedUidIs400AndIsNeverLookedUp() throws Exception {
    for (String bad : List.of("abc", "1..2", "1.2.", ".1.2", "1.2.3a", "1.2." + "3".repeat(70))) {
      var result = route(() -> CompletableFuture.completedFuture(true))
          .run(HttpRequest.GET("/api/studies/" + bad)).assertStatusCode(400)
          .assertMediaType("application/json");
      assertEquals(400, json(result.entityString()).get("status").asInt());
    }
    assertEquals(List.of(), lookedUp);
  }

  @Test
  void failingLookupIs500WithJson() throws Exception {
    var result = route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.GET("/api/studies/9.9.9")).assertStatusCode(500)
        .assertMediaType("application/json");
    assertEquals(500, json(result.entityString()).get("status").asInt());
  }

  @Test
  void unknownPathAndMethodAreJsonErrors() throws Exception {
    var notFound = route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.GET("/api/nothing")).assertStatusCode(404).assertMediaType("application/json");
    assertEquals(404, json(notFound.entityString()).get("status").asInt());
    route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.DELETE("/api/studies/" + KNOWN)).assertStatusCode(405)
        .assertMediaType("application/json");
    assertEquals(List.of(), lookedUp);
  }

  @Test
  void instanceFileIsServedAsApplicationDicomWithItsLength() {
    var result = route(() -> CompletableFuture.completedFuture(true))
        .run(HttpRequest.GET("/api/studies/1.2/instances/1.2.3"))
        .assertStatusCode(200).assertMediaType("application/dicom");
    assertEquals("DICM-bytes", result.entityString());
    assertEquals(10L, result.response().entity().getContentLengthOption().getAsLong());
  }

  @Test
  void unknownInstanceIs404AndUnavailableNodeIs503NamingIt() throws Exception {
    var route = route(() -> CompletableFuture.completedFuture(true));
    var missing = route.run(HttpRequest.GET("/api/studies/1.2/instances/1.2.9"))
        .assertStatusCode(404).assertMediaType("application/json");
    assertTrue(json(missing.entityString()).get("message").asText().contains("1.2.9"));
    var down = route.run(HttpRequest.GET("/api/studies/1.2/instances/1.2.4"))
        .assertStatusCode(503).assertMediaType("application/json");
    assertTrue(json(down.entityString()).get("message").asText().contains("node-b"));
    route.run(HttpRequest.GET("/api/studies/1.2/instances/x..y")).assertStatusCode(400);
  }
}
