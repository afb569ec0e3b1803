// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.annal.http.JupiterRouteTest;
import org.annal.storage.FileSystemBlobStore;
import org.annal.storage.FileSystemBlobStoreSettings;
import org.annal.storage.StoredBlob;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRoute;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InternalRoutes} over a real filesystem blob store. */
class InternalRoutesTest extends JupiterRouteTest {
  private static final Duration SKEW = Duration.ofSeconds(60);
  private static final String SECRET = "test-cluster-secret";
  private static final byte[] OUTSIDE = "outside the store: must never be served"
      .getBytes(StandardCharsets.US_ASCII);

  /** The serving node's auth (system clock, as in production) and a peer's, same secret. */
  private final InternalAuth serverAuth = InternalAuth.fromSecret(SECRET, SKEW);
  private final InternalAuth peerAuth = InternalAuth.fromSecret(SECRET, SKEW);

  private FileSystemBlobStore store;
  private TestRoute route;
  private byte[] content;
  private StoredBlob stored;

  @BeforeEach
  void openStoreWithOneBlob(@TempDir Path temp) throws Exception {
    // A file next to the store's root: what a path traversal would reach for.
    Files.write(temp.resolve("secret.txt"), OUTSIDE);
    store = FileSystemBlobStore.open(system(),
        FileSystemBlobStoreSettings.of(temp.resolve("store")));
    Files.write(temp.resolve("store").resolve("secret.txt"), OUTSIDE);
    content = new byte[300_000]; // more than one 256 KiB read chunk
    new Random(7).nextBytes(content);
    stored = Source.single(ByteString.fromArray(content)).runWith(store.put(), system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    route = testRoute(new InternalRoutes(store, serverAuth).route());
  }

  private static HttpRequest signed(InternalAuth auth, HttpRequest request, String node) {
    String[] h = auth.sign(request.method().name(), request.getUri().path(), node);
    return request.addHeaders(List.of(
        RawHeader.create(InternalAuth.NODE_HEADER, h[0]),
        RawHeader.create(InternalAuth.TIME_HEADER, h[1]),
        RawHeader.create(InternalAuth.SIGNATURE_HEADER, h[2])));
  }

  /**
   * A GET of {@code path} on this node. Absolute, as a peer sends it: Pekko removes dot segments
   * when it parses an absolute URI, so the path signed is the path the route checks.
   */
  private static HttpRequest get(String path) {
    return HttpRequest.GET("http://annal-a.example:8080" + path);
  }

  private HttpRequest signedGet(String path) {
    return signed(peerAuth, get(path), "node-b");
  }

  private String blobPath() {
    return InternalRoutes.BLOBS_PATH + stored.key().value();
  }

  private void assertNeverOutside(TestRouteResult result, String what) {
    assertNotEquals(200, result.statusCode(), what);
    String body = result.entityString();
    assertTrue(!body.contains(new String(OUTSIDE, StandardCharsets.US_ASCII)), what + ": " + body);
  }

  @Test
  void signedGetReturnsExactlyTheBlobsBytes() {
    TestRouteResult result = route.run(signedGet(blobPath()))
        .assertStatusCode(200)
        .assertMediaType("application/octet-stream");
    assertArrayEquals(content, result.entityBytes().toArray());
  }

  @Test
  void emptyBlobIsServedAsEmpty() throws Exception {
    StoredBlob empty = Source.<ByteString>empty().runWith(store.put(), system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestRouteResult result = route.run(signedGet(InternalRoutes.BLOBS_PATH + empty.key().value()))
        .assertStatusCode(200);
    Assertions.assertEquals(0, result.entityBytes().size());
  }

  @Test
  void unsignedRequestIs401() {
    TestRouteResult result = route.run(get(blobPath())).assertStatusCode(401);
    assertTrue(result.entityString().contains("missing"), result.entityString());
  }

  @Test
  void badSignatureIs401() {
    HttpRequest request = get(blobPath());
    String[] h = peerAuth.sign("GET", request.getUri().path(), "node-b");
    String tampered = (h[2].charAt(0) == '0' ? "1" : "0") + h[2].substring(1);
    TestRouteResult result = route.run(request.addHeaders(List.of(
            RawHeader.create(InternalAuth.NODE_HEADER, h[0]),
            RawHeader.create(InternalAuth.TIME_HEADER, h[1]),
            RawHeader.create(InternalAuth.SIGNATURE_HEADER, tampered))))
        .assertStatusCode(401);
    assertTrue(result.entityString().contains("bad signature"), result.entityString());
  }

  @Test
  void otherSecretIs401() {
    InternalAuth stranger = InternalAuth.fromSecret("", SKEW);
    route.run(signed(stranger, get(blobPath()), "node-b")).assertStatusCode(401);
  }

  @Test
  void signatureOfAnotherPathIs401() {
    // A signature captured for one blob does not open another.
    HttpRequest request = get(blobPath());
    String[] h = peerAuth.sign("GET", InternalRoutes.BLOBS_PATH + "0123456789abcdef", "node-b");
    route.run(request.addHeaders(List.of(
            RawHeader.create(InternalAuth.NODE_HEADER, h[0]),
            RawHeader.create(InternalAuth.TIME_HEADER, h[1]),
            RawHeader.create(InternalAuth.SIGNATURE_HEADER, h[2]))))
        .assertStatusCode(401);
  }

  @Test
  void staleSignatureIs401() {
    InternalAuth pastPeer = new InternalAuth(SECRET.getBytes(StandardCharsets.UTF_8), SKEW,
        Clock.fixed(Instant.now().minus(Duration.ofMinutes(5)), ZoneOffset.UTC));
    TestRouteResult result = route.run(signed(pastPeer, get(blobPath()), "node-b"))
        .assertStatusCode(401);
    assertTrue(result.entityString().contains("away from ours"), result.entityString());
  }

  @Test
  void unknownWellFormedKeyIs404() {
    String missing = stored.key().value().startsWith("0") ? "1" + stored.key().value().substring(1)
        : "0" + stored.key().value().substring(1);
    TestRouteResult result = route.run(signedGet(InternalRoutes.BLOBS_PATH + missing))
        .assertStatusCode(404);
    assertTrue(result.entityString().contains(missing), result.entityString());
  }

  @Test
  void malformedKeysAreRefusedAndNeverReachOutsideTheStore() {
    for (String path : List.of(
        InternalRoutes.BLOBS_PATH + "..%2F..%2Fsecret.txt",
        InternalRoutes.BLOBS_PATH + "..%2Fsecret.txt",
        InternalRoutes.BLOBS_PATH + "..%2F..",
        InternalRoutes.BLOBS_PATH + "ABC",
        InternalRoutes.BLOBS_PATH + "ABCDEF0123456789",
        InternalRoutes.BLOBS_PATH + "secret.txt",
        InternalRoutes.BLOBS_PATH + "%2E%2E",
        InternalRoutes.BLOBS_PATH + "0123456789abcdef%2F..%2F..%2Fsecret.txt",
        InternalRoutes.BLOBS_PATH + "../secret.txt",
        InternalRoutes.BLOBS_PATH + "../../secret.txt",
        InternalRoutes.BLOBS_PATH + stored.key().value() + "/..%2F..%2F..%2F..%2Fsecret.txt")) {
      TestRouteResult result = route.run(signedGet(path));
      int status = result.statusCode();
      assertTrue(status == 400 || status == 404, path + " gave " + status);
      assertNeverOutside(result, path);
    }
  }

  @Test
  void malformedKeyIs400() {
    TestRouteResult result = route.run(signedGet(InternalRoutes.BLOBS_PATH + "ABC"))
        .assertStatusCode(400);
    assertTrue(result.entityString().contains("not a blob key"), result.entityString());
    route.run(signedGet(InternalRoutes.BLOBS_PATH + "..%2F..")).assertStatusCode(400);
  }

  @Test
  void onlyGetIsServedEvenWhenSigned() {
    HttpRequest delete = signed(peerAuth, get(blobPath()).withMethod(HttpMethods.DELETE), "node-b");
    TestRouteResult result = route.run(delete);
    assertNotEquals(200, result.statusCode());
    Assertions.assertEquals(405, result.statusCode());
    route.run(signedGet(blobPath())).assertStatusCode(200);
  }
}
