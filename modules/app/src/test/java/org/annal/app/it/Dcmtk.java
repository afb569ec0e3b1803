// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The DCMTK 3.6.7 peers the tests drive: echoscu and storescu against the node, dcmdump to read
 * the UIDs of test files, dcmodify to give copies fresh UIDs, and storescp in bit-preserving mode
 * ({@code +B}) as the reference for "the data set bytes the peer sent".
 *
 * <p>Why a reference SCP: storescu re-encodes every data set it sends (group lengths, padding,
 * sequence lengths), so the bytes on the wire differ from the source file's even when no transfer
 * syntax conversion happens. storescp {@code +B} writes what it received without touching it.
 */
final class Dcmtk {
  static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

  /** Every transfer syntax the "AsIs" profile proposes, each in its own presentation context. */
  static final List<String> ALL_SYNTAXES = List.of(
      EXPLICIT_LE, IMPLICIT_LE, EXPLICIT_BE,
      "1.2.840.10008.1.2.1.99", // Deflated Explicit VR Little Endian
      "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.70",
      "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
      "1.2.840.10008.1.2.5");

  private static final Pattern DUMP_FILE = Pattern.compile("^# dcmdump \\(\\d+/\\d+\\): (.+)$");
  private static final Pattern DUMP_UID = Pattern.compile("^\\((\\p{XDigit}{4}),(\\p{XDigit}{4})\\) UI \\[([^\\]]*)\\].*$");

  private Dcmtk() {}

  /** The UIDs of one test file, as DCMTK reads them. */
  record Uids(String sopClassUid, String sopInstanceUid, String studyInstanceUid, String transferSyntaxUid) {}

  static ExternalTool.Run echoscu(Path log, int port, String calledAeTitle) {
    return ExternalTool.run(log, Duration.ofSeconds(60), List.of(
        "echoscu", "-v", "-aec", calledAeTitle, "-aet", "ITSCU", "-to", "20", "-ta", "20", "127.0.0.1",
        Integer.toString(port)));
  }

  /**
   * storescu with {@code -v -nh}: verbose per-file lines for {@link StorescuLog}, and "no halt",
   * so that one file it cannot send does not stop the rest.
   */
  static List<String> storescu(int port, String calledAeTitle, List<String> options, Collection<Path> files) {
    List<String> command = new ArrayList<>(List.of(
        "storescu", "-v", "-nh", "-aec", calledAeTitle, "-aet", "ITSCU", "-to", "30", "-ta", "30"));
    command.addAll(options);
    command.add("127.0.0.1");
    command.add(Integer.toString(port));
    files.forEach(f -> command.add(f.toString()));
    return command;
  }

  /**
   * One storescu per directory, started in parallel (one association each), sending the files of
   * {@code files} that lie directly in that directory, one file per argument (not +sd) so that its
   * "Sending file:" lines name the generator's paths. Logs go to {@code logPrefix-<i>.log}.
   */
  static List<ExternalTool.Started> storescuPerDirectory(
      Path workDir, String logPrefix, int port, List<Path> dirs, Collection<Path> files) {
    List<ExternalTool.Started> senders = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      List<Path> part = files.stream().filter(f -> dir.equals(f.getParent())).toList();
      senders.add(ExternalTool.start(workDir.resolve(logPrefix + "-" + i + ".log"),
          storescu(port, AnnalNode.AE_TITLE, List.of(), part)));
    }
    return senders;
  }

  /** C-STORE Success responses the storescu processes have logged so far. */
  static long successesSoFar(List<ExternalTool.Started> senders) {
    long n = 0;
    for (ExternalTool.Started sender : senders) {
      n += sender.outputSoFar().lines()
          .filter(l -> l.startsWith("I: Received Store Response (Success)")).count();
    }
    return n;
  }

  /**
   * Writes a storescu association profile file with profiles "AsIs" (every transfer syntax in a
   * presentation context of its own, so storescu sends each file in its own syntax if the SCP
   * accepts it) and "OnlyLEI", "OnlyLEE", "OnlyBEE" (one uncompressed syntax only). Unlike
   * {@code -xe}/{@code -xb}, which propose all three uncompressed syntaxes, these pin the
   * negotiated transfer syntax.
   */
  static Path writeProfiles(Path file, Collection<String> sopClassUids) {
    if (sopClassUids.isEmpty()) {
      throw new IllegalArgumentException("no SOP classes for the storescu profiles");
    }
    StringBuilder cfg = new StringBuilder("[[TransferSyntaxes]]\n");
    for (int i = 0; i < ALL_SYNTAXES.size(); i++) {
      cfg.append("[TS").append(i).append("]\nTransferSyntax1 = ").append(ALL_SYNTAXES.get(i)).append('\n');
    }
    cfg.append("[[PresentationContexts]]\n[AsIs]\n");
    int n = 1;
    for (String sopClass : new TreeSet<>(sopClassUids)) {
      for (int i = 0; i < ALL_SYNTAXES.size(); i++) {
        cfg.append("PresentationContext").append(n++).append(" = ").append(sopClass).append("\\TS").append(i).append('\n');
      }
    }
    if (n - 1 > 128) {
      throw new IllegalArgumentException("more than 128 presentation contexts: " + (n - 1));
    }
    Map<String, Integer> single = Map.of("OnlyLEE", 0, "OnlyLEI", 1, "OnlyBEE", 2);
    for (Map.Entry<String, Integer> profile : single.entrySet()) {
      cfg.append('[').append(profile.getKey()).append("]\n");
      int m = 1;
      for (String sopClass : new TreeSet<>(sopClassUids)) {
        cfg.append("PresentationContext").append(m++).append(" = ").append(sopClass).append("\\TS").append(profile.getValue()).append('\n');
      }
    }
    cfg.append("[[Profiles]]\n");
    for (String profile : List.of("AsIs", "OnlyLEE", "OnlyLEI", "OnlyBEE")) {
      cfg.append('[').append(profile).append("]\nPresentationContexts = ").append(profile).append('\n');
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, cfg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The profile that pins {@code transferSyntaxUid}, or "AsIs" for the compressed ones. */
  static String profileFor(String transferSyntaxUid) {
    return switch (transferSyntaxUid) {
      case IMPLICIT_LE -> "OnlyLEI";
      case EXPLICIT_LE -> "OnlyLEE";
      case EXPLICIT_BE -> "OnlyBEE";
      default -> "AsIs";
    };
  }

  /** UIDs of each file by dcmdump; files DCMTK cannot read, or without a SOP class/instance, are absent. */
  static Map<Path, Uids> uids(Path log, Collection<Path> files) {
    List<String> command = new ArrayList<>(List.of(
        "dcmdump", "-q", "-Un", "+p", "+F", "+P", "0002,0010", "+P", "0008,0016", "+P", "0008,0018", "+P", "0020,000d"));
    files.forEach(f -> command.add(f.toString()));
    ExternalTool.Run run = ExternalTool.run(log, Duration.ofSeconds(120), command);
    Map<Path, Map<String, String>> raw = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : run.output().split("\n")) {
      Matcher file = DUMP_FILE.matcher(line);
      Matcher uid = DUMP_UID.matcher(line);
      if (file.matches()) {
        current = new HashMap<>();
        raw.put(Path.of(file.group(1).trim()), current);
      } else if (uid.matches() && current != null) {
        current.put((uid.group(1) + uid.group(2)).toLowerCase(), uid.group(3).trim());
      }
    }
    Map<Path, Uids> result = new LinkedHashMap<>();
    raw.forEach((file, values) -> {
      String sopClass = values.get("00080016");
      String sopInstance = values.get("00080018");
      if (sopClass != null && sopInstance != null) {
        result.put(file, new Uids(sopClass, sopInstance, values.getOrDefault("0020000d", ""),
            values.getOrDefault("00020010", "")));
      }
    });
    return result;
  }

  /** Copies {@code files} into {@code dir} with fresh Study, Series and SOP Instance UIDs. */
  static List<Path> copyWithFreshUids(Path dir, Collection<Path> files) {
    try {
      Files.createDirectories(dir);
      List<Path> copies = new ArrayList<>();
      for (Path file : files) {
        Path copy = dir.resolve(file.getFileName());
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        copy.toFile().setWritable(true);
        ExternalTool.Run run = ExternalTool.run(dir.resolve("dcmodify-" + file.getFileName() + ".log"),
            Duration.ofSeconds(60), List.of("dcmodify", "-nb", "-q", "-gst", "-gse", "-gin", copy.toString()));
        if (run.exitCode() == 0) {
          copies.add(copy);
        } else {
          Files.deleteIfExists(copy); // unreadable by DCMTK: not a storable file either way
        }
      }
      return copies;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code files} with {@code profile} to a bit-preserving storescp that accepts every
   * proposed syntax, and returns the data set bytes it received, by SOP Instance UID, together
   * with storescu's view of each file (to check it converted the same way as towards Annal).
   */
  static Reference capture(Path workDir, Path profiles, String profile, Collection<Path> files) {
    try {
      Path out = workDir.resolve("received");
      Files.createDirectories(out);
      int port = FreePorts.next();
      ExternalTool.Started scp = ExternalTool.start(workDir.resolve("storescp.log"), List.of(
          "storescp", "+xa", "+B", "+uf", "-aet", "REFSCP", "-od", out.toString(), Integer.toString(port)));
      try {
        ExternalTool.Run scu = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // storescp binds asynchronously: retry the association until it listens.
        while (true) {
          List<String> command = storescu(port, "REFSCP", List.of("-xf", profiles.toString(), profile), files);
          scu = ExternalTool.run(workDir.resolve("storescu.log"), Duration.ofSeconds(120), command);
          if (!scu.output().contains("Association Request Failed") || System.nanoTime() > deadline) {
            break;
          }
          if (!scp.process().isAlive()) {
            throw new AssertionError("reference storescp died:\n" + scp.outputSoFar());
          }
        }
        Map<String, StorescuLog.FileResult> results = StorescuLog.parse(scu.output());
        Map<String, byte[]> dataSets = new HashMap<>();
        try (Stream<Path> received = Files.list(out)) {
          for (Path file : received.toList()) {
            Part10File part10 = Part10File.read(file);
            dataSets.put(part10.sopInstanceUid(), part10.dataSet());
          }
        }
        return new Reference(results, dataSets, scu);
      } finally {
        scp.process().destroy();
        scp.process().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new AssertionError("reference capture failed", e);
    }
  }

  /** What the reference SCP received. */
  record Reference(Map<String, StorescuLog.FileResult> results, Map<String, byte[]> dataSets, ExternalTool.Run storescu) {}
}
