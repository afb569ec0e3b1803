// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Which Annal node is which cluster member, and where its node-to-node HTTP endpoint is. Each node
 * announces both in its cluster roles ({@code annal-node=ID}, {@code annal-internal=URL}), set
 * before it joins: the membership Pekko gossips anyway is the directory, so there is no registry to
 * keep in sync and a member that is gone is gone from it too.
 */
public final class ClusterNodes {
  static final String NODE_ROLE = "annal-node=";
  static final String URL_ROLE = "annal-internal=";

  private final Cluster cluster;

  public ClusterNodes(Cluster cluster) {
    this.cluster = cluster;
  }

  /** The roles a node with this id and internal base URL ({@code http://host:port}) announces. */
  public static List<String> roles(List<String> configured, String nodeId, String internalUrl) {
    List<String> roles = new ArrayList<>(configured);
    roles.removeIf(r -> r.startsWith(NODE_ROLE) || r.startsWith(URL_ROLE));
    roles.add(NODE_ROLE + nodeId);
    roles.add(URL_ROLE + internalUrl);
    return roles;
  }

  /**
   * The internal base URL of the member that is node {@code nodeId}, if it is a member now (Up,
   * WeaklyUp or Leaving: a leaving node still serves its blobs) and reachable.
   */
  public Optional<String> internalUrl(String nodeId) {
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    for (Member m : state.getMembers()) {
      if (nodeId.equals(nodeId(m).orElse(null)) && !unreachable.contains(m) && serving(m)) {
        return role(m, URL_ROLE);
      }
    }
    return Optional.empty();
  }

  /**
   * Another reachable member that announces the same node id as we do: two nodes writing
   * placements under one id would make their blobs indistinguishable. Unreachable members are
   * left out: that is this node's own previous incarnation after a crash, until it is downed.
   */
  public Optional<Address> duplicateOfSelf() {
    Member self = cluster.readView().self();
    Optional<String> id = nodeId(self);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    ClusterEvent.CurrentClusterState state = cluster.state();
    for (Member m : state.getMembers()) {
      if (!m.uniqueAddress().equals(self.uniqueAddress()) && id.equals(nodeId(m))
          && !state.getUnreachable().contains(m) && serving(m)) {
        return Optional.of(m.address());
      }
    }
    return Optional.empty();
  }

  static Optional<String> nodeId(Member m) {
    return role(m, NODE_ROLE);
  }

  private static boolean serving(Member m) {
    MemberStatus s = m.status();
    return s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.leaving();
  }

  private static Optional<String> role(Member m, String prefix) {
    for (String r : m.getRoles()) {
      if (r.startsWith(prefix)) {
        return Optional.of(r.substring(prefix.length()));
      }
    }
    return Optional.empty();
  }
}
