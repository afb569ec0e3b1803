// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.http.JupiterRouteTest;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StowRsTest extends JupiterRouteTest {
  private static final Path DATA = Path.of("/work/shared/testdata/dicom");
  private static final String BASE = "http://pacs.example:8080/dicom-web";
  private static final String BOUNDARY = "stow-boundary-7d3";
  private static final ContentType RELATED = ContentTypes.parse(
      "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY);
  private final ObjectMapper mapper = new ObjectMapper();

  /** What the fake C-STORE handler was given, and how its data set stream ended. */
  record Received(AssociationInfo association, CStoreRq request, String transferSyntaxUid,
      CompletableFuture<byte[]> bytes) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** Status to answer per SOP Instance UID (default success). */
  private final Map<String, DimseStatus> statuses = new HashMap<>();

  private final CStoreHandler handler = (association, request, ts) -> {
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

  // --- helpers ---

  private static byte[] file(String name) throws IOException {
    return Files.readAllBytes(DATA.resolve(name));
  }

  /** The data set: the file minus preamble, "DICM" and the group 0002 its group length spans. */
  private static byte[] datasetOf(byte[] file) {
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'U', 'L'}, Arrays.copyOfRange(file, 132, 138));
    int groupLength = (file[140] & 0xFF) | (file[141] & 0xFF) << 8 | (file[142] & 0xFF) << 16
        | (file[143] & 0xFF) << 24;
    return Arrays.copyOfRange(file, 144 + groupLength, file.length);
  }

  private static DicomFile parse(byte[] file) throws IOException {
    return Part10.read(new java.io.ByteArrayInputStream(file), file.length);
  }

  /** A multipart/related body; each part is {headers, bytes}. */
  private static byte[] body(List<String> partHeaders, List<byte[]> parts, boolean close) {
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

  private static byte[] dicomBody(byte[]... parts) {
    List<String> headers = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      headers.add("Content-Type: application/dicom\r\n");
    }
    return body(headers, List.of(parts), true);
  }

  /** The body in chunks of {@code chunk} bytes, as a streamed (not strict) entity. */
  private static Source<ByteString, ?> chunked(byte[] body, int chunk) {
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < body.length; i += chunk) {
      chunks.add(ByteString.fromArray(body, i, Math.min(chunk, body.length - i)));
    }
    return Source.from(chunks);
  }

  private static HttpRequest post(String path, byte[] body) {
    return HttpRequest.POST(path).withEntity(HttpEntities.create(RELATED, chunked(body, 997)));
  }

  private TestRouteResult run(StowRs stow, HttpRequest request) {
    return testRoute(stow.route(BASE)).run(request);
  }

  private TestRouteResult run(HttpRequest request) {
    return run(new StowRs(handler, "ANNAL", 10L << 20), request);
  }

  private JsonNode json(TestRouteResult result) throws IOException {
    return mapper.readTree(result.entityString());
  }

  private static List<JsonNode> items(JsonNode body, String sequence) {
    List<JsonNode> items = new ArrayList<>();
    body.path(sequence).path("Value").forEach(items::add);
    return items;
  }

  private static String value(JsonNode item, String tag) {
    JsonNode v = item.path(tag).path("Value");
    return v.isMissingNode() ? null : v.get(0).asText();
  }

  // --- tests ---

  @Test
  void storesEveryInstanceWithExactlyTheDataSetBytesOfItsFile() throws Exception {
    List<String> names = List.of("CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm",
        "image_dfl.dcm");
    byte[][] files = new byte[names.size()][];
    for (int i = 0; i < files.length; i++) {
      files[i] = file(names.get(i));
    }
    InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51234);
    HttpRequest request = post("/studies", dicomBody(files)).addAttribute(
        AttributeKeys.remoteAddress,
        org.apache.pekko.http.scaladsl.model.RemoteAddress$.MODULE$.apply(client));
    TestRouteResult result = run(request).assertStatusCode(200)
        .assertMediaType("application/dicom+json");

    assertEquals(files.length, received.size());
    String associationId = received.get(0).association().associationId();
    assertTrue(associationId.startsWith("stow-"), associationId);
    JsonNode body = json(result);
    List<JsonNode> referenced = items(body, "00081199");
    assertEquals(files.length, referenced.size());
    assertTrue(body.path("00081198").isMissingNode(), body.toString());
    for (int i = 0; i < files.length; i++) {
      Received r = received.get(i);
      DicomFile dicom = parse(files[i]);
      assertArrayEquals(datasetOf(files[i]), r.bytes().get(5, TimeUnit.SECONDS), names.get(i));
      assertEquals(dicom.transferSyntaxUid(), r.transferSyntaxUid());
      String sopClass = dicom.fileMetaInformation().getString(Tag.MediaStorageSOPClassUID);
      String sopInstance = dicom.fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
      assertEquals(sopClass, r.request().affectedSopClassUid());
      assertEquals(sopInstance, r.request().affectedSopInstanceUid());
      assertEquals(i + 1, r.request().messageId());
      assertEquals(associationId, r.association().associationId());
      assertEquals("STOW-RS", r.association().callingAeTitle());
      assertEquals("ANNAL", r.association().calledAeTitle());
      assertEquals(client, r.association().peerAddress());

      JsonNode item = referenced.get(i);
      assertEquals(sopClass, value(item, "00081150"));
      assertEquals(sopInstance, value(item, "00081155"));
      assertEquals("UR", item.path("00081190").path("vr").asText());
      assertEquals(BASE + "/studies/" + dicom.dataset().getString(Tag.StudyInstanceUID)
          + "/series/" + dicom.dataset().getString(Tag.SeriesInstanceUID) + "/instances/"
          + sopInstance, value(item, "00081190"));
      assertTrue(item.path("00081196").isMissingNode(), item.toString());
    }
    // Several studies: the study Retrieve URL has no value.
    assertEquals("UR", body.path("00081190").path("vr").asText());
    assertNull(value(body, "00081190"));
  }

  @Test
  void strictEntityAndUnquotedOrMissingTypeParameterAreAccepted() throws Exception {
    byte[] ct = file("CT_small.dcm");
    String study = parse(ct).dataset().getString(Tag.StudyInstanceUID);
    // Unquoted type=application/dicom is no valid header ('/' is not a token character, RFC
    // 9110 §5.6.2): pekko-http does not parse it as a Content-Type.
    for (String type : List.of("type=\"application/dicom\"; ", "type=\"Application/DICOM\"; ",
        "")) {
      received.clear();
      ContentType contentType = ContentTypes.parse("multipart/related; " + type + "boundary="
          + BOUNDARY);
      JsonNode body = json(run(HttpRequest.POST("/studies")
          .withEntity(HttpEntities.create(contentType, dicomBody(ct))))
          .assertStatusCode(200));
      assertEquals(1, received.size(), type);
      assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
      assertEquals(BASE + "/studies/" + study, value(body, "00081190"), type);
    }
  }

  @Test
  void warningStatusIsStoredWithWarningReasonAnd202() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    String mrSop = parse(mr).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    statuses.put(mrSop, DimseStatus.of(0xB000, "duplicate with other bytes"));
    JsonNode body = json(run(post("/studies", dicomBody(ct, mr))).assertStatusCode(202));
    List<JsonNode> referenced = items(body, "00081199");
    assertEquals(2, referenced.size());
    assertTrue(referenced.get(0).path("00081196").isMissingNode());
    assertEquals("US", referenced.get(1).path("00081196").path("vr").asText());
    assertEquals(0xB000, referenced.get(1).path("00081196").path("Value").get(0).asInt());
    assertTrue(body.path("00081198").isMissingNode());
  }

  @Test
  void handlerFailuresAre202WhenSomeStoredAnd409WhenNone() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    DicomFile ctFile = parse(ct);
    String ctSop = ctFile.fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    statuses.put(ctSop, DimseStatus.of(0xA900, "SOP Instance UID differs"));
    JsonNode some = json(run(post("/studies", dicomBody(ct, mr))).assertStatusCode(202));
    List<JsonNode> failed = items(some, "00081198");
    assertEquals(1, failed.size());
    assertEquals(ctSop, value(failed.get(0), "00081155"));
    assertEquals(ctFile.fileMetaInformation().getString(Tag.MediaStorageSOPClassUID),
        value(failed.get(0), "00081150"));
    assertEquals(0xA900, failed.get(0).path("00081197").path("Value").get(0).asInt());
    assertEquals("US", failed.get(0).path("00081197").path("vr").asText());
    assertTrue(failed.get(0).path("00081190").isMissingNode());
    assertEquals(1, items(some, "00081199").size());
    // Only the stored instance's study counts for the study Retrieve URL.
    assertEquals(BASE + "/studies/" + parse(mr).dataset().getString(Tag.StudyInstanceUID),
        value(some, "00081190"));

    JsonNode none = json(run(post("/studies", dicomBody(ct))).assertStatusCode(409)
        .assertMediaType("application/dicom+json"));
    assertEquals(1, items(none, "00081198").size());
    assertTrue(none.path("00081199").isMissingNode());
  }

  @Test
  void instanceOfAnotherStudyIsRefusedBeforeStoring() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    String ctStudy = parse(ct).dataset().getString(Tag.StudyInstanceUID);
    String mrSop = parse(mr).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    JsonNode body = json(run(post("/studies/" + ctStudy, dicomBody(mr, ct)))
        .assertStatusCode(202));
    assertEquals(1, received.size(), "the MR instance must never reach the handler");
    assertEquals(parse(ct).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID),
        received.get(0).request().affectedSopInstanceUid());
    List<JsonNode> failed = items(body, "00081198");
    assertEquals(1, failed.size());
    assertEquals(mrSop, value(failed.get(0), "00081155"));
    assertEquals(0xA901, failed.get(0).path("00081197").path("Value").get(0).asInt());
    assertEquals(BASE + "/studies/" + ctStudy, value(body, "00081190"));

    received.clear();
    JsonNode none = json(run(post("/studies/1.2.3.4", dicomBody(ct))).assertStatusCode(409));
    assertEquals(0xA901, items(none, "00081198").get(0).path("00081197").path("Value").get(0)
        .asInt());
    assertEquals(BASE + "/studies/1.2.3.4", value(none, "00081190"));
    assertEquals(List.of(), received);
  }

  @Test
  void partsThatAreNotPs310FilesFailAloneWithCannotUnderstand() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] noMeta = file("no_meta.dcm");
    byte[] text = "hello, not DICOM".getBytes(StandardCharsets.US_ASCII);
    byte[] fakeDicm = Arrays.copyOf(ct, 200); // "DICM" then group 0002 cut short
    byte[] badVr = ct.clone();
    badVr[136] = 'z';
    badVr[137] = 'z'; // the VR of (0002,0000)
    byte[] noInstanceUid = concat(FileMetaInformation.of(
        parse(ct).fileMetaInformation().getString(Tag.MediaStorageSOPClassUID), "",
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, null).encode(), datasetOf(ct));
    JsonNode body = json(run(post("/studies",
        dicomBody(noMeta, text, ct, fakeDicm, badVr, new byte[0], noInstanceUid)))
        .assertStatusCode(202));
    assertEquals(1, received.size());
    assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
    List<JsonNode> failed = items(body, "00081198");
    assertEquals(6, failed.size(), body.toString());
    for (JsonNode item : failed) {
      assertEquals(0xC000, item.path("00081197").path("Value").get(0).asInt(), item.toString());
    }
    assertTrue(failed.get(0).path("00081155").isMissingNode(), "no_meta names no instance");
    assertEquals(parse(ct).fileMetaInformation().getString(Tag.MediaStorageSOPClassUID),
        value(failed.get(5), "00081150"));
    assertEquals(1, items(body, "00081199").size());
  }

  @Test
  void partWithAnotherContentTypeFailsAndOneWithoutIsReadAsDicom() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    byte[] body = body(List.of("Content-Type: application/octet-stream\r\n", ""),
        List.of(ct, mr), true);
    JsonNode answer = json(run(post("/studies", body)).assertStatusCode(202));
    assertEquals(1, received.size());
    assertEquals(parse(mr).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID),
        received.get(0).request().affectedSopInstanceUid());
    assertEquals(0xC000, items(answer, "00081198").get(0).path("00081197").path("Value").get(0)
        .asInt());
  }

  @Test
  void partAboveTheSizeLimitFailsWithA700WhileOthersAreStored() throws Exception {
    byte[] ct = file("CT_small.dcm"); // 39,206 bytes
    byte[] mr = file("MR_small.dcm"); // 9,830 bytes
    StowRs stow = new StowRs(handler, "ANNAL", 20_000);
    JsonNode body = json(run(stow, post("/studies", dicomBody(ct, mr))).assertStatusCode(202));
    assertEquals(1, received.size(), "refused within its head: never handed over");
    assertEquals(0xA700, items(body, "00081198").get(0).path("00081197").path("Value").get(0)
        .asInt());
    assertEquals(1, items(body, "00081199").size());

    received.clear();
    run(stow, post("/studies", dicomBody(ct))).assertStatusCode(413)
        .assertMediaType("application/dicom+json");
  }

  @Test
  void limitCrossedWhileStreamingFailsTheHandlersStream() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    // A 1 KiB head: CT is handed over, then crosses the 20,000-byte limit mid-stream.
    StowRs stow = new StowRs(handler, "ANNAL", 20_000, 1024);
    JsonNode body = json(run(stow, post("/studies", dicomBody(ct, mr))).assertStatusCode(202));
    assertEquals(2, received.size());
    assertTrue(received.get(0).bytes().isCompletedExceptionally(),
        "the handler must see the oversized data set fail, never end");
    assertArrayEquals(datasetOf(mr), received.get(1).bytes().get(5, TimeUnit.SECONDS));
    List<JsonNode> failed = items(body, "00081198");
    assertEquals(1, failed.size());
    assertEquals(0xA700, failed.get(0).path("00081197").path("Value").get(0).asInt());
    assertEquals(parse(ct).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID),
        value(failed.get(0), "00081155"));
  }

  @Test
  void studyIsCheckedFromAHeadCutInsideAnElement() throws Exception {
    byte[] ct = file("CT_small.dcm");
    DicomFile dicom = parse(ct);
    String study = dicom.dataset().getString(Tag.StudyInstanceUID);
    // 4 KiB of the data set hold (0020,000D) and (0020,000E) (at ~1,900); the cut falls inside
    // an element.
    StowRs stow = new StowRs(handler, "ANNAL", 10L << 20, 4096);
    JsonNode body = json(run(stow, post("/studies/" + study, dicomBody(ct)))
        .assertStatusCode(200));
    assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
    assertEquals(BASE + "/studies/" + study + "/series/"
        + dicom.dataset().getString(Tag.SeriesInstanceUID) + "/instances/"
        + received.get(0).request().affectedSopInstanceUid(),
        value(items(body, "00081199").get(0), "00081190"));
    received.clear();
    json(run(stow, post("/studies/1.2.3", dicomBody(ct))).assertStatusCode(409));
    assertEquals(List.of(), received);
  }

  @Test
  void studyBeyondTheHeadCannotBeCheckedButIsStoredWithoutUrlOnStudies() throws Exception {
    byte[] ct = file("CT_small.dcm");
    String study = parse(ct).dataset().getString(Tag.StudyInstanceUID);
    StowRs stow = new StowRs(handler, "ANNAL", 10L << 20, 64);
    JsonNode refused = json(run(stow, post("/studies/" + study, dicomBody(ct)))
        .assertStatusCode(409));
    assertEquals(0xC000, items(refused, "00081198").get(0).path("00081197").path("Value").get(0)
        .asInt());
    assertEquals(List.of(), received);

    JsonNode stored = json(run(stow, post("/studies", dicomBody(ct))).assertStatusCode(200));
    assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
    JsonNode item = items(stored, "00081199").get(0);
    assertEquals("UR", item.path("00081190").path("vr").asText());
    assertNull(value(item, "00081190"), "series not known: no instance URL");
  }

  @Test
  void handlerThatStopsEarlyOrThrowsDoesNotStallTheNextParts() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    byte[] dfl = file("image_dfl.dcm");
    String ctSop = parse(ct).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    String mrSop = parse(mr).fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    CStoreHandler picky = (association, request, ts) -> {
      if (request.affectedSopInstanceUid().equals(ctSop)) {
        // Takes one chunk, then cancels: the rest of the part must be drained by STOW-RS.
        return Sink.<ByteString>head().mapMaterializedValue(first -> first.thenApply(
            b -> DimseStatus.of(0xC000, "refused early")));
      }
      if (request.affectedSopInstanceUid().equals(mrSop)) {
        throw new IllegalStateException("handler bug");
      }
      return handler.onCStore(association, request, ts);
    };
    JsonNode body = json(run(new StowRs(picky, "ANNAL", 10L << 20),
        post("/studies", dicomBody(ct, mr, dfl))).assertStatusCode(202));
    List<JsonNode> failed = items(body, "00081198");
    assertEquals(2, failed.size());
    assertEquals(0xC000, failed.get(0).path("00081197").path("Value").get(0).asInt());
    assertEquals(0xA700, failed.get(1).path("00081197").path("Value").get(0).asInt());
    assertEquals(1, received.size());
    assertArrayEquals(datasetOf(dfl), received.get(0).bytes().get(5, TimeUnit.SECONDS));
  }

  @Test
  void otherContentTypesAre415() throws Exception {
    byte[] ct = file("CT_small.dcm");
    JsonNode metadata = json(run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("multipart/related; type=\"application/dicom+json\"; boundary=b"),
        ascii("--b--"))))
        .assertStatusCode(415).assertMediaType("application/json"));
    assertTrue(metadata.get("message").asText().contains("not supported"), metadata.toString());
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("multipart/related; type=\"application/dicom+xml\"; boundary=b"),
        ascii("--b--")))).assertStatusCode(415);
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("multipart/related; type=\"image/jpeg\"; boundary=b"),
        ascii("--b--")))).assertStatusCode(415);
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("application/dicom"), ct))).assertStatusCode(415);
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("multipart/form-data; boundary=" + BOUNDARY), dicomBody(ct))))
        .assertStatusCode(415);
    run(HttpRequest.POST("/studies").withEntity(ContentTypes.APPLICATION_JSON, "{}"))
        .assertStatusCode(415);
    assertEquals(List.of(), received);
  }

  @Test
  void malformedBodiesAndPathsAre400() throws Exception {
    byte[] ct = file("CT_small.dcm");
    // No closing delimiter, streamed: the part fails in the handler, nothing is stored.
    // pekko-http ends the part's bytes normally, then fails the parts: the end is not passed on.
    // With the whole part in the head it never reaches the handler; with a smaller head the
    // handler's stream fails.
    run(post("/studies", body(List.of("Content-Type: application/dicom\r\n"), List.of(ct),
        false))).assertStatusCode(400);
    assertEquals(List.of(), received);
    run(new StowRs(handler, "ANNAL", 10L << 20, 1024), post("/studies", body(
        List.of("Content-Type: application/dicom\r\n"), List.of(ct), false)))
        .assertStatusCode(400);
    assertEquals(1, received.size());
    assertNoDataSetEnded();
    // The same, strict.
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(RELATED, body(
        List.of("Content-Type: application/dicom\r\n"), List.of(ct), false))))
        .assertStatusCode(400);
    // Garbage instead of multipart, a boundary missing, no part at all.
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(RELATED,
        ascii("this is not multipart")))).assertStatusCode(400).assertMediaType("application/json");
    run(HttpRequest.POST("/studies").withEntity(HttpEntities.create(
        ContentTypes.parse("multipart/related; type=\"application/dicom\""), dicomBody(ct))))
        .assertStatusCode(400);
    run(post("/studies", ("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII)))
        .assertStatusCode(400);
    run(post("/studies/1..2", dicomBody(ct))).assertStatusCode(400);
  }

  @Test
  void partsReachTheHandlerOneAtATimeInOrder() throws Exception {
    List<String> names = List.of("MR_small.dcm", "CT_small.dcm", "image_dfl.dcm",
        "MR_small_bigendian.dcm", "MR_small_implicit.dcm");
    byte[][] files = new byte[names.size()][];
    for (int i = 0; i < files.length; i++) {
      files[i] = file(names.get(i));
    }
    java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();
    CStoreHandler slow = (association, request, ts) -> {
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      // The outcome comes 50 ms after the data set has ended, as a journal write would.
      return handler.onCStore(association, request, ts).mapMaterializedValue(status -> status
          .thenCompose(s -> CompletableFuture.supplyAsync(() -> s,
              CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)))
          .whenComplete((s, e) -> open.decrementAndGet()));
    };
    run(new StowRs(slow, "ANNAL", 10L << 20, 1024), post("/studies", dicomBody(files)))
        .assertStatusCode(200);
    assertEquals(1, mostOpen.get());
    assertEquals(files.length, received.size());
    for (int i = 0; i < files.length; i++) {
      assertArrayEquals(datasetOf(files[i]), received.get(i).bytes().get(5, TimeUnit.SECONDS),
          names.get(i));
    }
  }

  @Test
  void bodyCutAfterAStoredPartIs202ListingOnlyWhatWasStored() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    // CT whole and delimited, then MR without its closing delimiter.
    byte[] body = body(List.of("Content-Type: application/dicom\r\n",
        "Content-Type: application/dicom\r\n"), List.of(ct, mr), false);
    JsonNode answer = json(run(post("/studies", body)).assertStatusCode(202));
    List<JsonNode> referenced = items(answer, "00081199");
    assertEquals(1, referenced.size(), answer.toString());
    assertEquals(received.get(0).request().affectedSopInstanceUid(),
        value(referenced.get(0), "00081155"));
    assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
    assertTrue(answer.path("00081198").isMissingNode(), "MR's outcome is unknown, not failed");
    for (Received r : received.subList(1, received.size())) {
      assertThrows(java.util.concurrent.ExecutionException.class,
          () -> r.bytes().get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void clientGoneMidPartFailsThatStoreAndNothingIsReported() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] whole = dicomBody(ct);
    // The connection drops a while after 20,000 bytes (a failure overtakes the bytes still
    // buffered in the stages before it, so without the delay no part would start at all).
    CompletableFuture<ByteString> reset = CompletableFuture.supplyAsync(() -> {
      throw new java.util.concurrent.CompletionException(
          new IOException("connection reset by peer"));
    }, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
    Source<ByteString, ?> cut = chunked(Arrays.copyOf(whole, 20_000), 997)
        .concat(Source.completionStage(reset));
    // A 1 KiB head: the part is handed over before the cut.
    TestRouteResult result = run(new StowRs(handler, "ANNAL", 10L << 20, 1024),
        HttpRequest.POST("/studies").withEntity(HttpEntities.create(RELATED, cut)));
    int status = result.response().status().intValue(); // waits for the answer
    assertEquals(1, received.size());
    assertNoDataSetEnded();
    assertTrue(status >= 400, result.response().toString());
    assertFalse(result.entityString().contains("00081199"), result.entityString());
  }

  @Test
  void acceptHeaderChoosesTheAnswerTypeOr406() throws Exception {
    byte[] mr = file("MR_small.dcm");
    run(post("/studies", dicomBody(mr)).addHeader(HttpHeader.parse("Accept", "application/json")))
        .assertStatusCode(200).assertMediaType("application/json");
    run(post("/studies", dicomBody(mr)).addHeader(HttpHeader.parse("Accept", "*/*")))
        .assertStatusCode(200).assertMediaType("application/dicom+json");
    run(post("/studies", dicomBody(mr)).addHeader(HttpHeader.parse("Accept",
        "application/dicom+xml, application/dicom+json;q=0.5")))
        .assertStatusCode(200).assertMediaType("application/dicom+json");
    received.clear();
    run(post("/studies", dicomBody(mr)).addHeader(HttpHeader.parse("Accept",
        "application/dicom+xml"))).assertStatusCode(406);
    run(post("/studies", dicomBody(mr)).addHeader(HttpHeader.parse("Accept",
        "application/dicom+json;q=0, text/html"))).assertStatusCode(406);
    assertEquals(List.of(), received, "refused before reading the body");
  }

  @Test
  void onlyPostOnStudiesIsRouted() throws Exception {
    byte[] mr = file("MR_small.dcm");
    testRoute(new StowRs(handler, "ANNAL", 1 << 20).route(BASE))
        .run(HttpRequest.GET("/studies")).assertStatusCode(405);
    testRoute(new StowRs(handler, "ANNAL", 1 << 20).route(BASE))
        .run(post("/studies/1.2/series", dicomBody(mr))).assertStatusCode(404);
  }

  /** Every data set handed to the handler failed: none was ended as if whole. */
  private void assertNoDataSetEnded() {
    for (Received r : received) {
      assertThrows(java.util.concurrent.ExecutionException.class,
          () -> r.bytes().get(5, TimeUnit.SECONDS), r.request().affectedSopInstanceUid());
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
