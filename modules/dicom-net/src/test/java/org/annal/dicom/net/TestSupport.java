// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.stream.IOResult;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/** Helpers shared by the tests of this module. */
public final class TestSupport {
  private TestSupport() {}

  public static final Path TESTDATA = Path.of("/work/shared/testdata/dicom");

  /** Waits for {@code condition} until {@code deadline}; fails with {@code what} if it never holds. */
  public static void await(String what, Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + deadline + " waiting for: " + what);
      }
      // Poll interval of a deadline-bounded condition wait (as Awaitility does), not a guess.
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
  }

  /** What a recording handler saw of one C-STORE. */
  public record Received(AssociationInfo association, CStoreRq request, String transferSyntax,
      Path file) {}

  /** A CStoreHandler that streams each data set to a temp file and answers Success. */
  public static final class FileHandler implements CStoreHandler {
    public final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** Requests whose data set stream failed (the association ended before its end). */
    public final ConcurrentLinkedQueue<CStoreRq> failed = new ConcurrentLinkedQueue<>();
    private final Path dir;

    public FileHandler(Path dir) {
      this.dir = dir;
    }

    @Override
    public Sink<ByteString, CompletionStage<DimseStatus>> onCStore(AssociationInfo association,
        CStoreRq request, String transferSyntaxUid) {
      Path file = dir.resolve(java.util.UUID.randomUUID() + ".bin");
      Sink<ByteString, CompletionStage<IOResult>> sink = FileIO.toPath(file);
      return sink.mapMaterializedValue(io -> io.handle((r, failure) -> {
        if (failure != null) {
          failed.add(request);
          throw new java.util.concurrent.CompletionException(failure);
        }
        received.add(new Received(association, request, transferSyntaxUid, file));
        return DimseStatus.SUCCESS;
      }));
    }
  }

  /** The data set bytes of a Part 10 file: what follows its File Meta Information. */
  public static byte[] dataSetBytes(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 144 || !"DICM".equals(new String(all, 128, 4, StandardCharsets.US_ASCII))) {
      return all;
    }
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    // (0002,0000) UL, explicit VR LE: tag 4, VR 2, length 2, value 4
    int groupLength = b.getInt(132 + 8);
    int start = 132 + 12 + groupLength;
    byte[] data = new byte[all.length - start];
    System.arraycopy(all, start, data, 0, data.length);
    return data;
  }

  /** Result of a finished DCMTK tool. */
  public record ToolResult(int exitCode, String output) {}

  /** Runs a DCMTK tool with TCP_NODELAY=1 (stack notes), failing if it runs over 60 s. */
  public static ToolResult run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TCP_NODELAY", "1");
    Process p = pb.start();
    p.getOutputStream().close(); // no stdin: and no pipe left open in this JVM (fd leak checks)
    byte[] out;
    try (java.io.InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new ToolResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The value of a top-level element as dcmdump prints it, e.g. {@code tag = "0008,0018"}. */
  public static String dcmdumpValue(Path file, String tag) throws Exception {
    ToolResult r = run("dcmdump", "-q", "+P", tag, file.toString());
    String line = r.output().lines().filter(l -> l.startsWith("(" + tag + ")")).findFirst()
        .orElseThrow(() -> new AssertionError(tag + " not in " + file + ": " + r.output()));
    int open = line.indexOf('[');
    return line.substring(open + 1, line.indexOf(']', open));
  }

  /** A free TCP port for a DCMTK peer (which cannot bind port 0 and tell us). */
  /**
   * A DICOM server on a free loopback port: C-STORE into files under {@code dir}, C-FIND/C-MOVE/
   * C-GET answered by {@code qr}, move destinations looked up in {@code destinations} (null =
   * unknown).
   */
  public static DicomServerBinding bindQueryRetrieve(org.apache.pekko.actor.ActorSystem system,
      Path dir, InMemoryQueryRetrieve qr,
      java.util.function.Function<String, java.net.InetSocketAddress> destinations)
      throws Exception {
    QueryRetrieveServices services = new QueryRetrieveServices(qr, qr,
        ae -> java.util.Optional.ofNullable(destinations.apply(ae)),
        ScuSettings.defaults().withResponseTimeout(Duration.ofSeconds(10)), 64L * 1024 * 1024);
    return DicomServer.bind(system, DicomServerSettings.defaults().withBind("127.0.0.1", 0),
        new FileHandler(dir), services).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Waits until something listens on 127.0.0.1:port. */
  public static void awaitListening(int port) {
    await("port " + port + " listening", Duration.ofSeconds(10), () -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** Open file descriptors of this JVM (sockets included), from /proc/self/fd. */
  public static int openFileDescriptors() {
    String[] fds = new java.io.File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }
}
