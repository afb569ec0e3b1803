// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code annal history}: a study's journal as an auditor reads it, from a running node's HTTP API
 * ({@code GET /api/studies/{uid}/history}, or the state as of an instant with {@code --as-of}).
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Print a study's history: every event in journal order with its time, type, "
        + "actor, what it did and its hash (each event carries the hash of the one before).",
        "With --as-of, print the study's state replayed from the events up to that instant."})
public final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "STUDY_UID", description = "Study Instance UID")
  String studyUid;

  @Option(names = "--as-of", paramLabel = "INSTANT",
      description = "ISO-8601 instant (2026-11-30T10:00:00Z) or epoch milliseconds: print the "
          + "state as of then (JSON) instead of the history")
  String asOf;

  @Option(names = "--json", description = "Print the history as the API returns it (JSON)")
  boolean json;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "HTTP API of a node of the cluster (default: ${DEFAULT-VALUE})")
  String http;

  private final ObjectMapper mapper = new ObjectMapper();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String path = "/api/studies/" + URLEncoder.encode(studyUid, StandardCharsets.UTF_8)
        + (asOf != null ? "?asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8) : "/history");
    HttpResponse<String> response = get(path);
    if (response.statusCode() != 200) {
      String message = response.body();
      try {
        message = mapper.readTree(response.body()).path("message").asText(message);
      } catch (IOException notJson) {
        // the body as it came
      }
      spec.commandLine().getErr().println("annal history: HTTP " + response.statusCode() + ": "
          + message);
      return response.statusCode() == 404 ? 2 : 1;
    }
    JsonNode body = mapper.readTree(response.body());
    if (json || asOf != null) {
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } else {
      out.print(table(body));
    }
    out.flush();
    return 0;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + http + path))
        .timeout(Duration.ofSeconds(60)).GET().build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("cannot reach the node's HTTP API at " + http + " (--http): " + e, e);
    }
  }

  /** One line per event: sequence number, time, type, actor, what, hash (first 12 digits). */
  static String table(JsonNode history) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%5s  %-24s  %-27s  %-30s  %-40s  %s%n", "seq", "time",
        "type", "actor", "what", "hash"));
    for (JsonNode e : history.path("events")) {
      JsonNode actor = e.path("actor");
      String who = actor.path("callingAeTitle").asText("") + "@"
          + actor.path("peerAddress").asText("");
      String hash = e.path("hash").asText();
      sb.append(String.format(Locale.ROOT, "%5d  %-24s  %-27s  %-30s  %-40s  %s%n",
          e.path("sequenceNr").asLong(), e.path("timestamp").asText(), e.path("type").asText(),
          who, what(e), hash.substring(0, Math.min(12, hash.length()))));
    }
    return sb.toString();
  }

  private static String what(JsonNode e) {
    JsonNode d = e.path("details");
    String type = e.path("type").asText();
    if (type.startsWith("InstanceStored")) {
      return "stored " + d.path("instance").path("sopInstanceUid").asText();
    }
    if (type.startsWith("DuplicateInstanceReceived")) {
      return "duplicate " + d.path("sopInstanceUid").asText() + " " + d.path("resolution").asText();
    }
    if (type.startsWith("StudyAccessed")) {
      JsonNode a = d.path("access");
      // DICOMweb answers the client itself: name the resource it asked for instead.
      String where = a.hasNonNull("destinationAeTitle") ? " to " + a.path("destinationAeTitle").asText()
          : a.hasNonNull("resource") ? " " + a.path("resource").asText() : "";
      return a.path("how").asText() + where + ": "
          + a.path("completed").size() + " sent, " + a.path("failed").size() + " failed, status "
          + a.path("status").asText();
    }
    return "";
  }
}
