// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code annal audit export} against a stand-in for the node's {@code /api/audit}. */
class AuditExportCommandTest {
  static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<AuditMessages count=\"1\"><AuditMessage/></AuditMessages>\n";
  private HttpServer server;
  private final List<String> queries = new CopyOnWriteArrayList<>();

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/audit", exchange -> {
      String query = exchange.getRequestURI().getQuery();
      queries.add(query);
      boolean bad = query.contains("from=bad");
      byte[] body = (bad ? "{\"status\":400,\"error\":\"Bad Request\",\"message\":\"from is "
          + "neither an ISO-8601 instant nor epoch milliseconds: bad\"}" : XML)
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type",
          bad ? "application/json" : "application/xml; charset=UTF-8");
      exchange.sendResponseHeaders(bad ? 400 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AuditExportCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String http() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void printsTheXmlOfTheWindow() {
    Run run = run("--from", "2026-11-30T10:00:00Z", "--to", "2026-11-30T11:00:00+01:00",
        "--limit", "50", "--http", http());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(XML, run.out());
    // Parameters reach the API URL-encoded ('+' would otherwise read as a space).
    assertEquals(List.of("from=2026-11-30T10:00:00Z&to=2026-11-30T11:00:00+01:00&limit=50"),
        queries);
  }

  @Test
  void writesTheFileWhole(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.xml");
    Files.writeString(file, "old");
    Run run = run("--from", "0", "--to", "1000", "--out", file.toString(), "--http", http());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(XML, Files.readString(file));
    assertEquals("", run.out());
    assertEquals(List.of(file.getFileName()), Files.list(dir).map(Path::getFileName).toList(),
        "no temporary file left behind");
  }

  @Test
  void anApiErrorIsItsMessageAndExit2() {
    Run run = run("--from", "bad", "--to", "1000", "--http", http());
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("HTTP 400: from is neither an ISO-8601 instant"), run.err());
    assertEquals("", run.out());
  }

  @Test
  void fromAndToAreRequired() {
    Run run = run("--from", "0", "--http", http());
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("--to"), run.err());
    assertTrue(queries.isEmpty());
  }

  @Test
  void noNodeAnsweringIsAClearFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Run run = run("--from", "0", "--to", "1", "--http", "127.0.0.1:" + port);
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("cannot reach the node's HTTP API at 127.0.0.1:" + port),
        run.err());
  }
}
