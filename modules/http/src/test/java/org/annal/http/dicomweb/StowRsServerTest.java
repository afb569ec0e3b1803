// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * STOW-RS behind a real pekko-http server on an ephemeral port: what the route test kit cannot
 * show (the socket address attribute, the server-wide body size limit, a client that hangs up).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StowRsServerTest {
  private static final Path DATA = Path.of("/work/shared/testdata/dicom");
  private static final String BOUNDARY = "b0undary";

  record Received(AssociationInfo association, CompletableFuture<byte[]> bytes) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<Received> firstCall = new CompletableFuture<>();
  private ActorSystem system;
  private ServerBinding binding;

  @BeforeAll
  void start() throws Exception {
    // The keys as modules/app's reference.conf sets them; max-content-length small, to show that
    // STOW-RS lifts it.
    system = ActorSystem.create("StowRsServerTest", ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.http.server.remote-address-attribute = on
        pekko.http.server.parsing.max-content-length = 1m
        """).withFallback(ConfigFactory.load()));
    CStoreHandler handler = (association, request, ts) -> {
      CompletableFuture<byte[]> bytes = new CompletableFuture<>();
      Received r = new Received(association, bytes);
      received.add(r);
      firstCall.complete(r);
      return Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), ByteString::concat)
          .mapMaterializedValue(all -> all.whenComplete((b, e) -> {
            if (e != null) {
              bytes.completeExceptionally(e);
            } else {
              bytes.complete(b.toArray());
            }
          }).thenApply(b -> DimseStatus.SUCCESS));
    };
    StowRs stow = new StowRs(handler, "ANNAL", 64L << 20);
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .withSettings(ServerSettings.create(system))
        .bind(stow.route("http://127.0.0.1/dicom-web"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
  }

  private static byte[] multipart(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(part);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  @Test
  void bodyAboveMaxContentLengthIsStreamedAndTheClientAddressRecorded() throws Exception {
    received.clear();
    byte[] ct = Files.readAllBytes(DATA.resolve("CT_small.dcm"));
    // 3 MiB after the CT data set: the fake handler does not parse, it only counts bytes.
    byte[] big = Arrays.copyOf(ct, ct.length + (3 << 20));
    byte[] mr = Files.readAllBytes(DATA.resolve("MR_small.dcm"));
    byte[] body = multipart(big, mr);
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
        .uri(uri("/studies"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type",
            "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/dicom+json",
        response.headers().firstValue("Content-Type").orElse(""));
    assertEquals(2, received.size());
    byte[] stored = received.get(0).bytes().get(5, TimeUnit.SECONDS);
    assertEquals(big.length - 336, stored.length); // CT_small's meta: 132 + 12 + 192
    assertArrayEquals(Arrays.copyOfRange(big, 336, big.length), stored);
    AssociationInfo association = received.get(0).association();
    assertEquals(InetAddress.getByName("127.0.0.1"), association.peerAddress().getAddress());
    assertTrue(association.peerAddress().getPort() > 0, association.toString());
  }

  @Test
  void clientThatHangsUpMidPartFailsThatStore() throws Exception {
    received.clear();
    firstCall = new CompletableFuture<>();
    byte[] ct = Files.readAllBytes(DATA.resolve("CT_small.dcm"));
    byte[] big = Arrays.copyOf(ct, ct.length + (2 << 20));
    byte[] body = multipart(big);
    try (Socket socket = new Socket("127.0.0.1", binding.localAddress().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /studies HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY
          + "\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 1 << 20); // 1 MiB of the part, well past its 256 KiB head
      out.flush();
      firstCall.get(10, TimeUnit.SECONDS); // the part is being handed over; now hang up
    }
    assertEquals(1, received.size(), "the part was handed over before the client left");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> received.get(0).bytes().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() != null, e.toString());
  }
}
