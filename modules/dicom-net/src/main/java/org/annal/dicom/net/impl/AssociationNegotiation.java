// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annal.dicom.Uid;
import org.annal.dicom.net.AllowedCaller;
import org.annal.dicom.net.DicomServerSettings;

/**
 * The acceptor's answer to an A-ASSOCIATE-RQ (PS3.8 §7.1.1, §9.3.3, §9.3.4): reject with the
 * result/source/reason of Table 9-21, or accept with one result per presentation context (Table
 * 9-18). Checks run in this order: protocol version (1/2/2), application context name (1/1/2),
 * called AE title (1/1/7), calling AE title allow-list (1/1/3), association limit (2/3/2).
 *
 * <p>We negotiate an Asynchronous Operations Window of 1/1 (PS3.7 D.3.3.3): DIMSE operations are
 * processed one after another on an association. Internal API.
 */
public final class AssociationNegotiation {
  private AssociationNegotiation() {}

  /** Either {@code reject} or {@code accept} is set; {@code reason} explains a rejection. */
  public record Outcome(AAssociateRj reject, AAssociateAc accept, String reason,
      Map<Integer, String> acceptedTransferSyntaxes,
      Map<Integer, String> acceptedAbstractSyntaxes) {}

  public static Outcome negotiate(DicomServerSettings settings, AAssociateRq rq,
      InetAddress peer, boolean overLimit) {
    return negotiate(settings, rq, peer, overLimit, Set.of(), false);
  }

  /** Transfer syntaxes of Query/Retrieve contexts: the uncompressed ones (PS3.4 C.5). */
  static final List<String> QUERY_RETRIEVE_TRANSFER_SYNTAXES = List.of(
      Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN, Uid.EXPLICIT_VR_BIG_ENDIAN);

  /**
   * As {@link #negotiate(DicomServerSettings, AAssociateRq, InetAddress, boolean)}, also accepting
   * the Query/Retrieve SOP classes {@code queryRetrieveSopClasses} (in the uncompressed transfer
   * syntaxes) and, if {@code storageScpRole} (C-GET installed), granting the requestor the SCP
   * role it proposes for storage SOP classes (PS3.7 D.3.3.4, PS3.4 C.4.3): we then issue C-STORE
   * sub-operations on that association.
   */
  public static Outcome negotiate(DicomServerSettings settings, AAssociateRq rq,
      InetAddress peer, boolean overLimit, Set<String> queryRetrieveSopClasses,
      boolean storageScpRole) {
    if ((rq.protocolVersion() & 0x0001) == 0) {
      return reject(AAssociateRj.SOURCE_SERVICE_PROVIDER_ACSE,
          AAssociateRj.REASON_PROTOCOL_VERSION_NOT_SUPPORTED, AAssociateRj.RESULT_REJECTED_PERMANENT,
          "protocol version " + rq.protocolVersion() + " not supported");
    }
    if (!Uid.DICOM_APPLICATION_CONTEXT.equals(rq.applicationContextName())) {
      return reject(AAssociateRj.SOURCE_SERVICE_USER,
          AAssociateRj.REASON_APPLICATION_CONTEXT_NAME_NOT_SUPPORTED,
          AAssociateRj.RESULT_REJECTED_PERMANENT,
          "application context " + rq.applicationContextName() + " not supported");
    }
    if (!settings.aeTitle().equals(rq.calledAeTitle())) {
      return reject(AAssociateRj.SOURCE_SERVICE_USER,
          AAssociateRj.REASON_CALLED_AE_TITLE_NOT_RECOGNIZED,
          AAssociateRj.RESULT_REJECTED_PERMANENT,
          "called AE title '" + rq.calledAeTitle() + "' is not ours ('" + settings.aeTitle() + "')");
    }
    if (!callerAllowed(settings.callingAeTitles(), rq.callingAeTitle(), peer)) {
      return reject(AAssociateRj.SOURCE_SERVICE_USER,
          AAssociateRj.REASON_CALLING_AE_TITLE_NOT_RECOGNIZED,
          AAssociateRj.RESULT_REJECTED_PERMANENT,
          "calling AE title '" + rq.callingAeTitle() + "' from " + peer.getHostAddress()
              + " is not on the allow-list");
    }
    if (overLimit) {
      return reject(AAssociateRj.SOURCE_SERVICE_PROVIDER_PRESENTATION,
          AAssociateRj.REASON_LOCAL_LIMIT_EXCEEDED, AAssociateRj.RESULT_REJECTED_TRANSIENT,
          "max-associations " + settings.maxAssociations() + " reached");
    }
    List<PresentationContextAc> results = new ArrayList<>();
    Map<Integer, String> acceptedTs = new HashMap<>();
    Map<Integer, String> acceptedAs = new HashMap<>();
    for (PresentationContextRq pc : rq.presentationContexts()) {
      // A rejected context still carries a transfer syntax sub-item, "not significant" (PS3.8
      // §9.3.3.2): we echo the first one proposed, as a peer's decoder may not like it empty.
      String firstProposed = pc.transferSyntaxes().get(0);
      boolean queryRetrieve = queryRetrieveSopClasses.contains(pc.abstractSyntax());
      if (!queryRetrieve && !settings.acceptsSopClass(pc.abstractSyntax())) {
        results.add(new PresentationContextAc(pc.id(),
            PresentationContextAc.ABSTRACT_SYNTAX_NOT_SUPPORTED, firstProposed));
        continue;
      }
      // The peer lists its preferred transfer syntax first; we store as received, so take it.
      String chosen = pc.transferSyntaxes().stream()
          .filter(queryRetrieve ? QUERY_RETRIEVE_TRANSFER_SYNTAXES::contains
              : settings::acceptsTransferSyntax)
          .findFirst().orElse(null);
      if (chosen == null || acceptedTs.containsKey(pc.id())) {
        results.add(new PresentationContextAc(pc.id(),
            chosen == null ? PresentationContextAc.TRANSFER_SYNTAXES_NOT_SUPPORTED
                : PresentationContextAc.NO_REASON, firstProposed));
        continue;
      }
      acceptedTs.put(pc.id(), chosen);
      acceptedAs.put(pc.id(), pc.abstractSyntax());
      results.add(new PresentationContextAc(pc.id(), PresentationContextAc.ACCEPTANCE, chosen));
    }
    // We are SCP for what we accept: grant the requestor the SCU role it asks for; the SCP role
    // only for storage SOP classes when C-GET is served (we then issue C-STORE on this
    // association), PS3.7 D.3.3.4.
    List<RoleSelection> roles = rq.userInformation().roleSelections().stream()
        .map(r -> new RoleSelection(r.sopClassUid(), r.scuRole(),
            storageScpRole && r.scpRole() == 1 && settings.acceptsSopClass(r.sopClassUid())
                && SyntaxPolicy.isStorageSopClass(r.sopClassUid()) ? 1 : 0)).toList();
    boolean asyncProposed = rq.userInformation().maxOperationsInvoked() != null;
    UserInformation ui = new UserInformation(settings.maxPduLength(),
        Uid.ANNAL_IMPLEMENTATION_CLASS, Uid.ANNAL_IMPLEMENTATION_VERSION,
        asyncProposed ? 1 : null, asyncProposed ? 1 : null, roles);
    AAssociateAc ac = new AAssociateAc(1, rq.calledAeTitle(), rq.callingAeTitle(),
        Uid.DICOM_APPLICATION_CONTEXT, results, ui);
    return new Outcome(null, ac, null, Map.copyOf(acceptedTs), Map.copyOf(acceptedAs));
  }

  static boolean callerAllowed(List<AllowedCaller> allowList, String calling, InetAddress peer) {
    if (allowList.isEmpty()) {
      return true;
    }
    for (AllowedCaller caller : allowList) {
      if (!caller.aeTitle().equals(calling)) {
        continue;
      }
      if (caller.host() == null || caller.host().isEmpty()) {
        return true;
      }
      try {
        for (InetAddress address : InetAddress.getAllByName(caller.host())) {
          if (address.equals(peer)) {
            return true;
          }
        }
      } catch (java.net.UnknownHostException e) {
        // an allow-list host that does not resolve matches nobody
      }
    }
    return false;
  }

  private static Outcome reject(int source, int reason, int result, String why) {
    return new Outcome(new AAssociateRj(result, source, reason), null, why, Map.of(), Map.of());
  }
}
