// SPDX-License-Identifier: Apache-2.0
package org.annal.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.annal.app.cli.RunCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnnalConfigTest {
  @TempDir Path temp;

  private static AnnalConfig parse(String... args) {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs(args);
    return run.config();
  }

  @Test
  void referenceDefaults() {
    AnnalConfig c = parse();
    assertEquals(8080, c.httpPort());
    assertEquals(11112, c.dicomPort());
    assertEquals("ANNAL", c.aeTitle());
    assertEquals(25520, c.clusterPort());
    assertEquals(Path.of("annal-data").toAbsolutePath(), c.dataDir());
    assertNull(c.externalCassandra());
    var u = c.underlying();
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        u.getString("pekko.cluster.downing-provider-class"));
    assertEquals("keep-majority", u.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("pekko.persistence.cassandra.journal", u.getString("pekko.persistence.journal.plugin"));
    assertEquals("annal", u.getString("pekko.persistence.cassandra.journal.keyspace"));
    assertEquals("annal_snapshot", u.getString("pekko.persistence.cassandra.snapshot.keyspace"));
    assertEquals("datacenter1",
        u.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
  }

  @Test
  void fileOverridesReferenceAndFlagOverridesFile() throws Exception {
    Path file = temp.resolve("site.conf");
    Files.writeString(file, """
        annal.http.port = 9000
        annal.dicom.port = 10400
        annal.dicom.ae-title = FROMFILE
        annal.data-dir = "%s"
        pekko.remote.artery.canonical.port = 26000
        """.formatted(temp.resolve("from-file")));

    AnnalConfig fileOnly = parse("--config", file.toString());
    assertEquals(9000, fileOnly.httpPort());
    assertEquals(10400, fileOnly.dicomPort());
    assertEquals("FROMFILE", fileOnly.aeTitle());
    assertEquals(26000, fileOnly.clusterPort());
    assertEquals(temp.resolve("from-file"), fileOnly.dataDir());
    assertEquals(11112, parse().dicomPort(), "reference value without the file");

    AnnalConfig flags = parse("--config", file.toString(), "--http-port", "9100",
        "--ae-title", "FROMFLAG", "--data-dir", temp.resolve("from-flag").toString(),
        "--cluster-port", "26100");
    assertEquals(9100, flags.httpPort());
    assertEquals("FROMFLAG", flags.aeTitle());
    assertEquals(temp.resolve("from-flag"), flags.dataDir());
    assertEquals(26100, flags.clusterPort());
    assertEquals(10400, flags.dicomPort(), "a flag not given leaves the file's value");
  }

  @Test
  void pathsUnderTheDataDirAreDerivedAfterLayering() {
    AnnalConfig c = parse("--data-dir", temp.toString());
    assertEquals(temp.resolve("storage").toString(), c.underlying().getString("annal.storage.root"));
    assertEquals(temp.resolve("cassandra").toString(),
        c.underlying().getString("annal.cassandra.embedded.directory"));
    assertEquals(temp.resolve("logs"), c.logDir());
  }

  @Test
  void explicitStorageRootIsKept() throws Exception {
    Path file = temp.resolve("s.conf");
    Files.writeString(file, "annal.storage.root = \"/srv/blobs\"\n");
    assertEquals("/srv/blobs",
        parse("--config", file.toString()).underlying().getString("annal.storage.root"));
  }

  @Test
  void nodeIdAndSiteReachTheArchive() throws Exception {
    Path file = temp.resolve("n.conf");
    Files.writeString(file, "annal.node-id = node-7\nannal.site = hospital-b\n");
    AnnalConfig c = parse("--config", file.toString());
    assertEquals("node-7", c.underlying().getString("annal.archive.node-id"));
    assertEquals("hospital-b", c.underlying().getString("annal.archive.site"));
    assertEquals("node-9", c.withNodeId("node-9").underlying().getString("annal.archive.node-id"));
  }

  @Test
  void defaultNodeIdIsTheHostNameOnTheDefaultClusterPort() {
    AnnalConfig c = parse();
    assertEquals(AnnalConfig.hostName(), c.defaultNodeId());
    assertEquals(c.defaultNodeId(), c.nodeId(), "no annal.node-id configured");
    assertEquals(c.nodeId(), c.underlying().getString("annal.archive.node-id"));
  }

  @Test
  void defaultNodeIdCarriesAnyOtherClusterPort() {
    AnnalConfig c = parse("--cluster-port", "25521");
    assertEquals(AnnalConfig.hostName() + "-25521", c.defaultNodeId());
    assertEquals(AnnalConfig.hostName() + "-25521", c.nodeId());
    assertEquals(AnnalConfig.hostName() + "-25521",
        c.underlying().getString("annal.archive.node-id"));
    assertEquals(AnnalConfig.hostName() + "-26000",
        parse("--cluster-port", "26000").defaultNodeId());
  }

  @Test
  void configuredNodeIdWinsOverTheDefault() throws Exception {
    Path file = temp.resolve("id.conf");
    Files.writeString(file, "annal.node-id = node-7\n");
    AnnalConfig c = parse("--config", file.toString(), "--cluster-port", "25521");
    assertEquals("node-7", c.nodeId());
    assertEquals(AnnalConfig.hostName() + "-25521", c.defaultNodeId(), "still computable");
  }

  @Test
  void internalUrlDefaultsToTheCanonicalHostAndTheHttpPort() {
    assertEquals("http://127.0.0.1:8080", parse().internalUrl());
    assertEquals("http://127.0.0.1:9100", parse("--http-port", "9100").internalUrl());
  }

  @Test
  void internalUrlFollowsTheCanonicalHostName() throws Exception {
    Path file = temp.resolve("canonical.conf");
    Files.writeString(file, "pekko.remote.artery.canonical.hostname = \"node-b.example\"\n");
    assertEquals("http://node-b.example:9000",
        parse("--config", file.toString(), "--http-port", "9000").internalUrl());
  }

  @Test
  void internalHostWinsOverTheCanonicalHostName() throws Exception {
    Path file = temp.resolve("internal.conf");
    Files.writeString(file, """
        pekko.remote.artery.canonical.hostname = "10.0.0.5"
        annal.cluster.internal-host = "annal-b.internal"
        annal.http.port = 8181
        """);
    assertEquals("http://annal-b.internal:8181", parse("--config", file.toString()).internalUrl());
  }

  @Test
  void internalUrlBracketsAnIpv6Literal() throws Exception {
    Path internal = temp.resolve("v6.conf");
    Files.writeString(internal, "annal.cluster.internal-host = \"fd00::5\"\n");
    assertEquals("http://[fd00::5]:8080", parse("--config", internal.toString()).internalUrl());

    Path canonical = temp.resolve("v6-canonical.conf");
    Files.writeString(canonical, "pekko.remote.artery.canonical.hostname = \"::1\"\n");
    assertEquals("http://[::1]:8080", parse("--config", canonical.toString()).internalUrl());
  }

  @Test
  void externalCassandraSetsTheContactPoint() {
    AnnalConfig c = parse("--cassandra", "db.example:9142");
    assertEquals(new HostAndPort("db.example", 9142), c.externalCassandra());
    AnnalConfig pointed = c.withCassandra(c.externalCassandra());
    assertEquals(List.of("db.example:9142"),
        pointed.underlying().getStringList("datastax-java-driver.basic.contact-points"));
  }

  @Test
  void missingConfigFileIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> parse("--config", temp.resolve("nope.conf").toString()));
  }

  @Test
  void hostAndPortParsing() {
    assertEquals(new HostAndPort("::1", 9042), HostAndPort.parse("[::1]:9042"));
    assertEquals("[::1]:9042", HostAndPort.parse("[::1]:9042").toString());
    assertEquals("h:1", HostAndPort.parse("h:1").toString());
    for (String bad : List.of("h", ":1", "h:", "h:x", "h:0", "h:65536")) {
      assertThrows(IllegalArgumentException.class, () -> HostAndPort.parse(bad), bad);
    }
  }
}
