// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import java.util.Optional;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobNotFoundException;
import org.annal.storage.BlobStore;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-to-node endpoint, on the node's HTTP port, every request signed ({@link InternalAuth}):
 *
 * <pre>
 * GET /internal/blobs/{blobKey}   200 the blob's bytes | 404 not in this node's store | 401 unsigned
 * </pre>
 *
 * A node reads an instance placed on another node through it (issue 3); the caller checks size
 * and SHA-256 against the journal, so a corrupt or truncated transfer never passes as the file.
 */
public final class InternalRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(InternalRoutes.class);
  public static final String BLOBS_PATH = "/internal/blobs/";

  private final BlobStore blobs;
  private final InternalAuth auth;

  public InternalRoutes(BlobStore blobs, InternalAuth auth) {
    this.blobs = blobs;
    this.auth = auth;
  }

  public Route route() {
    return pathPrefix("internal", () -> extractRequest(request -> {
      Optional<String> refused = auth.check(request.method().name(), request.getUri().path(),
          header(request, InternalAuth.NODE_HEADER), header(request, InternalAuth.TIME_HEADER),
          header(request, InternalAuth.SIGNATURE_HEADER));
      if (refused.isPresent()) {
        log.atWarn().addKeyValue("event", "internal_refused")
            .addKeyValue("path", request.getUri().path())
            .log("Refused node-to-node request {}: {}", request.getUri().path(), refused.get());
        return respondWithHeader(
            org.apache.pekko.http.javadsl.model.headers.RawHeader.create("WWW-Authenticate", "Annal-HMAC"),
            () -> complete(StatusCodes.UNAUTHORIZED, refused.get()));
      }
      return pathPrefix("blobs", () -> path(PathMatchers.segment(), key -> get(() -> blob(key))));
    }));
  }

  private Route blob(String key) {
    BlobKey blobKey;
    try {
      blobKey = new BlobKey(key);
    } catch (IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, "not a blob key");
    }
    // Pull the first chunk before answering: a missing file becomes a 404, not a cut-off 200.
    return extractMaterializer(mat -> onComplete(
        blobs.get(blobKey).prefixAndTail(1).runWith(Sink.head(), mat),
        tried -> {
          if (tried.isSuccess()) {
            return complete(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM,
                Source.from(tried.get().first()).concat(tried.get().second())));
          }
          Throwable e = tried.failed().get();
          return e instanceof BlobNotFoundException
              ? complete(StatusCodes.NOT_FOUND, "no blob " + key + " on this node")
              : failWith(e);
        }));
  }

  private static String header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value).orElse(null);
  }
}
