// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the directory of Cassandra's jars that {@code modules/cassandra-dist} copies to
 * {@code target/lib}. They are never on Annal's classpath (Cassandra brings its own Guava and
 * Netty), so the launcher needs their location.
 *
 * <p>Order: system property {@value #PROPERTY}, then {@code annal.cassandra.embedded.lib-dir}, then
 * {@value #RELATIVE} searched upwards from the working directory and from where this class was
 * loaded (a jar in modules/app/target, or target/classes).
 */
final class CassandraLibraries {
  static final String PROPERTY = "annal.cassandra.lib";
  static final String RELATIVE = "modules/cassandra-dist/target/lib";
  static final String GUARD_JAR_PREFIX = "annal-cassandra-dist-";
  static final String SERVER_JAR_PREFIX = "cassandra-all-";
  // artifactId-version[-classifier].jar, the names maven-dependency-plugin copies.
  private static final Pattern JAR_NAME = Pattern.compile("(.+?)-(\\d[^-]*)(?:-.+)?\\.jar");

  private CassandraLibraries() {}

  /**
   * The lib directory to use.
   *
   * @throws EmbeddedCassandraException naming every place searched, if none holds the jars
   */
  static Path locate(Optional<Path> configured) {
    String property = System.getProperty(PROPERTY, "");
    if (!property.isBlank()) {
      return checked(Path.of(property), "system property " + PROPERTY);
    }
    if (configured.isPresent()) {
      return checked(configured.get(), "annal.cassandra.embedded.lib-dir");
    }
    Set<Path> searched = new LinkedHashSet<>();
    for (Path start : startingPoints()) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(RELATIVE);
        if (searched.add(candidate) && problem(candidate).isEmpty()) {
          return candidate;
        }
      }
    }
    throw new EmbeddedCassandraException(
        "Cassandra's jars were not found; run `mvn install` first (modules/cassandra-dist copies "
            + "them to target/lib) or set -D" + PROPERTY + "=<dir>. Searched: " + searched);
  }

  private static List<Path> startingPoints() {
    List<Path> starts = new ArrayList<>();
    starts.add(Path.of("").toAbsolutePath());
    try {
      CodeSource source = CassandraLibraries.class.getProtectionDomain().getCodeSource();
      if (source != null && source.getLocation() != null) {
        starts.add(Path.of(source.getLocation().toURI()).toAbsolutePath());
      }
    } catch (URISyntaxException | IllegalArgumentException | SecurityException notAFile) {
      // Loaded from somewhere that is not a file: only the working directory is searched.
    }
    return starts;
  }

  private static Path checked(Path dir, String origin) {
    Path absolute = dir.toAbsolutePath().normalize();
    problem(absolute)
        .ifPresent(
            p -> {
              throw new EmbeddedCassandraException(
                  "Cassandra lib dir from " + origin + " is unusable: " + p
                      + " (run `mvn install` first; modules/cassandra-dist fills target/lib)");
            });
    return absolute;
  }

  /** Why {@code dir} is not a usable lib dir, or empty if it is. */
  static Optional<String> problem(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.of(dir + " is not a directory");
    }
    boolean server = false;
    boolean guard = false;
    Map<String, Set<String>> versions = new TreeMap<>();
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
      for (Path jar : jars) {
        String name = jar.getFileName().toString();
        server |= name.startsWith(SERVER_JAR_PREFIX);
        guard |= name.startsWith(GUARD_JAR_PREFIX);
        Matcher m = JAR_NAME.matcher(name);
        if (m.matches()) {
          versions.computeIfAbsent(m.group(1), a -> new TreeSet<>()).add(m.group(2));
        }
      }
    } catch (IOException e) {
      return Optional.of(dir + " cannot be listed: " + e);
    }
    // Two versions of one jar on a 'lib/*' classpath: which wins depends on directory order.
    versions.values().removeIf(v -> v.size() < 2);
    if (!versions.isEmpty()) {
      return Optional.of(
          dir + " holds several versions of " + versions
              + " (stale jars: rebuild with mvn -pl modules/cassandra-dist install)");
    }
    if (!server) {
      return Optional.of(dir + " holds no " + SERVER_JAR_PREFIX + "*.jar");
    }
    if (!guard) {
      return Optional.of(
          dir + " holds no " + GUARD_JAR_PREFIX + "*.jar (rebuild: mvn -pl modules/cassandra-dist install)");
    }
    return Optional.empty();
  }
}
