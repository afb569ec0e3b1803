// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of one embedded node under its directory (normally {@code <data-dir>/cassandra}).
 *
 * <pre>
 * cassandra.yaml  logback.xml  cassandra.pid
 * data/  commitlog/  saved_caches/  hints/  cdc_raw/  triggers/
 * logs/system.log  logs/stdout.log
 * </pre>
 */
record CassandraLayout(Path directory) {

  Path yaml() {
    return directory.resolve(CassandraConfigFiles.YAML);
  }

  Path logback() {
    return directory.resolve(CassandraConfigFiles.LOGBACK);
  }

  Path pidFile() {
    return directory.resolve("cassandra.pid");
  }

  Path data() {
    return directory.resolve("data");
  }

  Path commitlog() {
    return directory.resolve("commitlog");
  }

  Path savedCaches() {
    return directory.resolve("saved_caches");
  }

  Path hints() {
    return directory.resolve("hints");
  }

  Path cdcRaw() {
    return directory.resolve("cdc_raw");
  }

  Path triggers() {
    return directory.resolve("triggers");
  }

  Path logs() {
    return directory.resolve("logs");
  }

  Path systemLog() {
    return logs().resolve("system.log");
  }

  Path stdoutLog() {
    return logs().resolve("stdout.log");
  }

  void createDirectories() throws IOException {
    for (Path dir : new Path[] {data(), commitlog(), savedCaches(), hints(), cdcRaw(), triggers(), logs()}) {
      Files.createDirectories(dir);
    }
  }
}
