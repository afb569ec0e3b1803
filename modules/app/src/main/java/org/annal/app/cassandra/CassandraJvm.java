// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of the Cassandra JVM. */
final class CassandraJvm {
  /** Main class in annal-cassandra-dist: exits when stdin closes, then runs CassandraDaemon. */
  static final String MAIN_CLASS = "org.annal.cassandra.dist.OrphanGuard";

  /**
   * Cassandra 5.0's conf/jvm17-server.options: without these, Java 17 refuses Cassandra's reflective
   * access (IllegalAccessException on DirectBuffer.cleaner at start).
   */
  static final List<String> JAVA17_MODULE_FLAGS =
      List.of(
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports=java.sql/java.sql=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private CassandraJvm() {}

  /** The full command: the same Java as this JVM, Cassandra's jars, our main class. */
  static List<String> command(
      EmbeddedCassandraSettings settings, CassandraLayout layout, Path libDir, int jmxPort) {
    return command(options(settings, layout, jmxPort), List.of(), libDir);
  }

  /** The command from {@link #options} plus {@code moreOptions} (class-data sharing). */
  static List<String> command(List<String> options, List<String> moreOptions, Path libDir) {
    List<String> cmd = new ArrayList<>();
    // Its own session: Ctrl-C in a terminal signals the whole foreground process group, and
    // Cassandra must outlive the node's drain (the node stops it last). setsid execs in place
    // (the child is no group leader), so the pid stays Cassandra's own.
    if (Files.isExecutable(SETSID)) {
      cmd.add(SETSID.toString());
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(options);
    cmd.addAll(moreOptions);
    cmd.add("-cp");
    cmd.add(libDir.resolve("*").toString());
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  /** The JVM options (everything between {@code java} and {@code -cp}). */
  static List<String> options(EmbeddedCassandraSettings settings, CassandraLayout layout, int jmxPort) {
    List<String> cmd = new ArrayList<>();
    cmd.add("-Xms" + settings.heap());
    cmd.add("-Xmx" + settings.heap());
    cmd.add("-XX:+UseG1GC");
    cmd.add("-XX:+CrashOnOutOfMemoryError");
    // C1 only. On a small machine C2 kept compiling Cassandra for minutes, taking as much CPU as
    // the writes themselves and competing with the node; measured (load-tests, 2 cores): 1.9 vs
    // 4.6 ms of Cassandra CPU per stored instance, no slower per write. extra-jvm-options come
    // later and can undo it (-XX:TieredStopAtLevel=4).
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djdk.attach.allowAttachSelf=true");
    cmd.addAll(JAVA17_MODULE_FLAGS);
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dcassandra.config=" + layout.yaml().toUri());
    cmd.add("-Dcassandra.storagedir=" + layout.directory());
    cmd.add("-Dcassandra.logdir=" + layout.logs());
    cmd.add("-Dlogback.configurationFile=" + layout.logback());
    // An existing (empty) triggers directory stops Cassandra warning about it every minute.
    cmd.add("-Dcassandra.triggers_dir=" + layout.triggers());
    // Single node: nobody to gossip with; these cut start-up from ~46 s to 10-20 s.
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=0");
    cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
    cmd.add("-Dannal.orphan.halt-after-ms=" + settings.orphanHaltAfter().toMillis());
    if (jmxPort > 0) {
      cmd.add("-Dcassandra.jmx.local.port=" + jmxPort);
    }
    cmd.addAll(settings.extraJvmOptions());
    return cmd;
  }
}
