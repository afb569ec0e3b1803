// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The DCMTK 3.6.7 Query/Retrieve peers {@link QueryRetrieveIT} drives, and what their output says:
 * findscu (responses extracted with {@code -X}, read back with dcmdump), movescu and getscu (the
 * final C-MOVE-RSP / C-GET-RSP as {@code -d} dumps it), storescp as Move Destination.
 *
 * <p>Response values are read from dcmdump's output as bytes and decoded with the response's own
 * Specific Character Set, so a test sees both the declared character set and the decoded text.
 */
final class DcmtkQr {
  static final String STUDY_ROOT = "-S";
  static final String PATIENT_ROOT = "-P";

  private static final Pattern DUMP_FILE = Pattern.compile("^# dcmdump \\(\\d+/\\d+\\): (.+)$");
  // DOTALL: values are read as ISO-8859-1, and a UTF-8 byte 0x85 (in "Å") is then U+0085, which
  // "." would not match as a line terminator.
  private static final Pattern DUMP_ELEMENT = Pattern.compile(
      "^\\((\\p{XDigit}{4}),(\\p{XDigit}{4})\\) (\\S\\S) (.*?)\\s+#\\s*(?:\\d+|u/l),\\s*\\d+\\s+\\S+\\s*$",
      Pattern.DOTALL);
  private static final Pattern FIELD = Pattern.compile("^(?:[A-Z]: )?([A-Za-z][A-Za-z -]*?)\\s*: (.*)$");
  private static final Pattern HEX_STATUS = Pattern.compile("0x(\\p{XDigit}{4})");

  private DcmtkQr() {}

  /** One element of a response: its VR and its value decoded ("" when empty, the SQ summary for sequences). */
  record Value(String vr, String text) {}

  /** A C-FIND response identifier: elements by tag (group << 16 | element), in file order. */
  record Response(Map<Integer, Value> elements) {
    boolean has(int tag) {
      return elements.containsKey(tag);
    }

    String get(int tag) {
      Value v = elements.get(tag);
      return v == null ? null : v.text();
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder("{");
      elements.forEach((tag, v) -> out.append(String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF))
          .append('=').append(v.text()).append(' '));
      return out.append('}').toString();
    }
  }

  /**
   * A findscu run: the final C-FIND-RSP status (-1 if none arrived), DCMTK's text for it
   * ("0xa700: Refused: Out of resources"), the responses.
   */
  record Find(ExternalTool.Run run, int status, String statusText, List<Response> responses) {
    String describe() {
      return String.format("final status %04X (%s), %d responses%n%s%nresponses: %s", status, statusText,
          responses.size(), run.describe(), responses);
    }
  }

  /** The final C-MOVE-RSP / C-GET-RSP: status code and sub-operation counts (-1 when absent). */
  record Retrieve(ExternalTool.Run run, int status, int remaining, int completed, int failed, int warning,
      int pendingResponses) {
    String describe() {
      return String.format("final status %04X, remaining %d, completed %d, failed %d, warning %d, %d pending responses%n%s",
          status, remaining, completed, failed, warning, pendingResponses, run.describe());
    }
  }

  /**
   * findscu against the node: {@code keys} as {@code -k} options ("Keyword=value" or
   * "(gggg,eeee)=value"), {@code queryFile} (may be null) as the base identifier.
   */
  static Find findscu(Path dir, int port, String model, String callingAe, List<String> keys, Path queryFile) {
    Path out = dir.resolve("responses");
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(
        "findscu", "-d", model, "-aet", callingAe, "-aec", AnnalNode.AE_TITLE,
        "-to", "20", "-ta", "20", "-td", "60", "-X", "-od", out.toString()));
    for (String key : keys) {
      command.add("-k");
      command.add(key);
    }
    command.add("127.0.0.1");
    command.add(Integer.toString(port));
    if (queryFile != null) {
      command.add(queryFile.toString());
    }
    ExternalTool.Run run = ExternalTool.run(dir.resolve("findscu.log"), Duration.ofSeconds(90), command);
    Map<String, String> last = lastBlock(run.output(), "C-FIND RSP");
    String statusText = last == null ? null : last.get("DIMSE Status");
    Matcher hex = HEX_STATUS.matcher(statusText == null ? "" : statusText);
    return new Find(run, hex.find() ? Integer.parseInt(hex.group(1), 16) : -1, statusText, responses(dir, out));
  }

  /** The rsp*.dcm files findscu wrote, in order, read with dcmdump. */
  private static List<Response> responses(Path dir, Path out) {
    List<Path> files;
    try (Stream<Path> list = Files.list(out)) {
      files = list.filter(f -> f.getFileName().toString().startsWith("rsp")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.isEmpty()) {
      return List.of();
    }
    Map<Path, Response> dumped = dump(dir.resolve("dcmdump.log"), files);
    List<Response> result = new ArrayList<>();
    for (Path file : files) {
      Response r = dumped.get(file);
      if (r == null) {
        throw new AssertionError("dcmdump said nothing about " + file + "\n" + ExternalTool.read(dir.resolve("dcmdump.log")));
      }
      result.add(r);
    }
    return result;
  }

  /** Top-level data set elements of each file, values decoded with its Specific Character Set. */
  static Map<Path, Response> dump(Path log, List<Path> files) {
    List<String> command = new ArrayList<>(List.of("dcmdump", "-q", "-Un", "+L", "+F"));
    files.forEach(f -> command.add(f.toString()));
    ExternalTool.Run run = ExternalTool.run(log, Duration.ofSeconds(60), command);
    if (run.exitCode() != 0) {
      throw new AssertionError("dcmdump failed\n" + run.describe());
    }
    String raw;
    try {
      // ISO-8859-1 keeps every byte as one char: values are decoded below with their own charset.
      raw = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<Path, Map<Integer, String[]>> byFile = new LinkedHashMap<>();
    Map<Integer, String[]> current = null;
    boolean inDataSet = false;
    for (String line : raw.split("\r?\n")) {
      Matcher file = DUMP_FILE.matcher(line);
      if (file.matches()) {
        current = new LinkedHashMap<>();
        byFile.put(Path.of(file.group(1).trim()), current);
        inDataSet = false;
        continue;
      }
      if (line.startsWith("# Dicom-Data-Set")) {
        inDataSet = true;
        continue;
      }
      Matcher element = DUMP_ELEMENT.matcher(line);
      if (current != null && inDataSet && element.matches()) { // nested items are indented: not matched
        int tag = Integer.parseInt(element.group(1), 16) << 16 | Integer.parseInt(element.group(2), 16);
        current.put(tag, new String[] {element.group(3), element.group(4).trim()});
      }
    }
    Map<Path, Response> result = new LinkedHashMap<>();
    byFile.forEach((file, elements) -> {
      String[] charsetElement = elements.get(0x00080005);
      Charset charset = charsetOf(charsetElement == null ? null : text(charsetElement[1]));
      Map<Integer, Value> values = new LinkedHashMap<>();
      elements.forEach((tag, e) -> {
        String text = e[0].equals("SQ") ? e[1] : text(e[1]);
        values.put(tag, new Value(e[0], new String(text.getBytes(StandardCharsets.ISO_8859_1), charset)));
      });
      result.put(file, new Response(values));
    });
    return result;
  }

  /** dcmdump's value column: "[text]", "(no value available)", or numbers as they are. */
  private static String text(String column) {
    if (column.startsWith("(no value available)")) {
      return "";
    }
    if (column.startsWith("[") && column.endsWith("]")) {
      return column.substring(1, column.length() - 1);
    }
    return column;
  }

  static Charset charsetOf(String specificCharacterSet) {
    if (specificCharacterSet == null || specificCharacterSet.isBlank()) {
      return StandardCharsets.US_ASCII;
    }
    return switch (specificCharacterSet.strip()) {
      case "ISO_IR 192" -> StandardCharsets.UTF_8;
      case "ISO_IR 100" -> StandardCharsets.ISO_8859_1;
      default -> throw new AssertionError("Specific Character Set not expected here: " + specificCharacterSet);
    };
  }

  /** movescu (debug output, for the counts of the final response) to {@code destination}. */
  static ExternalTool.Started startMovescu(Path log, int port, String model, String callingAe, String destination,
      List<String> options, List<String> keys) {
    List<String> command = new ArrayList<>(List.of(
        "movescu", "-d", model, "-aet", callingAe, "-aec", AnnalNode.AE_TITLE, "-aem", destination,
        "-to", "20", "-ta", "20", "-td", "120"));
    command.addAll(options);
    for (String key : keys) {
      command.add("-k");
      command.add(key);
    }
    command.add("127.0.0.1");
    command.add(Integer.toString(port));
    return ExternalTool.start(log, command);
  }

  static Retrieve movescu(Path log, int port, String model, String callingAe, String destination,
      List<String> options, List<String> keys) {
    return retrieve(startMovescu(log, port, model, callingAe, destination, options, keys).await(Duration.ofSeconds(180)),
        "C-MOVE RSP");
  }

  /** getscu (C-GET; the data sets arrive on the same association) into {@code out}, bit-preserving. */
  static Retrieve getscu(Path log, Path out, int port, String model, String callingAe, List<String> keys) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(
        "getscu", "-d", model, "-aet", callingAe, "-aec", AnnalNode.AE_TITLE,
        "-to", "20", "-ta", "20", "-td", "120", "+B", "-od", out.toString()));
    for (String key : keys) {
      command.add("-k");
      command.add(key);
    }
    command.add("127.0.0.1");
    command.add(Integer.toString(port));
    return retrieve(ExternalTool.run(log, Duration.ofSeconds(180), command), "C-GET RSP");
  }

  /**
   * The last {@code messageType} block of a {@code -d} output (DIMSE_dumpMessage):
   * <pre>
   * D: Message Type                  : C-MOVE RSP
   * D: Remaining Suboperations       : none
   * D: Completed Suboperations       : 5
   * D: DIMSE Status                  : 0x0000: Success
   * </pre>
   */
  static Retrieve retrieve(ExternalTool.Run run, String messageType) {
    List<Map<String, String>> blocks = blocks(run.output(), messageType);
    if (blocks.isEmpty()) {
      return new Retrieve(run, -1, -1, -1, -1, -1, 0);
    }
    Map<String, String> last = blocks.get(blocks.size() - 1);
    Matcher status = HEX_STATUS.matcher(last.getOrDefault("DIMSE Status", ""));
    return new Retrieve(run, status.find() ? Integer.parseInt(status.group(1), 16) : -1,
        count(last, "Remaining Suboperations"), count(last, "Completed Suboperations"),
        count(last, "Failed Suboperations"), count(last, "Warning Suboperations"), blocks.size() - 1);
  }

  private static Map<String, String> lastBlock(String output, String messageType) {
    List<Map<String, String>> blocks = blocks(output, messageType);
    return blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
  }

  /** The fields of each dumped DIMSE message of {@code messageType}, in order. */
  private static List<Map<String, String>> blocks(String output, String messageType) {
    List<Map<String, String>> blocks = new ArrayList<>();
    Map<String, String> block = null;
    for (String line : output.split("\r?\n")) {
      if (line.contains("END DIMSE MESSAGE")) {
        block = null;
        continue;
      }
      Matcher field = FIELD.matcher(line);
      if (!field.matches()) {
        continue;
      }
      String name = field.group(1).trim();
      String value = field.group(2).trim();
      if (name.equals("Message Type")) {
        block = value.equals(messageType) ? new LinkedHashMap<>() : null;
        if (block != null) {
          blocks.add(block);
        }
      }
      if (block != null) {
        block.putIfAbsent(name, value);
      }
    }
    return blocks;
  }

  private static int count(Map<String, String> block, String name) {
    String value = block.get(name);
    if (value == null) {
      return -1;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException none) {
      return -1;
    }
  }

  /**
   * storescp as a Move Destination: bit-preserving ({@code +B}: the data sets exactly as they
   * arrived), every file under {@code out}. Returns once it answers a C-ECHO.
   */
  static ExternalTool.Started storescp(Path dir, Path out, int port, String aeTitle) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ExternalTool.Started scp = ExternalTool.start(dir.resolve("storescp.log"), List.of(
        "storescp", "-v", "+B", "-aet", aeTitle, "-od", out.toString(), Integer.toString(port)));
    Await.until(Duration.ofSeconds(30), "storescp listening on " + port, () -> {
      if (!scp.process().isAlive()) {
        throw new AssertionError("storescp exited:\n" + scp.outputSoFar());
      }
      return Dcmtk.echoscu(dir.resolve("echoscu-storescp.log"), port, aeTitle).exitCode() == 0;
    }, scp::outputSoFar);
    return scp;
  }

  /** The data sets of every PS3.10 file in {@code dir}, by the SOP Instance UID of its meta information. */
  static Map<String, byte[]> receivedDataSets(Path dir) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        Part10File part10 = Part10File.read(file);
        if (out.put(part10.sopInstanceUid(), part10.dataSet()) != null) {
          throw new AssertionError("received twice: " + part10.sopInstanceUid() + " (" + file + ")");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static long fileCount(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      return 0;
    }
  }
}
