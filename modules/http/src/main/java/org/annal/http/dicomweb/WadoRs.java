// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.annal.dicom.Dataset;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Element;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.Uid;
import org.annal.dicom.image.Frames;
import org.annal.dicom.json.DicomJson;
import org.annal.http.InstanceFiles;
import org.annal.http.impl.HttpErrors;
import org.annal.http.dicomweb.impl.MediaRanges;
import org.annal.http.dicomweb.impl.Multipart;
import org.annal.http.dicomweb.impl.ReadInstances;
import org.annal.query.IndexedInstance;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * WADO-RS (PS3.18 §10.4): instances of a study, series or one instance as
 * {@code multipart/related; type="application/dicom"}, their metadata as DICOM JSON, frames and
 * bulk data as {@code multipart/related} octet streams (or the compressed frame's own media
 * type). Rendered images and thumbnails are {@link RenderedRs}.
 *
 * <p>Transfer syntax (§8.7.3.5.2, the {@code transfer-syntax} parameter of the accepted media
 * type): {@code *} sends each instance as stored; a named one is sent as stored when it is the
 * stored one, or converted among Implicit VR LE, Explicit VR LE and Explicit VR BE (Deflated
 * inflated) — pixel data is never decompressed, so a compressed instance asked for in another
 * syntax is 406. Without the parameter the default Explicit VR Little Endian is sent where that
 * is a conversion of the kind above, and compressed instances go as stored (a deviation: the
 * standard would decompress them; the part's Content-Type names the syntax sent).
 *
 * <p>Parts are read two at a time while the client takes them; an instance that cannot be read
 * once the answer has begun ends the response early (the client sees a truncated multipart
 * body); one that cannot be read before it begins gives 503 (its node is down) or 500. Every
 * answer that sent instance data leaves a {@code StudyAccessed} (how {@code WADO-RS}).
 */
public final class WadoRs extends AllDirectives {
  /** Instances read ahead of the one the client is taking. */
  private static final int READ_AHEAD = 2;

  private final DicomWebArchive archive;
  private final Executor blocking;
  private final int inlineBinaryLimit;

  /**
   * @param inlineBinaryLimit binary values up to this many bytes are InlineBinary in metadata,
   *     longer ones BulkDataURI (PS3.18 §F.2.7)
   */
  public WadoRs(DicomWebArchive archive, Executor blocking, int inlineBinaryLimit) {
    this.archive = archive;
    this.blocking = blocking;
    this.inlineBinaryLimit = inlineBinaryLimit;
  }

  // ------------------------------------------------------------------------------ instances

  /** Study, series or instance retrieve; {@code seriesUid}, {@code sopUid} may be null. */
  public Route instances(String studyUid, String seriesUid, String sopUid, WadoRequest request) {
    String wanted;
    try {
      wanted = dicomTransferSyntax(request.accept());
    } catch (IllegalArgumentException e) {
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, e.getMessage());
    }
    return withInstances(studyUid, seriesUid, sopUid, request, "WADO-RS", read -> {
      Map<String, String> sendAs = new HashMap<>();
      List<String> refused = new ArrayList<>();
      for (IndexedInstance i : read.instances()) {
        String ts = syntaxFor(i.transferSyntaxUid(), wanted);
        if (ts == null) {
          refused.add(i.sopInstanceUid() + " (stored as " + i.transferSyntaxUid() + ")");
        }
        sendAs.put(i.sopInstanceUid(), ts);
      }
      if (!refused.isEmpty()) {
        read.finish(406); // looked up and refused: recorded like every other refusal here
        return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, refused.size() + " instance(s) "
            + "cannot be sent in transfer syntax " + wanted + " (pixel data is not decompressed):"
            + " " + String.join(", ", refused.subList(0, Math.min(5, refused.size()))));
      }
      Multipart body = new Multipart(DicomWebMedia.APPLICATION_DICOM);
      Source<ByteString, NotUsed> parts = Source.from(read.instances())
          .mapAsync(READ_AHEAD, i -> read.bytes(i).thenApplyAsync(bytes -> {
            String ts = sendAs.get(i.sopInstanceUid());
            ByteString out = ts.equals(i.transferSyntaxUid()) ? bytes : convert(bytes, ts);
            return Pair.create(i, body.part(DicomWebMedia.APPLICATION_DICOM
                + "; transfer-syntax=" + ts, instanceUrl(request, i), out));
          }, blocking))
          .map(p -> {
            read.sent(p.first());
            return p.second();
          });
      return stream(read, parts.concat(body.close()), body.contentType());
    });
  }

  /** The transfer syntax asked for: a UID, {@code *}, or null (none named: the default). */
  static String dicomTransferSyntax(String accept) {
    for (MediaRanges.Range r : MediaRanges.parse(accept)) {
      boolean multipart = r.accepts("multipart/related") && !r.type().equals("*/*")
          && !r.type().equals("multipart/*");
      String type = r.parameter("type");
      if (r.type().equals("*/*") || r.type().equals("multipart/*")
          || (multipart && (type == null || type.equalsIgnoreCase(DicomWebMedia.APPLICATION_DICOM)))) {
        return r.parameter("transfer-syntax");
      }
    }
    throw new IllegalArgumentException("instances are sent as multipart/related; "
        + "type=\"application/dicom\", which the request does not accept: " + accept);
  }

  /**
   * The syntax to send a {@code stored} instance in when {@code wanted} is asked, or null: the
   * uncompressed syntaxes annal-dicom rewrites element by element convert into each other but
   * Deflated (which is only read).
   */
  static String syntaxFor(String stored, String wanted) {
    boolean convertible = uncompressed(stored);
    if (wanted == null) {
      return convertible ? Uid.EXPLICIT_VR_LITTLE_ENDIAN : stored;
    }
    if (wanted.equals("*") || wanted.equals(stored)) {
      return stored;
    }
    return convertible && uncompressed(wanted) && !TransferSyntax.of(wanted).deflated()
        ? wanted : null;
  }

  private static boolean uncompressed(String uid) {
    TransferSyntax ts = TransferSyntax.of(uid);
    return ts != null && ts.isUncompressed();
  }

  static ByteString convert(ByteString file, String ts) {
    DicomFile f = ReadInstances.parse(file);
    return ByteString.fromArrayUnsafe(Part10.encode(
        new DicomFile(f.preamble(), f.fileMetaInformation(), ts, f.dataset())));
  }

  // ------------------------------------------------------------------------------- metadata

  /** Metadata of a study, series or instance: a DICOM JSON array, one object per instance. */
  public Route metadata(String studyUid, String seriesUid, String sopUid, WadoRequest request) {
    if (!acceptsJson(request.accept())) {
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, "metadata is offered as "
          + "application/dicom+json only (not XML), which the request does not accept: "
          + request.accept());
    }
    return withInstances(studyUid, seriesUid, sopUid, request, "WADO-RS", read -> {
      Source<ByteString, NotUsed> objects = Source.from(read.instances())
          .mapAsync(READ_AHEAD, i -> read.parsed(i).thenApply(f -> Pair.create(i,
              json(f.dataset(), instanceUrl(request, i) + "/bulkdata/"))))
          .map(p -> {
            read.sent(p.first());
            return p.second();
          });
      return stream(read, objects.intersperse(ByteString.fromString("["),
          ByteString.fromString(","), ByteString.fromString("]")), DicomWebMedia.DICOM_JSON);
    });
  }

  static boolean acceptsJson(String accept) {
    return MediaRanges.parse(accept).stream().anyMatch(r -> r.accepts(DicomWebMedia.DICOM_JSON_TYPE)
        || r.type().equals("application/json"));
  }

  private ByteString json(Dataset dataset, String bulkBase) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      DicomJson.write(dataset, out,
          new DicomJson.Options(inlineBinaryLimit, path -> bulkBase + path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.fromArrayUnsafe(out.toByteArray());
  }

  // --------------------------------------------------------------------- frames and bulkdata

  /** Frames {@code frameList} (e.g. {@code 1,3}) of one instance (PS3.18 §10.4.1.1.5). */
  public Route frames(String studyUid, String seriesUid, String sopUid, String frameList,
      WadoRequest request) {
    List<Integer> numbers = new ArrayList<>();
    try {
      for (String s : frameList.split(",")) {
        int n = Integer.parseInt(s.strip());
        if (n < 1) {
          throw new NumberFormatException();
        }
        numbers.add(n);
      }
    } catch (NumberFormatException e) {
      return HttpErrors.error(StatusCodes.BAD_REQUEST,
          "frame list must be frame numbers from 1, comma-separated: " + HttpErrors.clip(frameList));
    }
    return withInstances(studyUid, seriesUid, sopUid, request, "WADO-RS", read ->
        onSuccess(read.parsed(read.instances().get(0)), file ->
            frames(read, file, numbers, request)));
  }

  /** The frames {@code numbers} of the instance {@code read} has parsed into {@code file}. */
  private Route frames(ReadInstances read, DicomFile file, List<Integer> numbers,
      WadoRequest request) {
    String sopUid = read.instances().get(0).sopInstanceUid();
    Dataset ds = file.dataset();
    if (!ds.contains(Tag.PixelData)) {
      read.finish(404);
      return HttpErrors.error(StatusCodes.NOT_FOUND, "instance " + sopUid
          + " has no pixel data");
    }
    int count = Frames.count(ds);
    for (int n : numbers) {
      if (n > count) {
        read.finish(404);
        return HttpErrors.error(StatusCodes.NOT_FOUND, "instance " + sopUid + " has "
            + count + " frame(s), no frame " + n);
      }
    }
    boolean encapsulated = ds.get(Tag.PixelData).isEncapsulated();
    String partType = DicomWebMedia.frameType(file.transferSyntaxUid(), encapsulated);
    String error = acceptsFrames(request.accept(), partType);
    if (error != null) {
      read.finish(406);
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, error);
    }
    String partSyntax = encapsulated ? file.transferSyntaxUid() : DicomWebMedia.NATIVE_SYNTAX;
    Multipart body = new Multipart(partType);
    List<ByteString> parts = new ArrayList<>();
    for (int n : numbers) {
      parts.add(body.part(partType + "; transfer-syntax=" + partSyntax, null,
          ByteString.fromArrayUnsafe(Frames.frame(ds, file.transferSyntaxUid(), n))));
    }
    read.sent(read.instances().get(0));
    return stream(read, Source.from(parts).concat(body.close()), body.contentType());
  }

  /** Null when {@code accept} takes frames of {@code partType}, else why not. */
  static String acceptsFrames(String accept, String partType) {
    for (MediaRanges.Range r : MediaRanges.parse(accept)) {
      if (r.type().equals("*/*") || r.type().equals("multipart/*")) {
        return null;
      }
      if (r.type().equals("multipart/related")) {
        String type = r.parameter("type");
        if (type == null || type.equals("*/*") || type.equalsIgnoreCase(partType)) {
          return null;
        }
      }
    }
    return "the frames are stored as " + partType + " and are sent as multipart/related; type=\""
        + partType + "\" (no decompression or conversion), which the request does not accept: "
        + accept;
  }

  /**
   * A bulk data value of one instance by its attribute path, as the BulkDataURIs of the metadata
   * name it ({@code 7FE00010}, or {@code 00540016.0.00181072} inside a sequence item).
   */
  public Route bulkdata(String studyUid, String seriesUid, String sopUid, String path,
      WadoRequest request) {
    if (!path.matches("[0-9A-Fa-f]{8}(\\.[0-9]{1,6}\\.[0-9A-Fa-f]{8}){0,8}")) {
      return HttpErrors.error(StatusCodes.BAD_REQUEST, "not a bulk data path: " + HttpErrors.clip(path));
    }
    return withInstances(studyUid, seriesUid, sopUid, request, "WADO-RS", read ->
        onSuccess(read.parsed(read.instances().get(0)), file -> {
          Element e = find(file.dataset(), path);
          if (e == null || e.isSequence()) {
            read.finish(404);
            return HttpErrors.error(StatusCodes.NOT_FOUND, "instance " + sopUid
                + " has no bulk data at " + path);
          }
          if (e.isEncapsulated()) {
            // Encapsulated Pixel Data: its frames, from the instance already read.
            return frames(read, file, IntStream.rangeClosed(1, Frames.count(file.dataset()))
                .boxed().toList(), request);
          }
          String error = acceptsFrames(request.accept(), DicomWebMedia.OCTET_STREAM);
          if (error != null) {
            read.finish(406);
            return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, error);
          }
          Multipart body = new Multipart(DicomWebMedia.OCTET_STREAM);
          read.sent(read.instances().get(0));
          return stream(read, Source.single(body.part(DicomWebMedia.OCTET_STREAM + "; "
              + "transfer-syntax=" + DicomWebMedia.NATIVE_SYNTAX, null,
              ByteString.fromArrayUnsafe(littleEndian(e, file.transferSyntaxUid()))))
              .concat(body.close()), body.contentType());
        }));
  }

  static Element find(Dataset dataset, String path) {
    String[] bits = path.split("\\.");
    Dataset at = dataset;
    for (int i = 0; i < bits.length; i += 2) {
      Element e = at.get((int) Long.parseLong(bits[i], 16));
      if (i == bits.length - 1) {
        return e;
      }
      int item = Integer.parseInt(bits[i + 1]);
      if (e == null || !e.isSequence() || item >= e.items().size()) {
        return null;
      }
      at = e.items().get(item);
    }
    return null;
  }

  /** The value as sent: little endian (a big endian data set's OW words are swapped). */
  static byte[] littleEndian(Element e, String ts) {
    byte[] v = e.value();
    if (!Uid.EXPLICIT_VR_BIG_ENDIAN.equals(ts)) {
      return v;
    }
    int width = switch (e.vr()) {
      case OW, US, SS -> 2;
      case OL, OF, UL, SL, FL -> 4;
      case OD, OV, FD, SV, UV -> 8;
      default -> 1;
    };
    byte[] out = v.clone();
    for (int i = 0; i + width <= out.length; i += width) {
      for (int j = 0; j < width / 2; j++) {
        byte t = out[i + j];
        out[i + j] = out[i + width - 1 - j];
        out[i + width - 1 - j] = t;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- shared

  /**
   * Looks the instances up (404 when none), then {@code then}; the access is recorded by
   * {@code then}'s response (see {@link #stream}) or by the error paths.
   */
  Route withInstances(String studyUid, String seriesUid, String sopUid, WadoRequest request,
      String how, Function<ReadInstances, Route> then) {
    return withInstances(studyUid, seriesUid, sopUid, request, how, false, then);
  }

  /** @param firstOnly only the first instance found is read (a series' or study's thumbnail) */
  Route withInstances(String studyUid, String seriesUid, String sopUid, WadoRequest request,
      String how, boolean firstOnly, Function<ReadInstances, Route> then) {
    CompletableFuture<List<IndexedInstance>> found = CompletableFuture.supplyAsync(
        () -> archive.instances(studyUid, seriesUid, sopUid), blocking);
    return onSuccess(found, list -> {
      if (list.isEmpty()) {
        return HttpErrors.error(StatusCodes.NOT_FOUND, "no " + (sopUid != null
            ? "instance " + sopUid : seriesUid != null ? "series " + seriesUid
            : "study " + studyUid) + (sopUid != null || seriesUid != null
            ? " in study " + studyUid : ""));
      }
      ReadInstances read = new ReadInstances(archive, blocking, how, request,
          firstOnly ? list.subList(0, 1) : list);
      return handleExceptions(org.apache.pekko.http.javadsl.server.ExceptionHandler.newBuilder()
          .matchAny(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null
                ? e.getCause() : e;
            boolean unavailable = cause instanceof InstanceFiles.UnavailableException;
            read.finish(unavailable ? 503 : 500);
            return HttpErrors.error(unavailable ? StatusCodes.SERVICE_UNAVAILABLE
                : StatusCodes.INTERNAL_SERVER_ERROR, cause.getMessage() == null
                ? cause.getClass().getSimpleName() : cause.getMessage());
          }).build(), () -> then.apply(read));
    });
  }

  /**
   * A 200 with {@code body} streamed, once its first element is ready (so that an instance that
   * cannot be read fails the request with a status rather than a truncated 200); the access is
   * recorded when the body ends, however it ends.
   */
  Route stream(ReadInstances read, Source<ByteString, NotUsed> body, ContentType type) {
    return extractMaterializer(mat -> {
      CompletionStage<Source<ByteString, NotUsed>> started = firstReady(body, mat);
      return onSuccess(started, ready -> complete(HttpResponse.create().withEntity(
          HttpEntities.createChunked(type, ready.watchTermination((m, done) -> {
            done.whenComplete((d, failure) -> read.finish(200));
            return m;
          })))));
    });
  }

  static CompletionStage<Source<ByteString, NotUsed>> firstReady(Source<ByteString, NotUsed> body,
      Materializer mat) {
    return body.prefixAndTail(1).runWith(Sink.head(), mat)
        .thenApply(p -> Source.from(p.first()).concat(p.second()));
  }

  static String instanceUrl(WadoRequest request, IndexedInstance i) {
    return request.baseUrl() + "/studies/" + i.studyInstanceUid() + "/series/"
        + i.seriesInstanceUid() + "/instances/" + i.sopInstanceUid();
  }

}
