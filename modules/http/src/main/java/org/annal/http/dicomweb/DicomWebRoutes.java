// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.annal.http.UidSyntax;
import org.annal.http.impl.HttpErrors;
import org.annal.query.QueryRetrieveLevel;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DICOMweb (PS3.18) under {@code /dicom-web}, and WADO-URI at {@code /wado}:
 *
 * <pre>
 * QIDO-RS  GET  /studies  /series  /instances  /studies/{s}/series  /studies/{s}/instances
 *               /studies/{s}/series/{se}/instances                      {@link QidoRs}
 * WADO-RS  GET  /studies/{s}[/series/{se}[/instances/{i}]]              multipart application/dicom
 *               .../metadata                                           application/dicom+json
 *               .../instances/{i}/frames/{list}   .../bulkdata/{path}   multipart octet-stream
 *               .../instances/{i}[/frames/{n}]/rendered   .../thumbnail image/jpeg | image/png
 *                                                                       {@link WadoRs}, {@link RenderedRs}
 * STOW-RS  POST /studies  /studies/{s}                                  (the stow route given)
 * WADO-URI GET  /wado?requestType=WADO&amp;studyUID=..&amp;seriesUID=..&amp;objectUID=..   {@link WadoUri}
 * </pre>
 *
 * A UID in the path that is not a UID is 400; unknown paths 404, other methods 405, all with a
 * JSON message. CORS (Fetch standard): for an allowed Origin the answers carry
 * {@code Access-Control-Allow-Origin} and expose Content-Location and Warning; preflight
 * {@code OPTIONS} requests are answered here.
 */
public final class DicomWebRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(DicomWebRoutes.class);

  private final QidoRs qido;
  private final WadoRs wado;
  private final RenderedRs rendered;
  private final WadoUri wadoUri;
  private final Function<String, Route> stow;
  private final DicomWebSettings settings;

  /**
   * @param stow the STOW-RS route for a base URL (it matches POST /studies[/{s}] relative to
   *     /dicom-web itself), or null when this node does not accept stores over HTTP
   */
  public DicomWebRoutes(DicomWebArchive archive, Executor blocking, DicomWebSettings settings,
      Function<String, Route> stow) {
    this.settings = settings;
    this.qido = new QidoRs(archive, blocking);
    this.wado = new WadoRs(archive, blocking, settings.inlineBinaryLimit());
    this.rendered = new RenderedRs(wado);
    this.wadoUri = new WadoUri(wado, rendered);
    this.stow = stow;
  }

  public Route route() {
    // Rejections are handled inside each prefix: other paths must stay unmatched for /api.
    return cors(() -> handleExceptions(exceptions(), () -> concat(
        pathPrefix("dicom-web", () -> handleRejections(HttpErrors.rejections(), () ->
            withRequest(this::dicomWeb))),
        path("wado", () -> handleRejections(HttpErrors.rejections(), () ->
            get(() -> withRequest(wadoUri::route)))))));
  }

  private Route dicomWeb(WadoRequest r) {
    String base = r.baseUrl();
    return concat(
        // STOW-RS matches its own POST /studies[/{s}]; without it a POST is 405.
        stow != null ? stow.apply(base) : reject(),
        path("studies", () -> get(() -> qido.search(QueryRetrieveLevel.STUDY, null, null, base))),
        path("series", () -> get(() -> qido.search(QueryRetrieveLevel.SERIES, null, null, base))),
        path("instances", () -> get(() -> qido.search(QueryRetrieveLevel.IMAGE, null, null, base))),
        path("wado", () -> get(() -> wadoUri.route(r))),
        pathPrefix("studies", () -> uid(study -> concat(
            pathEnd(() -> get(() -> wado.instances(study, null, null, r))),
            path("metadata", () -> get(() -> wado.metadata(study, null, null, r))),
            path("thumbnail", () -> get(() -> parameterMap(p ->
                rendered.rendered(study, null, null, null, r, p, true)))),
            path("series", () -> get(() -> qido.search(QueryRetrieveLevel.SERIES, study, null, base))),
            path("instances", () -> get(() -> qido.search(QueryRetrieveLevel.IMAGE, study, null, base))),
            pathPrefix("series", () -> uid(series -> concat(
                pathEnd(() -> get(() -> wado.instances(study, series, null, r))),
                path("metadata", () -> get(() -> wado.metadata(study, series, null, r))),
                path("thumbnail", () -> get(() -> parameterMap(p ->
                    rendered.rendered(study, series, null, null, r, p, true)))),
                path("instances", () -> get(() ->
                    qido.search(QueryRetrieveLevel.IMAGE, study, series, base))),
                pathPrefix("instances", () -> uid(sop -> instance(study, series, sop, r))))))))));
  }

  private Route instance(String study, String series, String sop, WadoRequest r) {
    return concat(
        pathEnd(() -> get(() -> wado.instances(study, series, sop, r))),
        path("metadata", () -> get(() -> wado.metadata(study, series, sop, r))),
        path("rendered", () -> get(() -> parameterMap(p ->
            rendered.rendered(study, series, sop, null, r, p, false)))),
        path("thumbnail", () -> get(() -> parameterMap(p ->
            rendered.rendered(study, series, sop, null, r, p, true)))),
        path(PathMatchers.segment("bulkdata").slash(PathMatchers.segment()), bulk ->
            get(() -> wado.bulkdata(study, series, sop, bulk, r))),
        pathPrefix("frames", () -> pathPrefix(PathMatchers.segment(), frames -> concat(
            pathEnd(() -> get(() -> wado.frames(study, series, sop, frames, r))),
            path("rendered", () -> get(() -> parameterMap(p -> oneFrame(frames, n ->
                rendered.rendered(study, series, sop, n, r, p, false))))),
            path("thumbnail", () -> get(() -> parameterMap(p -> oneFrame(frames, n ->
                rendered.rendered(study, series, sop, n, r, p, true)))))))));
  }

  private Route oneFrame(String frame, Function<Integer, Route> then) {
    try {
      int n = Integer.parseInt(frame);
      if (n >= 1) {
        return then.apply(n);
      }
    } catch (NumberFormatException e) {
      // below
    }
    return HttpErrors.error(StatusCodes.BAD_REQUEST,
        "a rendered frame is one frame number from 1: " + HttpErrors.clip(frame));
  }

  /** The next path segment as a UID; 400 when it is not one. */
  private Route uid(Function<String, Route> then) {
    return pathPrefix(PathMatchers.segment(), s -> UidSyntax.isValid(s) ? then.apply(s)
        : HttpErrors.error(StatusCodes.BAD_REQUEST,
            "not a valid DICOM UID (PS3.5 §9.1): " + HttpErrors.clip(s)));
  }

  private Route withRequest(Function<WadoRequest, Route> inner) {
    return extractUri(uri -> extractClientIP(ip -> optionalHeaderValueByName("User-Agent", ua ->
        optionalHeaderValueByName("Accept", accept -> parameterOptional("accept", acceptParam ->
            inner.apply(new WadoRequest(uri.path(), address(ip), ua.orElse(""),
                acceptParam.orElse(accept.orElse(null)), baseUrl(uri),
                System.currentTimeMillis())))))));
  }

  static String baseUrl(Uri uri) {
    String host = uri.host().address();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    int port = uri.port();
    boolean defaultPort = port <= 0 || (port == 80 && uri.scheme().equals("http"))
        || (port == 443 && uri.scheme().equals("https"));
    return uri.scheme() + "://" + host + (defaultPort ? "" : ":" + port) + "/dicom-web";
  }

  private static String address(RemoteAddress ip) {
    return ip.getAddress().map(a -> a.getHostAddress() + (ip.getPort() > 0 ? ":" + ip.getPort() : ""))
        .orElse("unknown");
  }

  // -------------------------------------------------------------------------------------- CORS

  private Route cors(java.util.function.Supplier<Route> inner) {
    return optionalHeaderValueByName("Origin", origin -> {
      if (origin.isEmpty() || !allowed(origin.get())) {
        return inner.get();
      }
      List<HttpHeader> headers = new ArrayList<>(List.of(
          RawHeader.create("Access-Control-Allow-Origin",
              settings.corsAllowedOrigins().contains("*") ? "*" : origin.get()),
          RawHeader.create("Access-Control-Expose-Headers", "Content-Type, Content-Location, "
              + "Content-Length, Warning"),
          RawHeader.create("Vary", "Origin")));
      return respondWithHeaders(headers, () -> concat(
          options(() -> optionalHeaderValueByName("Access-Control-Request-Headers", asked ->
              complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
                  RawHeader.create("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                  RawHeader.create("Access-Control-Allow-Headers",
                      asked.orElse("Accept, Content-Type")),
                  RawHeader.create("Access-Control-Max-Age", "600")))))),
          inner.get()));
    });
  }

  private boolean allowed(String origin) {
    return settings.corsAllowedOrigins().contains("*")
        || settings.corsAllowedOrigins().contains(origin);
  }

  // ---------------------------------------------------------------------------------- errors

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(e -> {
      log.atWarn().addKeyValue("event", "dicomweb_error").setCause(e)
          .log("DICOMweb request failed: {}", e.toString());
      return HttpErrors.error(StatusCodes.INTERNAL_SERVER_ERROR,
          "internal error: " + e.getClass().getSimpleName());
    }).build();
  }
}
