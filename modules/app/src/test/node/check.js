// SPDX-License-Identifier: Apache-2.0
// Drives a running Annal node with the npm dicomweb-client, as a viewer would, and prints what
// it got as one JSON object on stdout; DicomWebIT compares that with what it stored.
//   node check.js BASE_URL FILE...   (BASE_URL e.g. http://127.0.0.1:8080/dicom-web)
// Steps: STOW-RS the files (storeInstances), then QIDO-RS (searchForStudies / Series /
// Instances), WADO-RS metadata (retrieveInstanceMetadata) and instance (retrieveInstance).
'use strict';
global.XMLHttpRequest = require('xhr2');
const crypto = require('crypto');
const fs = require('fs');
const { api } = require('dicomweb-client');

const [base, ...files] = process.argv.slice(2);
const client = new api.DICOMwebClient({ url: base });

function value(ds, tag) {
  const e = ds[tag];
  return e && e.Value ? e.Value[0] : undefined;
}

(async () => {
  const out = {};
  const datasets = files.map((f) => {
    const b = fs.readFileSync(f);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  });
  const stored = await client.storeInstances({ datasets });
  out.stow = typeof stored === 'string' ? JSON.parse(stored) : stored;
  out.studies = {};
  // The studies of the instances just stored (their RetrieveURLs), as QIDO-RS lists them.
  const mine = new Set();
  for (const item of (out.stow['00081199'] || {}).Value || []) {
    mine.add(item['00081190'].Value[0].split('/studies/')[1].split('/')[0]);
  }
  // The query index follows the journal within about a second: wait until it lists them.
  let studies = [];
  for (let tries = 0; tries < 120; tries++) {
    studies = await client.searchForStudies();
    const listed = new Set(studies.map((s) => value(s, '0020000D')));
    if ([...mine].every((uid) => listed.has(uid))) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  out.listedStudies = studies.length;
  for (const s of studies) {
    const study = value(s, '0020000D');
    if (!mine.has(study)) continue;
    const series = await client.searchForSeries({ studyInstanceUID: study });
    const entry = { patientName: value(s, '00100010'), series: {} };
    for (const se of series) {
      const seriesUid = value(se, '0020000E');
      const instances = await client.searchForInstances({
        studyInstanceUID: study, seriesInstanceUID: seriesUid });
      entry.series[seriesUid] = {};
      for (const i of instances) {
        const sop = value(i, '00080018');
        const meta = await client.retrieveInstanceMetadata({
          studyInstanceUID: study, seriesInstanceUID: seriesUid, sopInstanceUID: sop });
        // The client's default Accept (no transfer-syntax): these files' syntaxes go as stored.
        const instance = await client.retrieveInstance({
          studyInstanceUID: study, seriesInstanceUID: seriesUid, sopInstanceUID: sop });
        entry.series[seriesUid][sop] = {
          metaSopClass: value(meta[0], '00080016'),
          metaRows: value(meta[0], '00280010'),
          pixelDataBulk: meta[0]['7FE00010'] ? meta[0]['7FE00010'].BulkDataURI || null : null,
          bytes: instance.byteLength,
          sha256: crypto.createHash('sha256').update(Buffer.from(instance)).digest('hex'),
        };
      }
    }
    out.studies[study] = entry;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((e) => {
  process.stderr.write('dicomweb-client failed: ' + (e && e.stack ? e.stack : JSON.stringify(e)) + '\n');
  process.exit(1);
});
