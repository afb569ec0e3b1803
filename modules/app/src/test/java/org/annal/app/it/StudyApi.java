// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The node's HTTP API as the tests use it: {@code GET /api/health} and
 * {@code GET /api/studies/{uid}}.
 *
 * <p>The JSON is read by field-name patterns rather than a fixed schema (instances as an array of
 * objects or an object keyed by SOP Instance UID; "sha256"; "size"; a placement holding the blob
 * key), so that a renamed field fails with the document in the message instead of a null.
 */
final class StudyApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UID_FIELD = Pattern.compile("(?i)(sop_?)?instance_?uid|sopinstanceuid|uid");
  private static final Pattern SHA_FIELD = Pattern.compile("(?i)sha-?256|checksum|digest");
  private static final Pattern SIZE_FIELD = Pattern.compile("(?i)size|length|bytes|sizeBytes");
  private static final Pattern SHA_VALUE = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern BLOB_KEY_VALUE = Pattern.compile("[0-9a-f][0-9a-f-]{7,127}");

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final int port;

  StudyApi(int port) {
    this.port = port;
  }

  /** One instance as the study state lists it. */
  record Instance(String sopInstanceUid, String sha256, String datasetSha256, String transferSyntaxUid, long size,
      List<String> blobKeys, JsonNode json) {}

  /** A study document; {@code listings} counts how often each SOP Instance UID appears in it. */
  record Study(String body, JsonNode json, Map<String, Instance> instances, Map<String, Integer> listings) {}

  record Response(int status, String body) {}

  Response get(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Response health() {
    return get("/api/health");
  }

  Response studyResponse(String studyInstanceUid) {
    return get("/api/studies/" + URLEncoder.encode(studyInstanceUid, StandardCharsets.UTF_8));
  }

  /** The study; fails unless the answer is 200 with a JSON body. */
  Study study(String studyInstanceUid) {
    Response response = studyResponse(studyInstanceUid);
    if (response.status() != 200) {
      throw new AssertionError("GET /api/studies/" + studyInstanceUid + " answered " + response.status()
          + ": " + abbreviate(response.body()));
    }
    return parse(response.body());
  }

  static Study parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("study document is not JSON: " + abbreviate(body), e);
    }
    JsonNode instances = findField(root, "instances");
    if (instances == null) {
      throw new AssertionError("no \"instances\" in the study document: " + abbreviate(body));
    }
    Map<String, Instance> byUid = new LinkedHashMap<>();
    Map<String, Integer> listings = new LinkedHashMap<>();
    if (instances.isArray()) {
      for (JsonNode element : instances) {
        String uid = textField(element, UID_FIELD);
        if (uid == null) {
          throw new AssertionError("instance without a SOP Instance UID field: " + element);
        }
        byUid.put(uid, instance(uid, element));
        listings.merge(uid, 1, Integer::sum);
      }
    } else if (instances.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = instances.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        byUid.put(entry.getKey(), instance(entry.getKey(), entry.getValue()));
        listings.merge(entry.getKey(), 1, Integer::sum);
      }
    } else {
      throw new AssertionError("\"instances\" is neither an array nor an object: " + abbreviate(body));
    }
    return new Study(body, root, byUid, listings);
  }

  private static Instance instance(String uid, JsonNode node) {
    String sha = findValue(node, SHA_FIELD, SHA_VALUE);
    JsonNode sizeNode = findNumber(node, SIZE_FIELD);
    List<String> keys = new ArrayList<>();
    // Study.Instance: "placements": [{"nodeId", "site", "tier", "blobKey"}]; else any key-like value.
    JsonNode placements = node.get("placements");
    if (placements != null && placements.isArray()) {
      for (JsonNode placement : placements) {
        if (placement.hasNonNull("blobKey")) {
          keys.add(placement.get("blobKey").asText());
        }
      }
    }
    if (keys.isEmpty()) {
      collectBlobKeys(node, sha, keys);
    }
    return new Instance(uid, sha == null ? null : sha.toLowerCase(), text(node, "datasetSha256"),
        text(node, "transferSyntaxUid"), sizeNode == null ? -1 : sizeNode.asLong(), keys, node);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** First field named {@code name} (case-insensitive), depth first. */
  private static JsonNode findField(JsonNode node, String name) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (entry.getKey().equalsIgnoreCase(name)) {
          return entry.getValue();
        }
      }
      for (JsonNode child : node) {
        JsonNode found = findField(child, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static String textField(JsonNode node, Pattern name) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (name.matcher(entry.getKey()).matches() && entry.getValue().isTextual()) {
        return entry.getValue().asText();
      }
    }
    return null;
  }

  private static String findValue(JsonNode node, Pattern name, Pattern value) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (name.matcher(entry.getKey()).matches() && entry.getValue().isTextual()
            && value.matcher(entry.getValue().asText()).matches()) {
          return entry.getValue().asText();
        }
      }
    }
    for (JsonNode child : node) {
      String found = findValue(child, name, value);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static JsonNode findNumber(JsonNode node, Pattern name) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (name.matcher(entry.getKey()).matches() && entry.getValue().isNumber()) {
          return entry.getValue();
        }
      }
    }
    for (JsonNode child : node) {
      JsonNode found = findNumber(child, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static void collectBlobKeys(JsonNode node, String sha, List<String> keys) {
    if (node.isTextual()) {
      String text = node.asText();
      if (BLOB_KEY_VALUE.matcher(text).matches() && !text.equalsIgnoreCase(sha)) {
        keys.add(text);
      }
      return;
    }
    for (JsonNode child : node) {
      collectBlobKeys(child, sha, keys);
    }
  }

  static String abbreviate(String text) {
    return text.length() <= 4000 ? text : text.substring(0, 4000) + "... (" + text.length() + " chars)";
  }
}
