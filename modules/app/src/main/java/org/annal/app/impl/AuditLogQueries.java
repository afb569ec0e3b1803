// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.annal.archive.audit.QueryAudit;

/**
 * Reads the C-FINDs of a time window back from the node's audit log ({@link LogFiles}: {@code
 * audit.log} and its rolled {@code audit.YYYY-MM-DD.N.log.gz}, JSON lines of logback's
 * JsonEncoder, the pairs in {@code kvpList}). Rolled files whose date is more than a day outside
 * the window are not opened (the date in the name is the JVM's local date: a day of slack covers
 * any time zone). A line that does not parse (one being written) is skipped. Internal API.
 */
public final class AuditLogQueries {
  private static final Pattern ROLLED =
      Pattern.compile("audit\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d{1,9})\\.log(\\.gz)?");
  private final ObjectMapper mapper = new ObjectMapper();
  private final Path logDir;
  private final String nodeId;
  private final String site;

  /**
   * @param logDir the node's log directory ({@code DATA_DIR/logs})
   * @param nodeId the node that wrote it (each node writes the audit log of its own data dir;
   *     the lines do not name it)
   * @param site that node's site
   */
  public AuditLogQueries(Path logDir, String nodeId, String site) {
    this.logDir = logDir;
    this.nodeId = nodeId;
    this.site = site;
  }

  /**
   * The queries logged from {@code from} to {@code to} (both included), oldest first, at most
   * {@code max}: files are read oldest first (rolled ones by date, then the live one) and reading
   * stops once {@code max} are found, so a long window does not fill the memory.
   */
  public List<QueryAudit.Query> read(Instant from, Instant to, int max) {
    List<QueryAudit.Query> out = new ArrayList<>();
    for (Path file : files(from, to)) {
      if (out.size() >= max) {
        break;
      }
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
          BufferedReader lines = new BufferedReader(
              new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          QueryAudit.Query q = parse(line);
          if (q != null && !q.at().isBefore(from) && !q.at().isAfter(to)) {
            out.add(q);
            if (out.size() >= max) {
              break;
            }
          }
        }
      } catch (NoSuchFileException rolledMeanwhile) {
        // gone between listing and opening: its lines are in the next file
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the audit log " + file + ": " + e, e);
      }
    }
    out.sort(Comparator.comparing(QueryAudit.Query::at));
    return out;
  }

  private List<Path> files(Instant from, Instant to) {
    LocalDate first = from.atOffset(ZoneOffset.UTC).toLocalDate().minusDays(1);
    LocalDate last = to.atOffset(ZoneOffset.UTC).toLocalDate().plusDays(1);
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(logDir)) {
      return files;
    }
    try (Stream<Path> list = Files.list(logDir)) {
      // Oldest first: audit.2026-11-29.0.log.gz, audit.2026-11-29.1.log.gz, ..., audit.log.
      for (Path p : list.sorted(Comparator.comparing(AuditLogQueries::age)).toList()) {
        String name = p.getFileName().toString();
        Matcher m = ROLLED.matcher(name);
        if (name.equals("audit.log")) {
          files.add(p);
        } else if (m.matches()) {
          LocalDate day = LocalDate.parse(m.group(1));
          if (!day.isBefore(first) && !day.isAfter(last)) {
            files.add(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + logDir + ": " + e, e);
    }
    return files;
  }

  /** Sort key: a rolled file's date and index (numeric), the live file after all of them. */
  private static String age(Path file) {
    Matcher m = ROLLED.matcher(file.getFileName().toString());
    return m.matches() ? m.group(1) + String.format("%09d", Long.parseLong(m.group(2)))
        : "~" + file.getFileName();
  }

  /** One audit log line as a query; null if it is not a C-FIND line or does not parse. */
  QueryAudit.Query parse(String line) {
    // Cheap test first: only C-FIND lines are worth building a JSON tree for.
    if (line.isBlank() || !line.contains("C-FIND")) {
      return null;
    }
    JsonNode json;
    try {
      json = mapper.readTree(line);
    } catch (IOException partial) {
      return null;
    }
    Map<String, String> kv = new HashMap<>();
    JsonNode kvp = json.path("kvpList");
    if (kvp.isArray()) {
      kvp.forEach(pair -> pair.fields().forEachRemaining(e -> kv.put(e.getKey(),
          e.getValue().asText())));
    } else if (kvp.isObject()) {
      kvp.fields().forEachRemaining(e -> kv.put(e.getKey(), e.getValue().asText()));
    }
    if (!"query".equals(kv.get("event")) || !"C-FIND".equals(kv.get("service"))) {
      return null;
    }
    Instant at = timestamp(json.path("timestamp"));
    if (at == null) {
      return null;
    }
    byte[] identifier = null;
    String encoded = kv.get("query");
    if (encoded != null && !encoded.isEmpty()) {
      try {
        identifier = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException notBase64) {
        identifier = null;
      }
    }
    return new QueryAudit.Query(at, kv.get("calling_ae"), kv.get("called_ae"), kv.get("peer"),
        kv.get("sop_class"), kv.get("transfer_syntax"), identifier, kv.get("keys"),
        kv.get("outcome"), nodeId, site);
  }

  private static Instant timestamp(JsonNode t) {
    if (t.isNumber()) {
      return Instant.ofEpochMilli(t.asLong());
    }
    try {
      return t.isTextual() ? Instant.parse(t.asText()) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
