// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.annal.archive.audit.QueryAudit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/**
 * C-FINDs read back from audit log lines as logback's JsonEncoder writes them (the encoder itself,
 * set up as {@link LogFiles} sets it up), from the live file and from rolled, gzipped ones.
 */
class AuditLogQueriesTest {
  static final Instant T = Instant.parse("2026-11-30T10:00:00Z");
  static final byte[] IDENTIFIER = {0x08, 0x00, 0x52, 0x00, 'C', 'S', 0x06, 0x00,
      'S', 'T', 'U', 'D', 'Y', ' '};

  /** One audit line as the node writes it (keys and order as IndexFindHandler logs them). */
  static byte[] line(Instant at, String callingAe, String event, boolean withIdentifier) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithFormattedMessage(true);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithContext(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.start();
    LoggingEvent e = new LoggingEvent();
    e.setLoggerContext(context);
    e.setLoggerName(LogFiles.AUDIT_LOGGER);
    e.setLevel(Level.INFO);
    e.setThreadName("t");
    e.setMessage("C-FIND from " + callingAe);
    e.setTimeStamp(at.toEpochMilli());
    List<KeyValuePair> kv = new ArrayList<>();
    kv.add(new KeyValuePair("event", event));
    kv.add(new KeyValuePair("service", "C-FIND"));
    kv.add(new KeyValuePair("calling_ae", callingAe));
    kv.add(new KeyValuePair("called_ae", "ANNAL"));
    kv.add(new KeyValuePair("peer", "127.0.0.1:50001"));
    kv.add(new KeyValuePair("keys", "QueryRetrieveLevel=STUDY"));
    if (withIdentifier) {
      kv.add(new KeyValuePair("sop_class", "1.2.840.10008.5.1.4.1.2.2.1"));
      kv.add(new KeyValuePair("transfer_syntax", "1.2.840.10008.1.2.1"));
      kv.add(new KeyValuePair("query", Base64.getEncoder().encodeToString(IDENTIFIER)));
    }
    kv.add(new KeyValuePair("matches", 3L));
    kv.add(new KeyValuePair("outcome", "completed"));
    e.setKeyValuePairs(kv);
    return encoder.encode(e);
  }

  @Test
  void queriesOfTheWindowFromLiveAndRolledFiles(@TempDir Path logs) throws Exception {
    ByteArrayOutputStream live = new ByteArrayOutputStream();
    live.write(line(T.plusSeconds(10), "LIVE1", "query", true));
    live.write(line(T.plusSeconds(20), "OTHER", "something_else", true));
    live.write(line(T.plusSeconds(7200), "LATER", "query", true));
    live.write("{\"timestamp\":".getBytes(StandardCharsets.UTF_8)); // a line being written
    Files.write(logs.resolve("audit.log"), live.toByteArray());
    try (OutputStream gz = new GZIPOutputStream(
        Files.newOutputStream(logs.resolve("audit.2026-11-30.0.log.gz")))) {
      gz.write(line(T.plusSeconds(5), "ROLLED", "query", false));
      gz.write(line(T.minusSeconds(5), "BEFORE", "query", true));
    }
    // Far outside the window: not even opened (it is not gzip, reading it would fail).
    Files.writeString(logs.resolve("audit.2020-01-01.0.log.gz"), "not gzip");
    Files.writeString(logs.resolve("annal.log"), new String(line(T.plusSeconds(1), "NOTAUDIT",
        "query", true), StandardCharsets.UTF_8));

    List<QueryAudit.Query> found =
        new AuditLogQueries(logs, "node-a", "site-1").read(T, T.plusSeconds(3600), 100);
    assertEquals(List.of("ROLLED", "LIVE1"),
        found.stream().map(QueryAudit.Query::callingAeTitle).toList());
    QueryAudit.Query rolled = found.get(0);
    assertNull(rolled.identifier(), "an older line has no encoded identifier");
    assertEquals("QueryRetrieveLevel=STUDY", rolled.keys());
    QueryAudit.Query live1 = found.get(1);
    assertEquals(T.plusSeconds(10), live1.at());
    assertEquals("ANNAL", live1.calledAeTitle());
    assertEquals("127.0.0.1:50001", live1.peerAddress());
    assertEquals("1.2.840.10008.5.1.4.1.2.2.1", live1.sopClassUid());
    assertEquals("1.2.840.10008.1.2.1", live1.transferSyntaxUid());
    assertArrayEquals(IDENTIFIER, live1.identifier());
    assertEquals("completed", live1.outcome());
    assertEquals("node-a", live1.node());
    assertEquals("site-1", live1.site());
  }

  @Test
  void noLogDirectoryIsNoQueries(@TempDir Path dir) {
    assertEquals(List.of(), new AuditLogQueries(dir.resolve("logs"), "n", null)
        .read(T, T.plusSeconds(1), 100));
  }

  @Test
  void atMostMaxOldestFirstAcrossFiles(@TempDir Path logs) throws Exception {
    // Rolled index 10 is newer than index 9 (numeric, not text order); the live file is newest.
    for (int i : new int[] {9, 10}) {
      try (OutputStream gz = new GZIPOutputStream(
          Files.newOutputStream(logs.resolve("audit.2026-11-30." + i + ".log.gz")))) {
        gz.write(line(T.plusSeconds(i), "R" + i, "query", true));
      }
    }
    Files.write(logs.resolve("audit.log"), line(T.plusSeconds(60), "LIVE", "query", true));
    AuditLogQueries queries = new AuditLogQueries(logs, "n", null);
    assertEquals(List.of("R9", "R10", "LIVE"), queries.read(T, T.plusSeconds(3600), 100).stream()
        .map(QueryAudit.Query::callingAeTitle).toList());
    assertEquals(List.of("R9", "R10"), queries.read(T, T.plusSeconds(3600), 2).stream()
        .map(QueryAudit.Query::callingAeTitle).toList());
  }
}
