// Verify credentials with @digitalbazaar/vc + eddsa-rdfc-2022.
// stdin: {contexts, documents: {did or url: doc}, credentials: [vc, ...], now}
// stdout: [{verified, errors}, ...]
import {errorText, makeCheckStatus, makeLoader, readInput, vc, verifySuite, writeOutput} from './common.mjs';

const input = readInput();
const documentLoader = makeLoader(input);
const suite = verifySuite();
const checkStatus = makeCheckStatus({suite, documentLoader});
const out = [];
for(const credential of input.credentials) {
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, now: input.now,
      checkStatus: credential.credentialStatus ? checkStatus : undefined
    });
    out.push({verified: result.verified, errors: errorText(result)});
  } catch(e) {
    out.push({verified: false, errors: [String(e && e.message || e)]});
  }
}
writeOutput(out);
