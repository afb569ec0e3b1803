// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code annal audit export}: the audit trail of a time window as DICOM audit messages (PS3.15
 * §A.5), from a running node's HTTP API ({@code GET /api/audit}). The XML goes to stdout or, with
 * {@code --out}, to a file written whole or not at all (a temporary file renamed into place).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export the store, access and query events of a time window as DICOM audit "
        + "messages (PS3.15 A.5, XML: one AuditMessage per event in an AuditMessages element).",
        "Queries come from the audit log of the node asked (--http): ask each node of a cluster."})
public final class AuditExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "INSTANT",
      description = "start of the window, included: ISO-8601 instant (2026-11-30T10:00:00Z) or "
          + "epoch milliseconds")
  String from;

  @Option(names = "--to", required = true, paramLabel = "INSTANT",
      description = "end of the window, included (same forms as --from)")
  String to;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
      description = "at most N messages, 1..10000 (default: ${DEFAULT-VALUE}); the root element "
          + "says truncated=\"true\" when the window held more")
  int limit;

  @Option(names = "--out", paramLabel = "FILE", description = "write the XML to FILE, not stdout")
  Path out;

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "HTTP API of a node of the cluster (default: ${DEFAULT-VALUE})")
  String http;

  @Override
  public Integer call() throws Exception {
    String path = "/api/audit?from=" + encode(from) + "&to=" + encode(to) + "&limit=" + limit;
    HttpResponse<byte[]> response = get(path);
    if (response.statusCode() != 200) {
      String message = new String(response.body(), StandardCharsets.UTF_8);
      try {
        message = new ObjectMapper().readTree(message).path("message").asText(message);
      } catch (IOException notJson) {
        // the body as it came
      }
      spec.commandLine().getErr().println("annal audit export: HTTP " + response.statusCode()
          + ": " + message);
      return response.statusCode() == 400 ? 2 : 1;
    }
    if (out == null) {
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(new String(response.body(), StandardCharsets.UTF_8));
      stdout.flush();
    } else {
      Path target = out.toAbsolutePath();
      Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
      try {
        Files.write(tmp, response.body());
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      spec.commandLine().getErr().println("annal audit export: wrote " + target);
    }
    return 0;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + http + path))
        .timeout(Duration.ofSeconds(120)).GET().build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IOException("cannot reach the node's HTTP API at " + http + " (--http): " + e, e);
    }
  }
}
