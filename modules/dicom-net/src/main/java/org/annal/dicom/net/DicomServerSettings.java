// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.SyntaxPolicy;

/**
 * Settings of a DICOM listener; defaults and the meaning of every key are in this module's
 * {@code reference.conf} under {@code annal.dicom}.
 *
 * @param aeTitle our AE title: the called AE title an A-ASSOCIATE-RQ must carry
 * @param bindHost interface to listen on
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxPduLength Maximum Length we announce (PS3.8 Annex D.1): largest P-DATA-TF we receive,
 *     and largest we send when the peer announces no limit
 * @param maxPduLengthReceived hard cap of any PDU-length field read from the wire (bounds memory)
 * @param artimTimeout ARTIM timer (PS3.8 §9.1.5): awaiting A-ASSOCIATE-RQ, and transport close
 *     after a release, reject or abort
 * @param idleTimeout an established association that sends nothing for this long is aborted
 * @param maxAssociations concurrent associations; more are rejected transient (2/3/2)
 * @param drainTimeout how long {@link DicomServerBinding#drain()} lets in-flight associations run
 * @param callingAeTitles allow-list of calling AE titles; empty = any caller
 * @param acceptedSopClasses accepted abstract syntaxes (UIDs, or the tokens "verification" and
 *     "storage")
 * @param acceptedTransferSyntaxes accepted transfer syntaxes (UIDs, or the token "standard")
 */
public record DicomServerSettings(
    String aeTitle,
    String bindHost,
    int port,
    int maxPduLength,
    int maxPduLengthReceived,
    Duration artimTimeout,
    Duration idleTimeout,
    int maxAssociations,
    Duration drainTimeout,
    List<AllowedCaller> callingAeTitles,
    Set<String> acceptedSopClasses,
    Set<String> acceptedTransferSyntaxes) {

  public DicomServerSettings {
    callingAeTitles = List.copyOf(callingAeTitles);
    acceptedSopClasses = Set.copyOf(acceptedSopClasses);
    acceptedTransferSyntaxes = Set.copyOf(acceptedTransferSyntaxes);
    if (aeTitle.isBlank() || aeTitle.length() > 16) {
      throw new IllegalArgumentException("ae-title must be 1..16 characters: '" + aeTitle + "'");
    }
    if (maxPduLength < 4096) {
      throw new IllegalArgumentException("max-pdu-length must be at least 4096");
    }
    if (maxPduLengthReceived < maxPduLength) {
      throw new IllegalArgumentException("max-pdu-length-received must be >= max-pdu-length");
    }
  }

  /** Reads the {@code annal.dicom} section itself (pass {@code config.getConfig("annal.dicom")}). */
  public static DicomServerSettings fromConfig(Config section) {
    List<AllowedCaller> callers = section.getStringList("calling-ae-titles").stream()
        .map(AllowedCaller::parse).toList();
    return new DicomServerSettings(
        section.getString("ae-title"),
        section.getString("bind-host"),
        section.getInt("port"),
        (int) section.getBytes("max-pdu-length").longValue(),
        (int) section.getBytes("max-pdu-length-received").longValue(),
        section.getDuration("artim-timeout"),
        section.getDuration("idle-timeout"),
        section.getInt("max-associations"),
        section.getDuration("drain-timeout"),
        callers,
        new LinkedHashSet<>(section.getStringList("accepted-sop-classes")),
        new LinkedHashSet<>(section.getStringList("accepted-transfer-syntaxes")));
  }

  /** The defaults of {@code reference.conf}. */
  public static DicomServerSettings defaults() {
    return fromConfig(ConfigFactory.load().getConfig("annal.dicom"));
  }

  public DicomServerSettings withAeTitle(String value) {
    return new DicomServerSettings(value, bindHost, port, maxPduLength, maxPduLengthReceived,
        artimTimeout, idleTimeout, maxAssociations, drainTimeout, callingAeTitles,
        acceptedSopClasses, acceptedTransferSyntaxes);
  }

  public DicomServerSettings withBind(String host, int value) {
    return new DicomServerSettings(aeTitle, host, value, maxPduLength, maxPduLengthReceived,
        artimTimeout, idleTimeout, maxAssociations, drainTimeout, callingAeTitles,
        acceptedSopClasses, acceptedTransferSyntaxes);
  }

  public DicomServerSettings withMaxPduLength(int value, int cap) {
    return new DicomServerSettings(aeTitle, bindHost, port, value, cap, artimTimeout,
        idleTimeout, maxAssociations, drainTimeout, callingAeTitles, acceptedSopClasses,
        acceptedTransferSyntaxes);
  }

  public DicomServerSettings withTimeouts(Duration artim, Duration idle, Duration drain) {
    return new DicomServerSettings(aeTitle, bindHost, port, maxPduLength, maxPduLengthReceived,
        artim, idle, maxAssociations, drain, callingAeTitles, acceptedSopClasses,
        acceptedTransferSyntaxes);
  }

  public DicomServerSettings withMaxAssociations(int value) {
    return new DicomServerSettings(aeTitle, bindHost, port, maxPduLength, maxPduLengthReceived,
        artimTimeout, idleTimeout, value, drainTimeout, callingAeTitles, acceptedSopClasses,
        acceptedTransferSyntaxes);
  }

  public DicomServerSettings withCallingAeTitles(List<AllowedCaller> value) {
    return new DicomServerSettings(aeTitle, bindHost, port, maxPduLength, maxPduLengthReceived,
        artimTimeout, idleTimeout, maxAssociations, drainTimeout, value, acceptedSopClasses,
        acceptedTransferSyntaxes);
  }

  public DicomServerSettings withAcceptedSyntaxes(Set<String> sopClasses,
      Set<String> transferSyntaxes) {
    return new DicomServerSettings(aeTitle, bindHost, port, maxPduLength, maxPduLengthReceived,
        artimTimeout, idleTimeout, maxAssociations, drainTimeout, callingAeTitles, sopClasses,
        transferSyntaxes);
  }

  /** Whether {@code abstractSyntax} is one we accept (tokens resolved). */
  public boolean acceptsSopClass(String abstractSyntax) {
    return SyntaxPolicy.acceptsSopClass(acceptedSopClasses, abstractSyntax);
  }

  /** Whether {@code transferSyntax} is one we accept (tokens resolved). */
  public boolean acceptsTransferSyntax(String transferSyntax) {
    return SyntaxPolicy.acceptsTransferSyntax(acceptedTransferSyntaxes, transferSyntax);
  }

}
