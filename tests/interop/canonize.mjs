// Canonical N-Quads (RDFC-1.0) from jsonld.js for each document.
// stdin: {contexts: {url: path}, documents: [doc, ...]}; stdout: [{nquads} | {error}, ...]
import jsonld from 'jsonld';
import {makeLoader, readInput, writeOutput} from './common.mjs';

const input = readInput();
const documentLoader = makeLoader({contexts: input.contexts});
const out = [];
for(const doc of input.documents) {
  try {
    const nquads = await jsonld.canonize(doc, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: false
    });
    let safe = true;
    try {
      await jsonld.canonize(doc, {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
      });
    } catch(e) {
      safe = false;
    }
    out.push({nquads, safe});
  } catch(e) {
    out.push({error: String(e && e.message || e)});
  }
}
writeOutput(out);
