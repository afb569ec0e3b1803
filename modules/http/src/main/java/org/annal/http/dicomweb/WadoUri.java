// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Tag;
import org.annal.http.UidSyntax;
import org.annal.http.dicomweb.impl.ReadInstances;
import org.annal.http.impl.HttpErrors;
import org.annal.query.IndexedInstance;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;

/**
 * WADO-URI (PS3.18 §9): {@code GET /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=}, one
 * instance as {@code application/dicom} (with {@code transferSyntax} as WADO-RS converts) or
 * rendered as {@code image/jpeg} / {@code image/png} ({@code frameNumber}, {@code rows},
 * {@code columns}, {@code windowCenter} + {@code windowWidth}, {@code imageQuality}).
 * {@code contentType} absent: {@code image/jpeg} for an instance with pixel data, else
 * {@code application/dicom} (§9.1.2.1.4). {@code anonymize=yes} and {@code region} are refused
 * (400) rather than ignored: the answer would not be what was asked for.
 */
public final class WadoUri extends AllDirectives {
  private final WadoRs wado;
  private final RenderedRs rendered;

  public WadoUri(WadoRs wado, RenderedRs rendered) {
    this.wado = wado;
    this.rendered = rendered;
  }

  public Route route(WadoRequest request) {
    return parameterMap(params -> {
      if (!"WADO".equals(params.get("requestType"))) {
        return HttpErrors.error(StatusCodes.BAD_REQUEST, "requestType must be WADO");
      }
      String study = params.get("studyUID");
      String series = params.get("seriesUID");
      String object = params.get("objectUID");
      // In this order, so that the first bad one is the one named.
      for (Map.Entry<String, String> uid : List.of(
          Map.entry("studyUID", study == null ? "" : study),
          Map.entry("seriesUID", series == null ? "" : series),
          Map.entry("objectUID", object == null ? "" : object))) {
        if (!UidSyntax.isValid(uid.getValue())) {
          return HttpErrors.error(StatusCodes.BAD_REQUEST, uid.getKey()
              + " is missing or not a valid UID (PS3.5 §9.1)");
        }
      }
      if ("yes".equalsIgnoreCase(params.get("anonymize")) || params.containsKey("region")) {
        return HttpErrors.error(StatusCodes.BAD_REQUEST,
            "anonymize and region are not supported");
      }
      String contentType = params.get("contentType");
      String type = contentType == null ? null : contentType.split(",")[0].strip();
      if (type != null && !type.equals(DicomWebMedia.APPLICATION_DICOM)
          && !type.equals("image/jpeg") && !type.equals("image/png")) {
        return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, "contentType must be "
            + "application/dicom, image/jpeg or image/png: " + contentType);
      }
      if (DicomWebMedia.APPLICATION_DICOM.equals(type)) {
        return file(study, series, object, params.get("transferSyntax"), request);
      }
      Map<String, String> renderParams = new HashMap<>();
      if (params.containsKey("windowCenter") != params.containsKey("windowWidth")) {
        return HttpErrors.error(StatusCodes.BAD_REQUEST,
            "windowCenter and windowWidth go together");
      }
      if (params.containsKey("windowCenter")) {
        renderParams.put("window", params.get("windowCenter") + "," + params.get("windowWidth"));
      }
      if (params.containsKey("rows") || params.containsKey("columns")) {
        String rows = params.getOrDefault("rows", params.get("columns"));
        String columns = params.getOrDefault("columns", rows);
        renderParams.put("viewport", columns + "," + rows);
      }
      if (params.containsKey("imageQuality")) {
        renderParams.put("quality", params.get("imageQuality"));
      }
      Integer frame;
      try {
        frame = params.containsKey("frameNumber")
            ? Integer.valueOf(params.get("frameNumber")) : null;
        if (frame != null && frame < 1) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        return HttpErrors.error(StatusCodes.BAD_REQUEST, "frameNumber must be 1 or more");
      }
      WadoRequest asImage = new WadoRequest(request.resource(), request.clientAddress(),
          request.userAgent(), type == null ? "image/jpeg" : type, request.baseUrl(),
          request.receivedAt());
      if (type == null) {
        // No contentType: an image if it has pixel data, else the object itself; read once.
        return wado.withInstances(study, series, object, request, "WADO-URI", read -> {
          IndexedInstance first = read.instances().get(0);
          return onSuccess(read.parsed(first), f -> f.dataset().contains(Tag.PixelData)
              ? rendered.withAsk(asImage, renderParams, false, ask ->
                  rendered.render(read, first, f, frame == null ? 1 : frame, ask))
              : file(read, null));
        });
      }
      return rendered.rendered(study, series, object, frame, asImage, renderParams, false,
          "WADO-URI");
    });
  }

  private Route file(String study, String series, String object, String transferSyntax,
      WadoRequest request) {
    return wado.withInstances(study, series, object, request, "WADO-URI",
        read -> file(read, transferSyntax));
  }

  /** The instance {@code read} looks up, as a PS3.10 file in {@code transferSyntax} (null: as stored). */
  private Route file(ReadInstances read, String transferSyntax) {
    IndexedInstance i = read.instances().get(0);
    String ts = WadoRs.syntaxFor(i.transferSyntaxUid(), transferSyntax == null ? "*"
        : transferSyntax);
    if (ts == null) {
      read.finish(406);
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, "instance " + i.sopInstanceUid()
          + " is stored as " + i.transferSyntaxUid() + " and cannot be sent as "
          + transferSyntax + " (pixel data is not decompressed)");
    }
    CompletionStage<ByteString> bytes = read.bytes(i).thenCompose(b -> ts.equals(
        i.transferSyntaxUid()) ? CompletableFuture.completedFuture(b)
        : read.async(() -> WadoRs.convert(b, ts)));
    return onSuccess(bytes, (ByteString out) -> {
      read.sent(i);
      read.finish(200);
      return complete(HttpResponse.create().withEntity(
          HttpEntities.create(DicomWebMedia.DICOM, out.toArray())));
    });
  }
}
