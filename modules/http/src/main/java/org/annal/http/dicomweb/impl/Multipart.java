// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. A {@code multipart/related} body (RFC 2387) written as a stream of parts, as
 * WADO-RS answers (PS3.18 §8.7.3.3): each part is read only when the client takes it, so a
 * 200-instance study is never whole in memory.
 */
public final class Multipart {
  private final String boundary = UUID.randomUUID().toString();
  private final String partType;

  /** @param partType the {@code type} parameter and every part's Content-Type */
  public Multipart(String partType) {
    this.partType = partType;
  }

  public ContentType contentType() {
    return ContentTypes.parse("multipart/related; type=\"" + partType + "\"; boundary=" + boundary);
  }

  /** The header of a part (after the previous part's CRLF), with an optional Content-Location. */
  public ByteString partHeader(String contentType, String location) {
    return ByteString.fromString("--" + boundary + "\r\nContent-Type: " + contentType
        + (location == null ? "" : "\r\nContent-Location: " + location) + "\r\n\r\n",
        StandardCharsets.US_ASCII);
  }

  /** One part: header, body, CRLF. */
  public ByteString part(String contentType, String location, ByteString body) {
    return partHeader(contentType, location).concat(body).concat(CRLF);
  }

  public Source<ByteString, NotUsed> close() {
    return Source.single(ByteString.fromString("--" + boundary + "--\r\n",
        StandardCharsets.US_ASCII));
  }

  private static final ByteString CRLF = ByteString.fromString("\r\n", StandardCharsets.US_ASCII);
}
