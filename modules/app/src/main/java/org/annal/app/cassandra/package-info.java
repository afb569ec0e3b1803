// SPDX-License-Identifier: Apache-2.0
/**
 * The embedded Cassandra launcher: a real Apache Cassandra 5.0.9 in its own JVM for development and
 * tests ({@link org.annal.app.cassandra.EmbeddedCassandra}); production uses an external cluster.
 *
 * <p>Settings: {@code annal.cassandra.embedded} in {@code cassandra-embedded.conf}. The jars come
 * from {@code modules/cassandra-dist/target/lib} (see {@code CassandraLibraries}); the Cassandra JVM
 * runs {@code org.annal.cassandra.dist.OrphanGuard}, which exits when this JVM's end of its stdin
 * closes, so Cassandra never outlives the node, even after {@code kill -9}. Writes are acknowledged
 * after their commit-log fsync ({@code commitlog_sync: batch} by default).
 *
 * <p>Measured on the shared 2-core machine: start to ready 15–25 s with the class-data-sharing
 * archive (30–67 s without, depending on load), RSS ~0.95 GB with a 512 MB heap and ~1.5 GB with
 * 1 GB; stop (SIGTERM, drain) 5–7 s; an orphan is gone ~5 s after its parent's SIGKILL.
 *
 * <h2>Testing</h2>
 *
 * <pre>
 * mvn -o -q -pl modules/app test -Dtest='org.annal.app.cassandra.*Test' -Dsurefire.failIfNoSpecifiedTests=false
 * mvn -o -q -pl modules/app verify -Dit.test=EmbeddedCassandraIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Unit tests cover the yaml and command line, settings and their config fragment, lib-dir lookup,
 * the pid file and the archive bookkeeping. {@code EmbeddedCassandraIT} (about 3.5 minutes, needs
 * {@code mvn install} of modules/cassandra-dist) runs real nodes: 200 acknowledged writes survive
 * kill -9 and restart; a second launcher on the same directory stops the first through the pid
 * file; the node exits when its stdin closes; and when its parent JVM is killed with SIGKILL.
 */
package org.annal.app.cassandra;
