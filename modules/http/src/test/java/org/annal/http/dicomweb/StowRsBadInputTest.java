// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Tag;
import org.annal.dicom.Uid;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** STOW-RS given bad input: refused parts, size limits, malformed or cut bodies, wrong types. */
class StowRsBadInputTest extends StowRsTestBase {
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
    // The meta without a SOP Instance UID: the data set's own (0008,0018) is used, so it is stored.
    assertEquals(2, received.size());
    assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS));
    assertEquals(parse(ct).dataset().getString(Tag.SOPInstanceUID),
        received.get(1).request().affectedSopInstanceUid());
    List<JsonNode> failed = items(body, "00081198");
    assertEquals(5, failed.size(), body.toString());
    for (JsonNode item : failed) {
      assertEquals(0xC000, item.path("00081197").path("Value").get(0).asInt(), item.toString());
    }
    assertTrue(failed.get(0).path("00081155").isMissingNode(), "no_meta names no instance");
    assertEquals(2, items(body, "00081199").size());
  }

  @Test
  void partWithAnotherContentTypeFailsAndOneWithoutIsReadAsDicom() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small.dcm");
    byte[] dfl = file("image_dfl.dcm");
    byte[] body = body(List.of("Content-Type: application/octet-stream\r\n", "",
        "Content-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1.99\r\n"),
        List.of(ct, mr, dfl), true);
    JsonNode answer = json(run(post("/studies", body)).assertStatusCode(202));
    assertEquals(2, received.size());
    assertArrayEquals(datasetOf(dfl), received.get(1).bytes().get(5, TimeUnit.SECONDS));
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
}
