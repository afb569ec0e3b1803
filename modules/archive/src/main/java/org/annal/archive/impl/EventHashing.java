// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import org.annal.archive.Study;

/**
 * Internal API. The hash chain of a study's events (ARCHITECTURE invariant 3): every event carries
 * {@code prevHash}, the hash of the previous event of the same study ({@code ""} for the first),
 * so changing, removing or reordering any stored event breaks every later link.
 *
 * <p>An event's hash is the lower-case hex SHA-256 of its <b>canonical form</b>: UTF-8 JSON with
 * no whitespace, the type id first ({@code "type":"InstanceStored/1"}), then every non-null field
 * in lexicographic order of its name, nested objects and maps likewise sorted by key, null fields
 * left out, numbers as integers. Events hold only strings, integers, enums (as their name),
 * booleans, nested records, string maps and lists of strings (no sets, no floating point), so that
 * form is unambiguous and can
 * be reproduced by an auditor in any language from the JSON of the event. It is independent of how
 * the journal stores the event (CBOR): the bytes hashed are recomputed, not the stored bytes.
 *
 * <p>Because the hash is recomputed from the decoded event, a field added to an event later must
 * be a nullable reference type that old events decode as null: null fields are left out of the
 * canonical form, so old events keep their hash and their chain stays intact.
 */
public final class EventHashing {
  private EventHashing() {}

  private static final ObjectWriter CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          // Jackson otherwise puts record (creator) properties first, in declaration order.
          .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(SerializationFeature.INDENT_OUTPUT)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build()
          .writerFor(Study.Event.class);

  /** The canonical form described above. */
  public static byte[] canonicalBytes(Study.Event event) {
    try {
      return CANONICAL.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("event cannot be written as canonical JSON: " + event, e);
    }
  }

  /** The event's hash: what the next event of the study carries as {@code prevHash}. */
  public static String hash(Study.Event event) {
    // Streamed into the digest: no String, no byte array of the whole form (once per event).
    MessageDigest digest = Sha256.newDigest();
    try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
      CANONICAL.writeValue(out, event);
    } catch (IOException e) {
      throw new IllegalStateException("event cannot be written as canonical JSON: " + event, e);
    }
    return Sha256.hex(digest.digest());
  }
}
