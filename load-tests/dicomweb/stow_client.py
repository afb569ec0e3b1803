#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One STOW-RS client for dicomweb-benchmark.sh: POSTs the files listed in FILE_LIST to
BASE/studies in multipart/related requests of BATCH files each, streamed from disk (chunked),
one request after another on one keep-alive connection. Prints one JSON line:
{"instances": n, "bytes": b, "seconds": s, "failed": f, "statuses": {...}}.
A failed instance is one in a FailedSOPSequence, or every instance of a request that did not
answer 200 or 202."""
import http.client
import json
import sys
import time
import urllib.parse
import uuid


def parts(files, boundary):
    for f in files:
        yield (f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n").encode("ascii")
        with open(f, "rb") as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                yield chunk
        yield b"\r\n"
    yield (f"--{boundary}--\r\n").encode("ascii")


def main():
    base, batch, file_list = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    files = [line.strip() for line in open(file_list) if line.strip()]
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    sent = failed = size = 0
    statuses = {}
    start = time.monotonic()
    for i in range(0, len(files), batch):
        chunk = files[i:i + batch]
        boundary = uuid.uuid4().hex
        conn.request("POST", url.path + "/studies", body=parts(chunk, boundary),
                     headers={"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
                              "Accept": "application/dicom+json"},
                     encode_chunked=True)
        r = conn.getresponse()
        body = r.read()
        statuses[r.status] = statuses.get(r.status, 0) + 1
        if r.status in (200, 202):
            answer = json.loads(body)
            failed += len(answer.get("00081198", {}).get("Value", []))
        else:
            failed += len(chunk)
            sys.stderr.write(f"STOW answered {r.status}: {body[:300]!r}\n")
        sent += len(chunk)
        for f in chunk:
            with open(f, "rb") as fh:
                fh.seek(0, 2)
                size += fh.tell()
    seconds = time.monotonic() - start
    print(json.dumps({"instances": sent, "bytes": size, "seconds": seconds, "failed": failed,
                      "statuses": statuses}))


if __name__ == "__main__":
    main()
