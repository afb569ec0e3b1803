// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.http.UidSyntax;
import org.annal.http.impl.HttpErrors;
import org.annal.http.dicomweb.impl.PartFailure;
import org.annal.http.dicomweb.impl.PartHead;
import org.annal.http.dicomweb.impl.PartReader;
import org.annal.http.dicomweb.impl.PartResult;
import org.annal.http.dicomweb.impl.StoreResponse;
import org.apache.pekko.NotUsed;
import org.apache.pekko.event.NoLogging$;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.Multipart;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS, the Studies Service's Store Transaction (PS3.18 §10.5), for PS3.10 instances:
 *
 * <pre>
 * POST /studies                     (relative to the DICOMweb prefix)
 * POST /studies/{StudyInstanceUID}
 *   Content-Type: multipart/related; type="application/dicom"; boundary=...
 *
 * parts ─▶ [PartReader: size cap, preamble + group 0002 + data set head, held until the previous
 *             part's outcome is known]
 *       ─▶ PartHead (UIDs, transfer syntax, study/series of the data set) ─▶ checks
 *       ─▶ head's data set bytes ++ rest of the part, as they arrive ─▶ CStoreHandler sink
 *       ─▶ DimseStatus ─▶ Referenced / Failed SOP Sequence item ─▶ Store Instances Response
 * </pre>
 *
 * The handler is given one instance at a time, in the order of the parts; the body is read no
 * faster than it stores (backpressure), so memory per request is bounded by the caps (1 MiB of
 * meta, {@value #DEFAULT_HEAD_BYTES} of head, for two parts at most), not by what is sent. A
 * part's end is passed to the handler only once the multipart stream has confirmed it (the next
 * part or the close delimiter arrived): pekko-http ends a cut last part as if it were whole.
 *
 * A STOW-RS store takes exactly the path of a C-STORE (ARCHITECTURE "path of one C-STORE"): each
 * part is handed to the archive's {@link CStoreHandler} as if it were the data set of a C-STORE-RQ
 * whose Affected SOP Class/Instance UIDs are the data set's own (0008,0016)/(0008,0018), as a
 * C-STORE SCU would send them (the File Meta Information's (0002,0002)/(0002,0003) when the head
 * does not hold them; some files' meta disagrees with their data set, and the data set is what is
 * stored), in the part's transfer syntax (0002,0010), without the meta header. The request is one
 * pseudo-association: id "stow-" + a random UUID, calling AE title {@value #CALLING_AE_TITLE},
 * called AE title ours, peer address the client's socket address (the request attribute that
 * {@code pekko.http.server.remote-address-attribute = on} provides; never X-Forwarded-For, which
 * any client can forge: the events are an audit trail).
 *
 * <p>Request checks, before any byte of the body is read: 400 for a malformed study UID in the
 * path or a multipart type without a boundary; 406 if Accept allows neither application/dicom+json
 * nor application/json (the answer is application/dicom+json, or application/json if Accept
 * allows only that; application/dicom+xml is not offered); 415 for any Content-Type but
 * multipart/related whose type parameter, if present, is application/dicom — in particular the
 * metadata and bulk data form (type application/dicom+json or +xml, PS3.18 §10.5.1) is not
 * supported. The type parameter must be quoted ('/' is not a token character, RFC 9110 §5.6.6):
 * pekko-http does not parse a Content-Type with an unquoted one, which then gets the 415.
 *
 * <p>Body: no size limit for the request (the server-wide {@code max-content-length} is lifted for
 * this route; parts stream through, memory stays bounded) and no request timeout (a large upload
 * takes long; a stalled client is cut by the idle timeout). Per part:
 *
 * <ul>
 *   <li>A part whose Content-Type is neither application/dicom nor absent (pekko-http gives a part
 *       without one text/plain; the request's type parameter then says what it is) fails with
 *       Failure Reason C000; so does one that is not a PS3.10 file (no "DICM" at byte 128, group
 *       0002 unreadable or over 1 MiB, no transfer syntax), or lacks (0002,0002)/(0002,0003), or
 *       holds a data set, shorter than the head, that cannot be parsed.
 *   <li>A part larger than {@code maxPartBytes} fails with A700 (Refused out of Resources) as soon
 *       as the limit is crossed; whatever was already streamed into the handler is failed there,
 *       so nothing of it is stored. If no instance of the request was stored and one part was too
 *       large, the answer is 413 rather than 409.
 *   <li>POST /studies/{uid}: the data set's Study Instance UID (0020,000D), read from the head
 *       (the first {@value #DEFAULT_HEAD_BYTES} bytes of the data set, up to Pixel Data), must be
 *       {uid}, else the part fails with A901 (implementation specific, in the A9xx family) and is
 *       never handed to the handler. No (0020,000D) fails with A900. If the head ends before
 *       (0020,000D) could be read (more than {@value #DEFAULT_HEAD_BYTES} bytes of attributes
 *       precede it), the study cannot be checked and the part fails with C000.
 *   <li>Otherwise the handler's status is the part's: success, warning (Bxxx, stored: Warning
 *       Reason), failure (Failure Reason = the DIMSE code). A handler that throws or whose sink
 *       fails gives A700, as a C-STORE would (CStoreHandler).
 * </ul>
 *
 * Retrieve URLs: the instance's is {base}/studies/{s}/series/{se}/instances/{i} when the head
 * showed its study and series, else it has no value; the study's is the request's study, or the
 * one study of all stored instances, else no value.
 *
 * <p>If the body is cut or malformed (multipart syntax, client gone), the part being read fails in
 * the handler (its sink's upstream fails: nothing half-stored) and the request is answered 400,
 * or, if instances were stored before, 202 listing them (the cut part in neither sequence). A
 * body without any part is 400.
 */
public final class StowRs extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(StowRs.class);

  /** The calling AE title recorded for instances received over STOW-RS. */
  public static final String CALLING_AE_TITLE = "STOW-RS";
  /** Data set bytes buffered per part to read Study/Series Instance UID before storing. */
  public static final int DEFAULT_HEAD_BYTES = 256 * 1024;
  /** Cap on preamble + File Meta Information. */
  static final int MAX_META_BYTES = 1024 * 1024;

  /** The DICOM JSON Model (PS3.18 Annex F); JSON text is UTF-8 (RFC 8259). */
  static final MediaType.WithFixedCharset DICOM_JSON =
      MediaTypes.applicationWithFixedCharset("dicom+json", HttpCharsets.UTF_8);

  private final CStoreHandler store;
  private final String aeTitle;
  private final long maxPartBytes;
  private final int headBytes;

  /**
   * @param store the archive's C-STORE handler: a STOW-RS store takes exactly the path and promises
   *     of a C-STORE
   * @param aeTitle our AE title (the "called AE" recorded in the events)
   * @param maxPartBytes largest part accepted (A700 beyond it, 413 if nothing was stored)
   */
  public StowRs(CStoreHandler store, String aeTitle, long maxPartBytes) {
    this(store, aeTitle, maxPartBytes, DEFAULT_HEAD_BYTES);
  }

  /** With a smaller head, for tests. */
  StowRs(CStoreHandler store, String aeTitle, long maxPartBytes, int headBytes) {
    this.store = store;
    this.aeTitle = aeTitle;
    this.maxPartBytes = maxPartBytes;
    this.headBytes = headBytes;
  }

  /**
   * POST /studies and POST /studies/{StudyInstanceUID}, relative to the /dicom-web prefix (the
   * caller has consumed it).
   *
   * @param baseUrl e.g. "http://host:8080/dicom-web", for the Retrieve URLs in the answer
   */
  public Route route(String baseUrl) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return post(() -> pathPrefix("studies", () -> concat(
        pathEndOrSingleSlash(() -> store(base, null)),
        path(PathMatchers.segment(), uid -> store(base, uid)))));
  }

  private Route store(String baseUrl, String studyUid) {
    if (studyUid != null && !UidSyntax.isValid(studyUid)) {
      return HttpErrors.error(StatusCodes.BAD_REQUEST,
          "not a valid DICOM UID (PS3.5 §9.1): " + HttpErrors.clip(studyUid));
    }
    return withoutSizeLimit(() -> withoutRequestTimeout(() -> extractRequest(request -> {
      Optional<ContentType> answerType = answerType(request);
      if (answerType.isEmpty()) {
        return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE,
            "STOW-RS answers application/dicom+json or application/json; Accept allows neither");
      }
      String unsupported = unsupportedContentType(request);
      if (unsupported != null) {
        return HttpErrors.error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, unsupported);
      }
      return extractMaterializer(mat -> onComplete(
          receive(request, baseUrl, studyUid, answerType.get(), mat),
          tried -> complete(tried.isSuccess() ? tried.get()
              : internalError(tried.failed().get()))));
    })));
  }

  private CompletionStage<HttpResponse> receive(HttpRequest request, String baseUrl,
      String studyUid, ContentType answerType, Materializer mat) {
    AssociationInfo association = new AssociationInfo("stow-" + UUID.randomUUID(),
        CALLING_AE_TITLE, aeTitle, peerAddress(request), Instant.now());
    return multipart(request, mat).handle((multipart, malformed) -> malformed != null
        ? CompletableFuture.completedFuture(HttpErrors.response(StatusCodes.BAD_REQUEST,
            "malformed multipart body: " + HttpErrors.clip(message(malformed))))
        : storeAll(multipart, association, baseUrl, studyUid, answerType, mat))
        .thenCompose(answer -> answer);
  }

  /**
   * Stores the parts in order, then answers. If the parts fail (body cut or malformed), the
   * answer waits for the parts already started to settle, so that an instance the handler stored
   * is reported and one it did not is not.
   */
  private CompletionStage<HttpResponse> storeAll(Multipart.General multipart,
      AssociationInfo association, String baseUrl, String studyUid, ContentType answerType,
      Materializer mat) {
    List<CompletableFuture<PartResult>> started = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger messageId = new AtomicInteger();
    AtomicReference<CompletableFuture<PartResult>> previous =
        new AtomicReference<>(CompletableFuture.completedFuture(null));
    return delimited(multipart)
        // Two in flight: the next part must be pulled to confirm the current one's end. Its head
        // waits for the previous outcome (PartReader), so the handler sees one part at a time.
        .mapAsync(2, part -> {
          CompletableFuture<PartResult> result = storePart(part.first(), part.second(),
              previous.get(), association, studyUid, messageId.incrementAndGet(), mat)
              .toCompletableFuture();
          previous.set(result);
          started.add(result);
          return result;
        })
        .runWith(Sink.ignore(), mat)
        .handle((done, failure) -> failure)
        .thenCompose(failure -> {
          List<CompletableFuture<PartResult>> parts = List.copyOf(started);
          return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
              .handle((settled, partFailure) -> answer(baseUrl, studyUid, answerType,
                  association, failure, parts.stream()
                      .filter(p -> !p.isCompletedExceptionally()).map(CompletableFuture::join)
                      .toList()));
        });
  }

  private HttpResponse answer(String baseUrl, String studyUid, ContentType answerType,
      AssociationInfo association, Throwable failure, List<PartResult> results) {
    if (failure != null) {
      log.atWarn().addKeyValue("event", "stow_body_failed")
          .addKeyValue("associationId", association.associationId())
          .log("STOW-RS body failed after {} part(s): {}", results.size(), failure.toString());
      if (results.stream().noneMatch(PartResult::stored)) {
        return HttpErrors.response(StatusCodes.BAD_REQUEST,
            "malformed or truncated multipart body: " + HttpErrors.clip(message(failure)));
      }
    } else if (results.isEmpty()) {
      return HttpErrors.response(StatusCodes.BAD_REQUEST, "the multipart body has no part");
    }
    ObjectNode body = StoreResponse.body(baseUrl, studyUid, results);
    return HttpResponse.create()
        .withStatus(failure != null ? 202 : StoreResponse.httpStatus(results))
        .withEntity(HttpEntities.create(answerType, utf8(body)));
  }

  /**
   * Each part with a stage that completes when the part is known to have ended at a delimiter:
   * when the next part arrives or the parts end normally; it fails if the parts fail (see
   * {@link PartReader}).
   */
  @SuppressWarnings("unchecked")
  private static Source<Pair<Multipart.General.BodyPart, CompletableFuture<Void>>, ?> delimited(
      Multipart.General multipart) {
    AtomicReference<CompletableFuture<Void>> current = new AtomicReference<>();
    Source<Multipart.General.BodyPart, Object> parts =
        (Source<Multipart.General.BodyPart, Object>) multipart.getParts();
    return parts
        .map(part -> {
          CompletableFuture<Void> end = new CompletableFuture<>();
          CompletableFuture<Void> previous = current.getAndSet(end);
          if (previous != null) {
            previous.complete(null);
          }
          return Pair.create(part, end);
        })
        .watchTermination((mat, done) -> {
          done.whenComplete((ok, failure) -> {
            CompletableFuture<Void> last = current.get();
            if (last != null) {
              if (failure == null) {
                last.complete(null);
              } else {
                last.completeExceptionally(failure);
              }
            }
          });
          return mat;
        });
  }

  /** pekko-http's multipart parser (javadsl offers it only for form data and byte ranges). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static CompletionStage<Multipart.General> multipart(HttpRequest request,
      Materializer mat) {
    org.apache.pekko.http.scaladsl.unmarshalling.Unmarshaller scala =
        org.apache.pekko.http.scaladsl.unmarshalling.Unmarshaller$.MODULE$
            .defaultMultipartGeneralUnmarshaller(NoLogging$.MODULE$, null);
    Unmarshaller<Object, Multipart.General> unmarshaller = Unmarshaller.fromScala(scala);
    try {
      return unmarshaller.unmarshal(request.entity(), mat);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** One part, read to its end whatever happens, then its outcome. */
  private CompletionStage<PartResult> storePart(Multipart.General.BodyPart part,
      CompletionStage<Void> delimited, CompletionStage<PartResult> previous,
      AssociationInfo association, String studyUid, int messageId, Materializer mat) {
    Source<ByteString, Object> bytes = part.getEntity().getDataBytes();
    MediaType type = part.getEntity().getContentType().mediaType();
    // Parameters aside: a transfer-syntax one (PS3.18 §8.7.3.5.2) yields to the File Meta
    // Information's (0002,0010) (§8.7.9).
    boolean dicom = type.mainType().equalsIgnoreCase("application")
        && type.subType().equalsIgnoreCase("dicom");
    if (!dicom && !type.equals(MediaTypes.TEXT_PLAIN)) {
      PartFailure f = new PartFailure(PartFailure.CANNOT_UNDERSTAND,
          "part Content-Type " + type + " is not " + DicomWebMedia.APPLICATION_DICOM);
      return bytes.runWith(Sink.ignore(), mat)
          .thenApply(done -> refused(association, null, f));
    }
    Pair<CompletionStage<Optional<PartFailure>>,
        CompletionStage<Pair<List<ByteString>, Source<ByteString, NotUsed>>>> run = bytes
        .viaMat(new PartReader(maxPartBytes, MAX_META_BYTES, headBytes, delimited, previous),
            Keep.right())
        .prefixAndTail(1)
        .toMat(Sink.head(), Keep.both())
        .run(mat);
    CompletionStage<Optional<PartFailure>> ended = run.first();
    return run.second().handle((headAndTail, failure) -> {
      if (failure != null) {
        // Refused by the reader (it says why once the part has ended) or the body failed.
        return ended.thenApply(refusal -> refused(association, null,
            refusal.orElseGet(() -> new PartFailure(PartFailure.PROCESSING_FAILURE,
                message(failure)))));
      }
      Source<ByteString, NotUsed> tail = headAndTail.second();
      PartHead head;
      try {
        head = PartHead.parse(headAndTail.first().get(0), headBytes);
      } catch (PartFailure f) {
        tail.runWith(Sink.ignore(), mat);
        return ended.thenApply(refusal -> refused(association, null, refusal.orElse(f)));
      }
      PartFailure problem = problem(head, studyUid);
      if (problem != null) {
        tail.runWith(Sink.ignore(), mat);
        return ended.thenApply(refusal -> refused(association, head, refusal.orElse(problem)));
      }
      CompletionStage<DimseStatus> status;
      try {
        Source<ByteString, NotUsed> dataset = head.datasetStart().isEmpty() ? tail
            : Source.single(head.datasetStart()).concat(tail);
        status = dataset.runWith(store.onCStore(association, new CStoreRq(messageId,
            head.sopClassUid(), head.sopInstanceUid(), 0, null, null),
            head.transferSyntaxUid()), mat);
      } catch (RuntimeException e) {
        tail.runWith(Sink.ignore(), mat);
        status = CompletableFuture.failedFuture(e);
      }
      // Answer once the part has been read to its end, so that parts never overlap.
      return status.handle(Pair::create)
          .thenCompose(outcome -> ended.thenApply(refusal -> refusal.isPresent()
              ? refused(association, head, refusal.get())
              : stored(association, head, outcome.first(), outcome.second())));
    }).thenCompose(stage -> stage);
  }

  /**
   * Null if the instance may be stored: it names itself (PS3.10 §7.1) and, for POST
   * /studies/{uid}, belongs to that study (PS3.18 §10.5.1).
   */
  private static PartFailure problem(PartHead head, String studyUid) {
    if (isBlank(head.sopClassUid()) || isBlank(head.sopInstanceUid())) {
      return new PartFailure(PartFailure.CANNOT_UNDERSTAND, "neither the data set nor the File "
          + "Meta Information has a "
          + (isBlank(head.sopClassUid()) ? "SOP Class UID (0008,0016) / (0002,0002)"
              : "SOP Instance UID (0008,0018) / (0002,0003)"));
    }
    if (studyUid == null) {
      return null;
    }
    if (!head.studyKnown()) {
      return new PartFailure(PartFailure.CANNOT_UNDERSTAND, "Study Instance UID (0020,000D) is "
          + "not within the first bytes of the data set that are read before storing");
    }
    if (head.studyInstanceUid() == null) {
      return new PartFailure(PartFailure.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "the data set has no Study Instance UID (0020,000D)");
    }
    if (!head.studyInstanceUid().equals(studyUid)) {
      return new PartFailure(PartFailure.STUDY_INSTANCE_UID_MISMATCH, "the instance is of study "
          + HttpErrors.clip(head.studyInstanceUid()) + ", not of the study posted to " + studyUid);
    }
    return null;
  }

  private static PartResult refused(AssociationInfo association, PartHead head, PartFailure f) {
    log.atWarn().addKeyValue("event", "stow_part_refused")
        .addKeyValue("associationId", association.associationId())
        .addKeyValue("sopInstanceUid", head == null ? null : head.sopInstanceUid())
        .log("STOW-RS part refused ({}): {}", String.format("%04X", f.reason()), f.getMessage());
    return PartResult.failed(head, f);
  }

  private static PartResult stored(AssociationInfo association, PartHead head, DimseStatus status,
      Throwable failure) {
    if (failure != null || status == null) {
      log.atWarn().addKeyValue("event", "stow_store_failed")
          .addKeyValue("associationId", association.associationId())
          .addKeyValue("sopInstanceUid", head.sopInstanceUid())
          .setCause(failure)
          .log("STOW-RS store failed: {}", failure == null ? "no status" : failure.toString());
      return PartResult.failed(head, new PartFailure(PartFailure.REFUSED_OUT_OF_RESOURCES,
          "storage failed"));
    }
    if (status.isFailure()) {
      log.atWarn().addKeyValue("event", "stow_store_refused")
          .addKeyValue("associationId", association.associationId())
          .addKeyValue("sopInstanceUid", head.sopInstanceUid())
          .log("STOW-RS instance not stored ({}): {}", String.format("%04X", status.code()),
              status.errorComment());
      return PartResult.failed(head, new PartFailure(status.code(),
          String.valueOf(status.errorComment())));
    }
    return new PartResult(head.sopClassUid(), head.sopInstanceUid(), head.studyInstanceUid(),
        head.seriesInstanceUid(), true, status.isWarning() ? status.code() : 0, false);
  }

  /** application/dicom+json unless Accept rules it out and allows application/json. */
  private static Optional<ContentType> answerType(HttpRequest request) {
    List<Accept> accepts = new ArrayList<>();
    request.getHeaders().forEach(h -> {
      if (h instanceof Accept a) {
        accepts.add(a);
      }
    });
    if (accepts.isEmpty() || accepts(accepts, DICOM_JSON)) {
      return Optional.of(DICOM_JSON.toContentType());
    }
    return accepts(accepts, MediaTypes.APPLICATION_JSON)
        ? Optional.of(ContentTypes.APPLICATION_JSON) : Optional.empty();
  }

  private static boolean accepts(List<Accept> accepts, MediaType type) {
    for (Accept accept : accepts) {
      for (var range : accept.getMediaRanges()) {
        if (range.qValue() > 0 && range.matches(type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Null if the request's Content-Type is one this route reads, else why not (for the 415). */
  private static String unsupportedContentType(HttpRequest request) {
    MediaType media = request.entity().getContentType().mediaType();
    if (!media.isMultipart() || !media.subType().equalsIgnoreCase("related")) {
      return "STOW-RS takes multipart/related; type=\"application/dicom\" (PS3.18 §10.5.1), not "
          + media;
    }
    Map<String, String> params = scala.jdk.javaapi.CollectionConverters.asJava(
        ((org.apache.pekko.http.scaladsl.model.MediaType) media).params());
    String type = null;
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (p.getKey().equalsIgnoreCase("type")) {
        type = p.getValue().trim().toLowerCase(Locale.ROOT);
      }
    }
    if (type == null || type.equals(DicomWebMedia.APPLICATION_DICOM)) {
      return null;
    }
    if (type.equals("application/dicom+json") || type.equals("application/dicom+xml")) {
      return "STOW-RS of metadata and bulk data (type=\"" + type + "\", PS3.18 §10.5.1.2.2) is "
          + "not supported; send PS3.10 instances: multipart/related; type=\"application/dicom\"";
    }
    return "multipart/related of type \"" + HttpErrors.clip(type) + "\" is not supported; send "
        + "multipart/related; type=\"application/dicom\"";
  }

  private static InetSocketAddress peerAddress(HttpRequest request) {
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress().map(ip -> new InetSocketAddress(ip,
            Math.max(remote.getPort(), 0))))
        .orElse(null);
  }

  private HttpResponse internalError(Throwable e) {
    log.atWarn().addKeyValue("event", "http_error").setCause(e)
        .log("STOW-RS request failed: {}", e.toString());
    return HttpErrors.response(StatusCodes.INTERNAL_SERVER_ERROR,
        "internal error: " + e.getClass().getSimpleName());
  }

  private static String message(Throwable e) {
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static byte[] utf8(ObjectNode json) {
    return json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

}
