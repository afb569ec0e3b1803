// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.awt.image.BufferedImage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.Map;
import org.annal.dicom.DicomFile;
import org.annal.dicom.Tag;
import org.annal.dicom.image.Frames;
import org.annal.dicom.image.Renderer;
import org.annal.dicom.image.UnsupportedRenderingException;
import org.annal.http.impl.HttpErrors;
import org.annal.http.dicomweb.impl.MediaRanges;
import org.annal.http.dicomweb.impl.ReadInstances;
import org.annal.query.IndexedInstance;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Rendered images (PS3.18 §10.4.1.1.3, §8.3.5) and thumbnails (§10.4.1.1.4) of one instance or
 * frame, as {@code image/jpeg} (the default) or {@code image/png}; also WADO-URI's images.
 *
 * <p>Parameters (§8.3.5.1): {@code window=center,width[,LINEAR]} (else the instance's first
 * Window Center/Width, else the frame's range), {@code viewport=columns,rows} (scaled to fit,
 * aspect kept), {@code quality=1..100} (JPEG). A thumbnail of a series or study is the thumbnail
 * of its first instance, 128 pixels at most unless a viewport is given. What cannot be rendered
 * (e.g. JPEG 2000 pixel data, no pixel data) is 406 with the reason.
 */
public final class RenderedRs extends AllDirectives {
  static final int THUMBNAIL = 128;

  private final WadoRs wado;

  public RenderedRs(WadoRs wado) {
    this.wado = wado;
  }

  /** The rendered instance (frame 1) or frame; {@code frame} null for the instance. */
  public Route rendered(String studyUid, String seriesUid, String sopUid, Integer frame,
      WadoRequest request, Map<String, String> params, boolean thumbnail) {
    return rendered(studyUid, seriesUid, sopUid, frame, request, params, thumbnail, "WADO-RS");
  }

  /** @param how {@code WADO-RS} or {@code WADO-URI}, as the access record names it */
  Route rendered(String studyUid, String seriesUid, String sopUid, Integer frame,
      WadoRequest request, Map<String, String> params, boolean thumbnail, String how) {
    // A series' or study's thumbnail is its first instance's: only that one is read (and recorded).
    return withAsk(request, params, thumbnail, ask ->
        wado.withInstances(studyUid, seriesUid, sopUid, request, how, true, read -> {
          IndexedInstance first = read.instances().get(0);
          return onSuccess(read.parsed(first), file -> render(read, first, file,
              frame == null ? 1 : frame, ask));
        }));
  }

  /** What a rendered request asks for: the image type and the rendering options. */
  record Ask(ContentType type, Renderer.Options options) {}

  /** {@code then} with the request's {@link Ask}, or 406 / 400 when it cannot be served. */
  Route withAsk(WadoRequest request, Map<String, String> params, boolean thumbnail,
      Function<Ask, Route> then) {
    ContentType type = imageType(request.accept());
    if (type == null) {
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, "rendered images are image/jpeg "
          + "or image/png, which the request does not accept: " + request.accept());
    }
    Renderer.Options options;
    try {
      options = options(params, thumbnail);
    } catch (IllegalArgumentException e) {
      return HttpErrors.error(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    return then.apply(new Ask(type, options));
  }

  /** Frame {@code frame} of an instance already read into {@code file}, as {@code ask} says. */
  Route render(ReadInstances read, IndexedInstance instance, DicomFile file, int frame,
      Ask ask) {
    if (!file.dataset().contains(Tag.PixelData)) {
      read.finish(406);
      return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, "instance "
          + instance.sopInstanceUid() + " has no pixel data to render");
    }
    int frames = Frames.count(file.dataset());
    if (frame > frames) {
      read.finish(404);
      return HttpErrors.error(StatusCodes.NOT_FOUND, "instance " + instance.sopInstanceUid()
          + " has " + frames + " frame(s), no frame " + frame);
    }
    CompletableFuture<Object> job = read.async(() -> {
      try {
        BufferedImage image = Renderer.render(file.dataset(), file.transferSyntaxUid(), frame,
            ask.options());
        return ask.type() == DicomWebMedia.PNG ? Renderer.png(image)
            : Renderer.jpeg(image, ask.options().quality());
      } catch (UnsupportedRenderingException e) {
        return e;
      }
    });
    return onSuccess(job, result -> {
      if (result instanceof UnsupportedRenderingException e) {
        read.finish(406);
        return HttpErrors.error(StatusCodes.NOT_ACCEPTABLE, e.getMessage());
      }
      read.sent(instance);
      read.finish(200);
      return complete(HttpResponse.create().withEntity(
          HttpEntities.create(ask.type(), (byte[]) result)));
    });
  }

  static ContentType imageType(String accept) {
    for (MediaRanges.Range r : MediaRanges.parse(accept)) {
      if (r.accepts("image/jpeg")) {
        return DicomWebMedia.JPEG;
      }
      if (r.accepts("image/png")) {
        return DicomWebMedia.PNG;
      }
    }
    return null;
  }

  static Renderer.Options options(Map<String, String> params, boolean thumbnail) {
    Double center = null;
    Double width = null;
    String window = params.get("window");
    if (window != null) {
      String[] w = window.split(",");
      if (w.length < 2 || w.length > 3 || (w.length == 3 && !w[2].strip().equalsIgnoreCase("linear"))) {
        throw new IllegalArgumentException("window must be center,width[,linear]: " + window);
      }
      center = number("window center", w[0]);
      width = number("window width", w[1]);
      if (width < 1) {
        throw new IllegalArgumentException("window width must be at least 1: " + window);
      }
    }
    Integer rows = thumbnail ? THUMBNAIL : null;
    Integer columns = thumbnail ? THUMBNAIL : null;
    String viewport = params.get("viewport");
    if (viewport != null) {
      String[] v = viewport.split(",");
      if (v.length != 2 && v.length != 6) {
        throw new IllegalArgumentException("viewport must be columns,rows: " + viewport);
      }
      columns = positive("viewport columns", v[0]);
      rows = positive("viewport rows", v[1]);
    }
    int quality = 90;
    if (params.get("quality") != null) {
      quality = positive("quality", params.get("quality"));
      if (quality > 100) {
        throw new IllegalArgumentException("quality must be 1..100: " + quality);
      }
    }
    return new Renderer.Options(center, width, rows, columns, quality);
  }

  private static double number(String what, String s) {
    try {
      return Double.parseDouble(s.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " is not a number: " + s);
    }
  }

  private static int positive(String what, String s) {
    try {
      int v = Integer.parseInt(s.strip());
      if (v > 0 && v <= 16384) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(what + " must be an integer 1..16384: " + s);
  }
}
