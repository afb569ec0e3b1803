// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

/**
 * Who asked for what, for the access record of a retrieval.
 *
 * @param resource the path asked for, e.g. {@code /dicom-web/studies/1.2/metadata}
 * @param clientAddress the client's {@code host:port} (or host)
 * @param userAgent the User-Agent header, or empty
 * @param accept the Accept header, or the {@code accept} query parameter when given (PS3.18
 *     §8.3.3.1: it overrides the header), or null
 * @param baseUrl e.g. {@code http://host:8080/dicom-web}, for URLs in answers
 * @param receivedAt UTC epoch ms
 */
public record WadoRequest(String resource, String clientAddress, String userAgent, String accept,
    String baseUrl, long receivedAt) {}
