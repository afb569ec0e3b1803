#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""QIDO-RS latency for dicomweb-benchmark.sh: runs each query of QUERY_FILE (one path+query per
line, tab, the expected number of answers or -) ROUNDS times over ONE keep-alive connection
after WARMUP untimed rounds, checks every answer's count, and prints per query and overall
p50/p99 in ms as JSON lines."""
import http.client
import json
import sys
import time
import urllib.parse


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    base, query_file, rounds, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    queries = []
    for line in open(query_file):
        if line.strip():
            q, _, expected = line.rstrip("\n").partition("\t")
            queries.append((q, None if expected in ("", "-") else int(expected)))
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    times = {q: [] for q, _ in queries}
    for r in range(warmup + rounds):
        for q, expected in queries:
            t0 = time.perf_counter()
            conn.request("GET", url.path + q, headers={"Accept": "application/dicom+json"})
            resp = conn.getresponse()
            body = resp.read()
            dt = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                sys.exit(f"{q}: HTTP {resp.status} {body[:200]!r}")
            n = len(json.loads(body))
            if expected is not None and n != expected:
                sys.exit(f"{q}: {n} answers, expected {expected}")
            if r >= warmup:
                times[q].append(dt)
    every = []
    for q, _ in queries:
        every += times[q]
        print(json.dumps({"query": q, "n": len(times[q]), "p50_ms": round(pct(times[q], 50), 2),
                          "p99_ms": round(pct(times[q], 99), 2)}))
    print(json.dumps({"query": "ALL", "n": len(every), "p50_ms": round(pct(every, 50), 2),
                      "p99_ms": round(pct(every, 99), 2)}))


if __name__ == "__main__":
    main()
