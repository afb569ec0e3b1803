// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One Annal node ({@code annal run}) in its own JVM, so that a test can SIGTERM it or SIGKILL it
 * mid-stream like an operator or a power cut would. Its embedded Cassandra is a further child
 * process (pid in {@code DATA_DIR/cassandra/cassandra.pid}).
 *
 * <p>Every listener gets an ephemeral port, fresh at each start. Nothing this class starts may
 * outlive the test JVM: {@link #close()} and a shutdown hook SIGKILL what is still alive.
 */
final class AnnalNode implements AutoCloseable {
  static final String AE_TITLE = "ANNAL";
  static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);
  static final String READY_LINE = "Annal ready";

  private final String name;
  private final Path workDir;
  private final Path dataDir;
  private final List<String> extraConfig;
  private final Set<ProcessHandle> started = new LinkedHashSet<>();
  private final Thread killer = new Thread(this::killEverything, "kill-annal-node");
  private int starts;
  private Process process;
  private Path log;
  private Path lastConfig;
  private int dicomPort;
  private int httpPort;
  private int cassandraNativePort;
  private int fixedClusterPort;
  private int managementPort;

  /**
   * @param name directory under target/it where logs and the data directory go
   * @param extraConfig HOCON lines appended to the node's --config file
   */
  AnnalNode(String name, List<String> extraConfig) {
    preloadTestClasses();
    this.name = name;
    this.workDir = itDirectory(name);
    this.dataDir = workDir.resolve("data");
    this.extraConfig = List.copyOf(extraConfig);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * A fresh directory for this run: {@code target/it/<name>/run-<time>-<pid>}, with a {@code latest}
   * link to it. Runs of the same test by other builds in this tree (several engineers run the
   * module's ITs) must not delete each other's data directories, so only run directories whose
   * owning JVM is gone are removed.
   */
  static Path itDirectory(String name) {
    Path base = moduleDirectory().resolve("target").resolve("it").resolve(name);
    long pid = ProcessHandle.current().pid();
    try {
      Files.createDirectories(base);
      try (var siblings = Files.list(base)) {
        for (Path sibling : siblings.toList()) {
          Path owner = sibling.resolve("owner.pid");
          if (Files.isDirectory(sibling, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(owner)
              && ProcessHandle.of(Long.parseLong(Files.readString(owner).trim())).map(ProcessHandle::isAlive).orElse(false)) {
            continue;
          }
          if (!Files.isSymbolicLink(sibling)) {
            deleteTree(sibling);
          }
        }
      }
      Path dir = base.resolve("run-" + java.time.LocalDateTime.now().format(
          java.time.format.DateTimeFormatter.ofPattern("HHmmss")) + "-" + pid);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("owner.pid"), Long.toString(pid));
      Path latest = base.resolve("latest");
      Files.deleteIfExists(latest);
      Files.createSymbolicLink(latest, dir.getFileName());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Loads every class of this package now. target/test-classes is shared with the other builds of
   * this module in the same tree, whose compiler deletes and rewrites class files while these
   * tests run; a class first needed minutes into a test would then be missing
   * (NoClassDefFoundError, seen in practice).
   */
  private static void preloadTestClasses() {
    try {
      java.net.URL location = AnnalNode.class.getProtectionDomain().getCodeSource().getLocation();
      Path root = Path.of(location.toURI());
      Path dir = root.resolve(AnnalNode.class.getPackageName().replace('.', '/'));
      if (!Files.isDirectory(dir)) {
        return; // running from a jar: nothing can vanish
      }
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          String simple = file.getFileName().toString();
          if (simple.endsWith(".class")) {
            Class.forName(AnnalNode.class.getPackageName() + "." + simple.substring(0, simple.length() - 6));
          }
        }
      }
    } catch (Exception | LinkageError e) {
      System.err.println("[it] could not preload test classes: " + e);
    }
  }

  /** modules/app: Failsafe runs with it as working directory and sets {@code basedir}. */
  static Path moduleDirectory() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  }

  static Path repositoryRoot() {
    Path dir = moduleDirectory();
    while (dir != null && !Files.isDirectory(dir.resolve("modules").resolve("cassandra-dist"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root above " + moduleDirectory());
    }
    return dir;
  }

  /** The test classpath, which holds the app and all its dependencies. */
  static String testClasspath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  private static String snapshot;

  /**
   * The test classpath with Annal's own entries (this module's jar and classes, the annal-* jars in
   * ~/.m2) copied once per test JVM under target/it/classpath-&lt;pid&gt;. Other builds in this tree
   * rewrite those files while a node runs; a JVM whose jar is rewritten under it fails with
   * NoClassDefFoundError (seen in practice), which would be blamed on the node.
   */
  static synchronized String classpath() {
    if (snapshot != null) {
      return snapshot;
    }
    Path dir = moduleDirectory().resolve("target").resolve("it").resolve("classpath-" + ProcessHandle.current().pid());
    List<String> entries = new ArrayList<>();
    int index = 0;
    try {
      Files.createDirectories(dir.getParent());
      try (var old = Files.list(dir.getParent())) {
        for (Path stale : old.toList()) {
          String name = stale.getFileName().toString();
          if (name.startsWith("classpath-") && !stale.equals(dir)
              && ProcessHandle.of(Long.parseLong(name.substring("classpath-".length()))).isEmpty()) {
            deleteTree(stale);
          }
        }
      }
      for (String entry : testClasspath().split(java.io.File.pathSeparator)) {
        Path path = Path.of(entry);
        boolean ours = path.toAbsolutePath().startsWith(moduleDirectory().resolve("target"))
            || entry.contains("/org/annal/");
        if (!ours || !Files.exists(path)) {
          entries.add(entry);
          continue;
        }
        Path copy = dir.resolve((index++) + "-" + path.getFileName());
        if (Files.isDirectory(path)) {
          try (var walk = Files.walk(path)) {
            for (Path source : walk.toList()) {
              Path target = copy.resolve(path.relativize(source).toString());
              if (Files.isDirectory(source)) {
                Files.createDirectories(target);
              } else {
                Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
              }
            }
          }
        } else {
          Files.createDirectories(dir);
          Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          try (var zip = new java.util.zip.ZipFile(copy.toFile())) {
            zip.size(); // fails now, not in the node, if we copied a jar being rewritten
          }
        }
        entries.add(copy.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot snapshot the classpath into " + dir, e);
    }
    snapshot = String.join(java.io.File.pathSeparator, entries);
    return snapshot;
  }

  /**
   * Cassandra's jars: modules/cassandra-dist/target/lib, or the directory in the system property
   * {@code annal.it.cassandra.lib} (for a run against another Cassandra build).
   */
  static Path cassandraLib() {
    String override = System.getProperty("annal.it.cassandra.lib", "");
    return override.isBlank() ? repositoryRoot().resolve("modules/cassandra-dist/target/lib") : Path.of(override);
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The command line of {@code annal <args>} in a new JVM (for run, store, verify, echo). */
  static List<String> annalCommand(List<String> args) {
    List<String> command = new ArrayList<>(List.of(
        javaBinary(), "-Xmx1g", "-XX:+UseSerialGC", "-cp", classpath(),
        "-Dannal.cassandra.lib=" + cassandraLib(),
        "org.annal.app.Main"));
    command.addAll(args);
    return command;
  }

  /**
   * Keeps the cluster port the same at every start (a cluster member's address is in the other
   * nodes' seed lists); by default each start takes a fresh one.
   */
  AnnalNode clusterPort(int port) {
    this.fixedClusterPort = port;
    return this;
  }

  Path workDir() {
    return workDir;
  }

  Path dataDir() {
    return dataDir;
  }

  int dicomPort() {
    return dicomPort;
  }

  int httpPort() {
    return httpPort;
  }

  /** Port of Pekko Management's HTTP (/cluster/members, /ready). */
  int managementPort() {
    return managementPort;
  }

  /** "127.0.0.1:port" of the embedded Cassandra, for {@code annal verify --cassandra}. */
  String cassandraAddress() {
    return "127.0.0.1:" + cassandraNativePort;
  }

  Path log() {
    return log;
  }

  Process process() {
    return process;
  }

  /** Starts the node and waits for its ready line; fails with the log tail if it does not come. */
  AnnalNode start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    starts++;
    dicomPort = FreePorts.next();
    httpPort = FreePorts.next();
    cassandraNativePort = FreePorts.next();
    int clusterPort = fixedClusterPort > 0 ? fixedClusterPort : FreePorts.next();
    int cassandraStoragePort = FreePorts.next();
    try {
      Path config = workDir.resolve("annal-" + starts + ".conf");
      List<String> lines = new ArrayList<>(List.of(
          "# written by " + AnnalNode.class.getName(),
          "annal.cassandra.embedded.native-port = " + cassandraNativePort,
          "annal.cassandra.embedded.storage-port = " + cassandraStoragePort,
          "pekko.management.http.port = " + (managementPort = FreePorts.next())));
      lines.addAll(extraConfig);
      Files.write(config, lines, StandardCharsets.UTF_8);
      lastConfig = config;
      log = workDir.resolve("node-" + starts + ".log");
      ProcessBuilder builder = new ProcessBuilder(annalCommand(List.of(
          "run",
          "--data-dir", dataDir.toString(),
          "--dicom-port", Integer.toString(dicomPort),
          "--http-port", Integer.toString(httpPort),
          "--ae-title", AE_TITLE,
          "--cluster-port", Integer.toString(clusterPort),
          "--config", config.toString())));
      builder.redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      long begin = System.nanoTime();
      process = builder.start();
      started.add(process.toHandle());
      Await.until(READY_TIMEOUT, "\"" + READY_LINE + "\" in " + log,
          () -> {
            if (!process.isAlive()) {
              fail("node exited with " + process.exitValue() + " before it was ready; log " + log + ":\n" + tail(80));
            }
            rememberCassandra();
            String text = ExternalTool.read(log);
            if (text.contains("Exception in thread \"main\"")) {
              fail("node's main thread died before it was ready; log " + log + ":\n" + tail(80));
            }
            return text.contains(READY_LINE);
          },
          () -> tail(80));
      rememberCassandra();
      System.out.printf("[it] %s start %d ready after %.1f s (dicom %d, http %d, cassandra %d)%n",
          name, starts, (System.nanoTime() - begin) / 1e9, dicomPort, httpPort, cassandraNativePort);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code annal verify} on this node's data directory. The node must be stopped: verify takes the
   * data directory's lock and starts the embedded Cassandra itself, on the ports of the node's last
   * config file. Its Cassandra must be gone when it returns.
   */
  ExternalTool.Run verify(String logName) {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("annal verify needs the node stopped (it takes the data dir lock)");
    }
    long begin = System.nanoTime();
    ExternalTool.Run run = ExternalTool.run(workDir.resolve(logName), Duration.ofSeconds(300), annalCommand(List.of(
        "verify", "--data-dir", dataDir.toString(), "--config", lastConfig.toString())));
    System.out.printf("[it] %s verify exit %d after %.1f s%n", name, run.exitCode(), (System.nanoTime() - begin) / 1e9);
    Optional<ProcessHandle> cassandra = cassandraProcess();
    if (cassandra.isPresent() && !Await.within(Duration.ofSeconds(60), () -> !cassandra.get().isAlive())) {
      cassandra.get().destroyForcibly();
      fail("annal verify left its embedded Cassandra (pid " + cassandra.get().pid() + ") running\n" + run.describe());
    }
    return run;
  }

  /** The numbers of verify's summary line ("studies 2, instances 400, ... ok 400, mismatched 0, ..."). */
  static java.util.Map<String, Long> verifySummary(ExternalTool.Run run) {
    java.util.Map<String, Long> numbers = new java.util.LinkedHashMap<>();
    for (String line : run.output().split("\n")) {
      if (line.startsWith("studies ")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z][a-z ]*?) (\\d+)").matcher(line);
        while (m.find()) {
          numbers.put(m.group(1).replaceFirst("^[, ]+", "").trim(), Long.parseLong(m.group(2)));
        }
      }
    }
    if (numbers.isEmpty()) {
      fail("no summary line in annal verify's output\n" + run.describe());
    }
    return numbers;
  }

  /** Another {@code annal} subcommand (store, echo) in its own JVM. */
  ExternalTool.Run cli(String logName, List<String> args) {
    return ExternalTool.run(workDir.resolve(logName), Duration.ofSeconds(300), annalCommand(args));
  }

  /**
   * SIGTERM, then waits for the node to exit; returns its exit code. Afterwards the embedded
   * Cassandra must be gone too (the node stops it last); if either is still alive at the deadline
   * they are killed and the test fails.
   */
  int stop() {
    Optional<ProcessHandle> cassandra = cassandraProcess();
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        String tail = tail(60);
        killEverything();
        fail("node did not exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM:\n" + tail);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    if (cassandra.isPresent() && !Await.within(Duration.ofSeconds(30), () -> !cassandra.get().isAlive())) {
      killEverything();
      fail("embedded Cassandra (pid " + cassandra.get().pid() + ") still running 30 s after the node exited");
    }
    return process.exitValue();
  }

  /** SIGKILL of the node JVM and its Cassandra at once, as a power cut would; waits until both are gone. */
  void kill() {
    killEverything();
  }

  /**
   * SIGKILL of the node JVM alone (an OOM kill, say): its embedded Cassandra is left running
   * without a parent and must not get in the way of the next start.
   */
  void killNodeOnly() {
    process.destroyForcibly();
    Await.until(Duration.ofSeconds(30), "the node JVM to die", () -> !process.isAlive());
  }

  /** The node's JVM and every process it started (the embedded Cassandra among them). */
  private synchronized void killEverything() {
    Set<ProcessHandle> victims = new LinkedHashSet<>(started);
    if (process != null) {
      victims.add(process.toHandle());
      process.toHandle().descendants().forEach(victims::add);
    }
    cassandraProcess().ifPresent(victims::add);
    victims.removeIf(victim -> !victim.isAlive());
    victims.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle victim : victims) {
      // A killed grandchild stays a zombie until its parent reaps it; it holds nothing any more.
      if (!Await.within(Duration.ofSeconds(30), () -> !victim.isAlive() || isZombie(victim.pid()))) {
        System.err.println("[it] process " + victim.pid() + " still alive 30 s after SIGKILL");
      }
    }
  }

  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException gone) {
      return true;
    }
  }

  private void rememberCassandra() {
    cassandraProcess().ifPresent(started::add);
    if (process != null) {
      process.toHandle().descendants().forEach(started::add);
    }
  }

  /** The embedded Cassandra, from its pid file, if it is running. */
  Optional<ProcessHandle> cassandraProcess() {
    Path pidFile = dataDir.resolve("cassandra").resolve("cassandra.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      String text = Files.readString(pidFile).trim();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  String tail(int lines) {
    return "--- " + log + " ---\n" + ExternalTool.tail(ExternalTool.read(log), lines);
  }

  @Override
  public void close() {
    killEverything();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
