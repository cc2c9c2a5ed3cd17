// Digital Bazaar peer for bench/vc_sign_verify.py: signs and verifies the same credential N times
// on one core with @digitalbazaar/vc + eddsa-rdfc-2022, contexts served from Osaamo's bundled files.
// stdin: {contexts: {url: path}, credential, seedHex, controller, didDocument, now, iterations}
// stdout: {sign_ms, verify_ms, ed25519_sign_us, ed25519_verify_us, canonical, signed}
import fs from 'node:fs';
import crypto from 'node:crypto';
import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const contexts = new Map();
for(const [url, path] of Object.entries(input.contexts)) {
  contexts.set(url, JSON.parse(fs.readFileSync(path, 'utf8')));
}
const didDocument = input.didDocument;
async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const method = didDocument.verificationMethod.find(m => m.id === url);
  if(url === didDocument.id) {
    return {contextUrl: null, documentUrl: url, document: didDocument};
  }
  if(method) {
    return {contextUrl: null, documentUrl: url,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
  }
  throw new Error(`no document for ${url}`);
}

const key = await Ed25519Multikey.generate({
  seed: Uint8Array.from(Buffer.from(input.seedHex, 'hex')), controller: input.controller
});
key.id = `${input.controller}#key-1`;
const signSuite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022, date: input.now});
const verifySuite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const n = input.iterations;
const warm = Math.min(50, n);

let signed;
for(let i = 0; i < warm; i++) {
  signed = await vc.issue({credential: structuredClone(input.credential), suite: signSuite, documentLoader});
}
let start = process.hrtime.bigint();
for(let i = 0; i < n; i++) {
  signed = await vc.issue({credential: structuredClone(input.credential), suite: signSuite, documentLoader});
}
const signMs = Number(process.hrtime.bigint() - start) / 1e6 / n;

const target = input.verifyCredential || signed;
// Status is not part of this measurement on either side (Osaamo runs without a status fetcher);
// @digitalbazaar/vc insists on a checkStatus function when credentialStatus is present.
const checkStatus = async () => ({verified: true});
for(let i = 0; i < warm; i++) {
  await vc.verifyCredential({credential: target, suite: verifySuite, documentLoader, now: input.now, checkStatus});
}
start = process.hrtime.bigint();
let verified = true;
for(let i = 0; i < n; i++) {
  const r = await vc.verifyCredential({credential: target, suite: verifySuite, documentLoader, now: input.now, checkStatus});
  verified = verified && r.verified;
}
const verifyMs = Number(process.hrtime.bigint() - start) / 1e6 / n;

// Raw Ed25519 floor (node:crypto, the same primitive @noble / the suite ends up using).
const {privateKey, publicKey} = crypto.generateKeyPairSync('ed25519');
const data = crypto.randomBytes(64);
const m = 20000;
start = process.hrtime.bigint();
let sig;
for(let i = 0; i < m; i++) {
  sig = crypto.sign(null, data, privateKey);
}
const edSignUs = Number(process.hrtime.bigint() - start) / 1e3 / m;
start = process.hrtime.bigint();
for(let i = 0; i < m; i++) {
  crypto.verify(null, data, publicKey, sig);
}
const edVerifyUs = Number(process.hrtime.bigint() - start) / 1e3 / m;

const unsigned = {...input.credential};
const canonical = await jsonld.canonize(unsigned, {
  algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true
});
process.stdout.write(JSON.stringify({
  sign_ms: signMs, verify_ms: verifyMs, verified, ed25519_sign_us: edSignUs,
  ed25519_verify_us: edVerifyUs, canonical, signed
}));
