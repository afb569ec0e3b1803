// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Cells of PS3.8 Table 9-10, typed in again independently of {@link StateTable}. */
class StateTableTest {

  @ParameterizedTest(name = "{0} in {1} -> {2} -> {3}")
  @CsvSource({
    // acceptor: connection, RQ, response
    "Evt5, Sta1, AE_5, Sta2",
    "Evt6, Sta2, AE_6, ",
    "Evt7, Sta3, AE_7, Sta6",
    "Evt8, Sta3, AE_8, Sta13",
    // requestor
    "Evt1, Sta1, AE_1, Sta4",
    "Evt2, Sta4, AE_2, Sta5",
    "Evt3, Sta5, AE_3, Sta6",
    "Evt4, Sta5, AE_4, Sta1",
    // data transfer
    "Evt9, Sta6, DT_1, Sta6",
    "Evt10, Sta6, DT_2, Sta6",
    "Evt9, Sta8, AR_7, Sta8",
    "Evt10, Sta7, AR_6, Sta7",
    // release
    "Evt11, Sta6, AR_1, Sta7",
    "Evt12, Sta6, AR_2, Sta8",
    "Evt13, Sta7, AR_3, Sta1",
    "Evt14, Sta8, AR_4, Sta13",
    "Evt12, Sta7, AR_8, ",
    "Evt14, Sta9, AR_9, Sta11",
    "Evt13, Sta10, AR_10, Sta12",
    "Evt13, Sta11, AR_3, Sta1",
    "Evt14, Sta12, AR_4, Sta13",
    // wrong PDU in the wrong state
    "Evt10, Sta2, AA_1, Sta13",
    "Evt3, Sta2, AA_1, Sta13",
    "Evt12, Sta2, AA_1, Sta13",
    "Evt6, Sta6, AA_8, Sta13",
    "Evt3, Sta6, AA_8, Sta13",
    "Evt13, Sta6, AA_8, Sta13",
    "Evt10, Sta8, AA_8, Sta13",
    "Evt19, Sta2, AA_1, Sta13",
    "Evt19, Sta6, AA_8, Sta13",
    "Evt19, Sta13, AA_7, Sta13",
    "Evt6, Sta13, AA_7, Sta13",
    "Evt10, Sta13, AA_6, Sta13",
    // abort, close, ARTIM
    "Evt15, Sta6, AA_1, Sta13",
    "Evt15, Sta4, AA_2, Sta1",
    "Evt16, Sta2, AA_2, Sta1",
    "Evt16, Sta6, AA_3, Sta1",
    "Evt16, Sta13, AA_2, Sta1",
    "Evt17, Sta2, AA_5, Sta1",
    "Evt17, Sta6, AA_4, Sta1",
    "Evt17, Sta13, AR_5, Sta1",
    "Evt18, Sta2, AA_2, Sta1",
    "Evt18, Sta13, AA_2, Sta1",
  })
  void cell(AssociationEvent event, AssociationState state, AssociationAction action,
      AssociationState next) {
    assertEquals(action, StateTable.action(state, event));
    assertEquals(next, action.next);
  }

  @Test
  void emptyCellsAreNull() {
    assertNull(StateTable.action(AssociationState.Sta1, AssociationEvent.Evt6));
    assertNull(StateTable.action(AssociationState.Sta6, AssociationEvent.Evt7));
    assertNull(StateTable.action(AssociationState.Sta13, AssociationEvent.Evt9));
    assertNull(StateTable.action(AssociationState.Sta6, AssociationEvent.Evt18));
  }

  /** Every PDU event has an action in every state where a transport connection is open. */
  @Test
  void everyReceivedPduIsHandledWhereAConnectionExists() {
    EnumSet<AssociationState> connected = EnumSet.complementOf(
        EnumSet.of(AssociationState.Sta1, AssociationState.Sta4));
    for (AssociationEvent event : EnumSet.of(AssociationEvent.Evt3, AssociationEvent.Evt4,
        AssociationEvent.Evt6, AssociationEvent.Evt10, AssociationEvent.Evt12,
        AssociationEvent.Evt13, AssociationEvent.Evt16, AssociationEvent.Evt17,
        AssociationEvent.Evt19)) {
      for (AssociationState state : connected) {
        assertNotNull(StateTable.action(state, event), event + " in " + state);
      }
    }
  }
}
