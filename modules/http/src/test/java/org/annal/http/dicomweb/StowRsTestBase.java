// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Part10;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.http.JupiterRouteTest;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the STOW-RS route tests share: the test files, multipart bodies built byte by byte, and a
 * fake C-STORE handler that records what it was given and answers chosen statuses.
 */
abstract class StowRsTestBase extends JupiterRouteTest {
  static final Path DATA = Path.of("/work/shared/testdata/dicom");
  static final String BASE = "http://pacs.example:8080/dicom-web";
  static final String BOUNDARY = "stow-boundary-7d3";
  static final ContentType RELATED = ContentTypes.parse(
      "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY);
  final ObjectMapper mapper = new ObjectMapper();

  /** What the fake C-STORE handler was given, and how its data set stream ended. */
  record Received(AssociationInfo association, CStoreRq request, String transferSyntaxUid,
      CompletableFuture<byte[]> bytes) {}

  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Status to answer per SOP Instance UID (default success). */
  final Map<String, DimseStatus> statuses = new HashMap<>();

  final CStoreHandler handler = (association, request, ts) -> {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    received.add(new Received(association, request, ts, bytes));
    return Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
        .mapMaterializedValue(all -> all.whenComplete((b, e) -> {
          if (e != null) {
            bytes.completeExceptionally(e);
          } else {
            bytes.complete(b.toArray());
          }
        }).thenApply(b -> statuses.getOrDefault(request.affectedSopInstanceUid(),
            DimseStatus.SUCCESS)));
  };

  @BeforeEach
  void reset() {
    received.clear();
    statuses.clear();
  }

  static byte[] file(String name) throws IOException {
    return Files.readAllBytes(DATA.resolve(name));
  }

  /** The data set: the file minus preamble, "DICM" and the group 0002 its group length spans. */
  static byte[] datasetOf(byte[] file) {
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'U', 'L'}, Arrays.copyOfRange(file, 132, 138));
    int groupLength = (file[140] & 0xFF) | (file[141] & 0xFF) << 8 | (file[142] & 0xFF) << 16
        | (file[143] & 0xFF) << 24;
    return Arrays.copyOfRange(file, 144 + groupLength, file.length);
  }

  static DicomFile parse(byte[] file) throws IOException {
    return Part10.read(new java.io.ByteArrayInputStream(file), file.length);
  }

  /** A multipart/related body; each part is {headers, bytes}. */
  static byte[] body(List<String> partHeaders, List<byte[]> parts, boolean close) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < parts.size(); i++) {
      out.writeBytes(("--" + BOUNDARY + "\r\n" + partHeaders.get(i) + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(parts.get(i));
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    if (close) {
      out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  static byte[] dicomBody(byte[]... parts) {
    List<String> headers = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      headers.add("Content-Type: application/dicom\r\n");
    }
    return body(headers, List.of(parts), true);
  }

  /** The body in chunks of {@code chunk} bytes, as a streamed (not strict) entity. */
  static Source<ByteString, ?> chunked(byte[] body, int chunk) {
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < body.length; i += chunk) {
      chunks.add(ByteString.fromArray(body, i, Math.min(chunk, body.length - i)));
    }
    return Source.from(chunks);
  }

  static HttpRequest post(String path, byte[] body) {
    return HttpRequest.POST(path).withEntity(HttpEntities.create(RELATED, chunked(body, 997)));
  }

  TestRouteResult run(StowRs stow, HttpRequest request) {
    return testRoute(stow.route(BASE)).run(request);
  }

  TestRouteResult run(HttpRequest request) {
    return run(new StowRs(handler, "ANNAL", 10L << 20), request);
  }

  JsonNode json(TestRouteResult result) throws IOException {
    return mapper.readTree(result.entityString());
  }

  static List<JsonNode> items(JsonNode body, String sequence) {
    List<JsonNode> items = new ArrayList<>();
    body.path(sequence).path("Value").forEach(items::add);
    return items;
  }

  static String value(JsonNode item, String tag) {
    JsonNode v = item.path(tag).path("Value");
    return v.isMissingNode() ? null : v.get(0).asText();
  }

  /** Every data set handed to the handler failed: none was ended as if whole. */
  void assertNoDataSetEnded() {
    for (Received r : received) {
      assertThrows(java.util.concurrent.ExecutionException.class,
          () -> r.bytes().get(5, TimeUnit.SECONDS), r.request().affectedSopInstanceUid());
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
