// SPDX-License-Identifier: Apache-2.0
/**
 * End-to-end integration tests of a whole node ({@code annal run} in its own JVM, with its
 * embedded Cassandra), driven by DCMTK and by a raw socket peer.
 *
 * <ul>
 *   <li>{@link org.annal.app.it.EchoStoreIT}: C-ECHO; C-STORE of every test file in its own and
 *       in three re-encoded transfer syntaxes, checked byte for byte against what storescu sent;
 *       duplicates; damaged files.
 *   <li>{@link org.annal.app.it.CtSeriesIT}: 2 × 200 CT instances over 1 and 4 associations,
 *       graceful stop, restart, {@code annal verify}.
 *   <li>{@link org.annal.app.it.KillIT}: SIGKILL of node and Cassandra mid-ingest; nothing
 *       acknowledged is lost.
 *   <li>{@link org.annal.app.it.MalformedInputIT}: garbage, truncated and oversized PDUs, a
 *       stalled peer (ARTIM), aborted transfers.
 *   <li>{@link org.annal.app.it.AuditVerifyIT}: an edited, a deleted newest and two swapped events,
 *       tampered with in Cassandra, each reported by {@code annal audit verify} for its study only.
 * </ul>
 *
 * Run (from the repository root, after the other modules are installed):
 *
 * <pre>
 * mvn -o -q -pl modules/app verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='EchoStoreIT'
 * </pre>
 *
 * Logs, data directories and tool output stay under {@code modules/app/target/it/<Test>/latest/}.
 * {@code -Dannal.it.cassandra.lib=DIR} runs against Cassandra jars other than
 * modules/cassandra-dist/target/lib; {@code -Dannal.it.testdata=DIR} against other test files.
 */
package org.annal.app.it;
