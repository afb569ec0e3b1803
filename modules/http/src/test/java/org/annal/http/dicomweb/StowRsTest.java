// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Tag;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/** STOW-RS (PS3.18 §10.5): what is stored, what the handler is given, what the answer says. */
class StowRsTest extends StowRsTestBase {
  @Test
  void theDataSetsOwnUidsWinOverADisagreeingMeta() throws Exception {
    // rtplan.dcm: (0002,0003) 1.2.999...20030903150023, (0008,0018) 1.2.777...20030903150023
    byte[] plan = file("rtplan.dcm");
    DicomFile dicom = parse(plan);
    String meta = dicom.fileMetaInformation().getString(Tag.MediaStorageSOPInstanceUID);
    String own = dicom.dataset().getString(Tag.SOPInstanceUID);
    assertTrue(!meta.equals(own), "the test file's meta disagrees with its data set");
    JsonNode body = json(run(post("/studies", dicomBody(plan))).assertStatusCode(200));
    assertEquals(own, received.get(0).request().affectedSopInstanceUid());
    assertEquals(own, value(items(body, "00081199").get(0), "00081155"));
  }

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
  void chunkBoundariesAnywhereGiveTheSameBytes() throws Exception {
    byte[] ct = file("CT_small.dcm");
    byte[] mr = file("MR_small_bigendian.dcm");
    for (int chunk : List.of(1, 7, 131, 132, 133, 4096)) {
      received.clear();
      // A 200-byte head, so that head and tail are both cut at odd places.
      run(new StowRs(handler, "ANNAL", 10L << 20, 200), HttpRequest.POST("/studies")
          .withEntity(HttpEntities.create(RELATED, chunked(dicomBody(ct, mr), chunk))))
          .assertStatusCode(200);
      assertArrayEquals(datasetOf(ct), received.get(0).bytes().get(5, TimeUnit.SECONDS),
          "chunks of " + chunk);
      assertArrayEquals(datasetOf(mr), received.get(1).bytes().get(5, TimeUnit.SECONDS),
          "chunks of " + chunk);
    }
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
  void partsReachTheHandlerOneAtATimeInOrder() throws Exception {
    List<String> names = List.of("MR_small.dcm", "CT_small.dcm", "image_dfl.dcm",
        "MR_small_bigendian.dcm", "MR_small_implicit.dcm");
    byte[][] files = new byte[names.size()][];
    for (int i = 0; i < files.length; i++) {
      files[i] = file(names.get(i));
    }
    AtomicInteger open = new AtomicInteger();
    AtomicInteger mostOpen = new AtomicInteger();
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
}
