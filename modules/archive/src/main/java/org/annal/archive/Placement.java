// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.util.Objects;

/**
 * Where one copy of an instance's blob lives: the node that owns the blob store, its site, the
 * storage tier and the internal blob key (never a sender-controlled string, ARCHITECTURE
 * invariant 6).
 *
 * @param nodeId the node that wrote and owns the blob
 * @param site the site of that node
 * @param tier the storage tier of that blob store (e.g. {@code online})
 * @param blobKey the {@link org.annal.storage.BlobKey} value
 */
public record Placement(String nodeId, String site, String tier, String blobKey)
    implements CborSerializable {
  public Placement {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(blobKey, "blobKey");
  }
}
