// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  private final AtomicLong clock = new AtomicLong();

  @Test
  void terminalBarRedrawsInPlace() {
    StringWriter err = new StringWriter();
    Progress p = new Progress(new PrintWriter(err), true, 4, 4_000_000, clock::get);
    clock.set(1_000_000_000L);
    p.fileDone(1_000_000);
    clock.set(1_050_000_000L);
    p.fileDone(1_000_000); // within 100 ms of the last redraw: not drawn
    clock.set(2_000_000_000L);
    p.fileDone(1_000_000);
    p.finish();
    String text = err.toString();
    assertTrue(text.startsWith("\r["), text);
    assertTrue(text.contains("] 1/4 25% 1.0 MB/s"), text);
    assertTrue(!text.contains("2/4"), text);
    assertTrue(text.contains("] 3/4 75% 1.5 MB/s"), text);
    assertTrue(text.contains("\r[######################........] 3/4"), text);
    assertTrue(text.endsWith(System.lineSeparator()), "finish ends the line");
  }

  @Test
  void pipeGetsPeriodicPlainLines() {
    StringWriter err = new StringWriter();
    Progress p = new Progress(new PrintWriter(err), false, 3, 3_000_000, clock::get);
    clock.set(1_000_000_000L);
    p.fileDone(1_000_000); // within the 5 s interval: nothing
    clock.set(6_000_000_000L);
    p.fileDone(1_000_000); // interval passed: one line
    p.fileDone(1_000_000); // the last file always prints
    p.finish();
    String[] lines = err.toString().split(System.lineSeparator());
    assertEquals(2, lines.length, err.toString());
    assertEquals("stored 2/3 files (66%), 2.0/3.0 MB, 0.3 MB/s", lines[0]);
    assertEquals("stored 3/3 files (100%), 3.0/3.0 MB, 0.5 MB/s", lines[1]);
    assertTrue(!err.toString().contains("\r"));
  }
}
