// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.annal.dicom.net.impl.AssociationAction.*;
import static org.annal.dicom.net.impl.AssociationEvent.*;
import static org.annal.dicom.net.impl.AssociationState.*;

import java.util.EnumMap;
import java.util.Map;

/**
 * The DICOM upper layer state transition table (PS3.8 §9.2.3, Table 9-10), transcribed cell by cell
 * so it can be compared with the standard. Cells the standard leaves empty (an event that cannot
 * happen in that state) return null; the caller treats them as a protocol error. Internal API.
 */
public final class StateTable {
  private StateTable() {}

  private static final Map<AssociationEvent, Map<AssociationState, AssociationAction>> TABLE =
      new EnumMap<>(AssociationEvent.class);

  /** States Sta6..Sta12: where most "wrong PDU" events abort with AA-8. */
  private static final AssociationState[] STA6_TO_STA12 = {Sta6, Sta7, Sta8, Sta9, Sta10, Sta11,
      Sta12};

  static {
    row(Evt1, Sta1, AE_1);
    row(Evt2, Sta4, AE_2);
    pduRow(Evt3, AE_3, Sta5);
    pduRow(Evt4, AE_4, Sta5);
    row(Evt5, Sta1, AE_5);
    row(Evt6, Sta2, AE_6);
    put(Evt6, Sta3, AA_8);
    put(Evt6, Sta5, AA_8);
    for (AssociationState s : STA6_TO_STA12) {
      put(Evt6, s, AA_8);
    }
    put(Evt6, Sta13, AA_7);
    row(Evt7, Sta3, AE_7);
    row(Evt8, Sta3, AE_8);
    row(Evt9, Sta6, DT_1);
    put(Evt9, Sta8, AR_7);
    pduRow(Evt10, DT_2, Sta6);
    put(Evt10, Sta7, AR_6);
    row(Evt11, Sta6, AR_1);
    pduRow(Evt12, AR_2, Sta6);
    put(Evt12, Sta7, AR_8);
    pduRow(Evt13, AR_3, Sta7);
    put(Evt13, Sta10, AR_10);
    put(Evt13, Sta11, AR_3);
    row(Evt14, Sta8, AR_4);
    put(Evt14, Sta9, AR_9);
    put(Evt14, Sta12, AR_4);
    put(Evt15, Sta3, AA_1);
    put(Evt15, Sta4, AA_2);
    put(Evt15, Sta5, AA_1);
    for (AssociationState s : STA6_TO_STA12) {
      put(Evt15, s, AA_1);
    }
    put(Evt16, Sta2, AA_2);
    put(Evt16, Sta3, AA_3);
    put(Evt16, Sta5, AA_3);
    for (AssociationState s : STA6_TO_STA12) {
      put(Evt16, s, AA_3);
    }
    put(Evt16, Sta13, AA_2);
    put(Evt17, Sta2, AA_5);
    for (AssociationState s : new AssociationState[] {Sta3, Sta4, Sta5, Sta6, Sta7, Sta8, Sta9,
        Sta10, Sta11, Sta12}) {
      put(Evt17, s, AA_4);
    }
    put(Evt17, Sta13, AR_5);
    put(Evt18, Sta2, AA_2);
    put(Evt18, Sta13, AA_2);
    put(Evt19, Sta2, AA_1);
    put(Evt19, Sta3, AA_8);
    put(Evt19, Sta5, AA_8);
    for (AssociationState s : STA6_TO_STA12) {
      put(Evt19, s, AA_8);
    }
    put(Evt19, Sta13, AA_7);
  }

  /**
   * The row of a received PDU other than A-ASSOCIATE-RQ and A-ABORT: AA-1 in Sta2, AA-8 in Sta3,
   * Sta5 and Sta6..Sta12, AA-6 (ignore) in Sta13; {@code expected} in {@code where} overrides.
   */
  private static void pduRow(AssociationEvent event, AssociationAction expected,
      AssociationState where) {
    put(event, Sta2, AA_1);
    put(event, Sta3, AA_8);
    put(event, Sta5, AA_8);
    for (AssociationState s : STA6_TO_STA12) {
      put(event, s, AA_8);
    }
    put(event, Sta13, AA_6);
    put(event, where, expected);
  }

  private static void row(AssociationEvent event, AssociationState state, AssociationAction a) {
    put(event, state, a);
  }

  private static void put(AssociationEvent event, AssociationState state, AssociationAction a) {
    TABLE.computeIfAbsent(event, e -> new EnumMap<>(AssociationState.class)).put(state, a);
  }

  /** The action for {@code event} in {@code state}, or null if Table 9-10 has no entry. */
  public static AssociationAction action(AssociationState state, AssociationEvent event) {
    Map<AssociationState, AssociationAction> row = TABLE.get(event);
    return row == null ? null : row.get(state);
  }
}
