// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

/** A blob that is durable on its tier: its key, size in bytes and SHA-256 (lower-case hex). */
public record StoredBlob(BlobKey key, long size, String sha256) {}
