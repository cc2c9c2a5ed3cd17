// Digital Bazaar peer for bench/vc_sign_verify.py: @digitalbazaar/vc + eddsa-rdfc-2022 sign and
// verify the same credential as Osaamo, in batches the Python side asks for, so the two run
// interleaved (machine noise hits both) and, pinned with taskset, on the same core.
//
// Configured as well as a production issuer would run it:
// - contexts come from memory with `tag: 'static'`, which lets jsonld.js keep resolved contexts
//   across operations (ContextResolver's shared cache; without the tag every operation resolves
//   every context again);
// - the DID document and its verification method are prepared once (no per-call work);
// - the Python side warms it up with thousands of operations before measuring (V8 JIT).
//
// Protocol: one JSON request per stdin line, one JSON answer per stdout line.
//   {op: 'setup', contexts: {url: path}, credential, verifyCredential, seedHex, controller,
//    didDocument, now}                                  -> {ok: true, node, v8}
//   {op: 'sign' | 'verify' | 'ed25519_sign' | 'ed25519_verify', n}
//                                                       -> {wall_ms, cpu_ms} per operation
//   {op: 'canonical'}                                   -> {canonical, signed, verified}
import fs from 'node:fs';
import crypto from 'node:crypto';
import readline from 'node:readline';
import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

let state = null;

async function setup(input) {
  const contexts = new Map();
  for(const [url, path] of Object.entries(input.contexts)) {
    contexts.set(url, {
      contextUrl: null, documentUrl: url, tag: 'static',
      document: JSON.parse(fs.readFileSync(path, 'utf8'))
    });
  }
  const documents = new Map();
  const didDocument = input.didDocument;
  documents.set(didDocument.id, {contextUrl: null, documentUrl: didDocument.id, document: didDocument});
  for(const method of didDocument.verificationMethod) {
    documents.set(method.id, {
      contextUrl: null, documentUrl: method.id,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
    });
  }
  async function documentLoader(url) {
    const found = contexts.get(url) || documents.get(url);
    if(!found) {
      throw new Error(`no document for ${url}`);
    }
    return found;
  }
  const key = await Ed25519Multikey.generate({
    seed: Uint8Array.from(Buffer.from(input.seedHex, 'hex')), controller: input.controller
  });
  key.id = `${input.controller}#key-1`;
  const signSuite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022, date: input.now});
  const verifySuite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  // Status is not part of this measurement on either side (Osaamo runs without a status fetcher);
  // @digitalbazaar/vc insists on a checkStatus function when credentialStatus is present.
  const checkStatus = async () => ({verified: true});
  const raw = crypto.generateKeyPairSync('ed25519');
  const data = crypto.randomBytes(64);
  state = {
    input, documentLoader, signSuite, verifySuite, checkStatus, raw, data,
    signature: crypto.sign(null, data, raw.privateKey)
  };
}

async function sign() {
  const {input, signSuite, documentLoader} = state;
  return vc.issue({credential: structuredClone(input.credential), suite: signSuite, documentLoader});
}

async function verify() {
  const {input, verifySuite, documentLoader, checkStatus} = state;
  const result = await vc.verifyCredential({
    credential: input.verifyCredential, suite: verifySuite, documentLoader, now: input.now, checkStatus
  });
  if(!result.verified) {
    throw new Error('the peer did not verify the credential: ' + JSON.stringify(result.error || result));
  }
  return result;
}

const ops = {
  sign,
  verify,
  async ed25519_sign() {
    return crypto.sign(null, state.data, state.raw.privateKey);
  },
  async ed25519_verify() {
    return crypto.verify(null, state.data, state.raw.publicKey, state.signature);
  }
};

async function measure(fn, n) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await fn();
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return {wall_ms: wall / n, cpu_ms: (cpu.user + cpu.system) / 1e3 / n};
}

async function handle(request) {
  if(request.op === 'setup') {
    await setup(request);
    return {ok: true, node: process.version, v8: process.versions.v8, execArgv: process.execArgv};
  }
  if(request.op === 'canonical') {
    const signed = await sign();
    const verified = (await vc.verifyCredential({
      credential: state.input.verifyCredential, suite: state.verifySuite,
      documentLoader: state.documentLoader, now: state.input.now, checkStatus: state.checkStatus
    })).verified;
    const canonical = await jsonld.canonize({...state.input.credential}, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: state.documentLoader, safe: true
    });
    return {canonical, signed, verified};
  }
  const fn = ops[request.op];
  if(!fn) {
    throw new Error(`unknown op ${request.op}`);
  }
  return measure(fn, request.n);
}

const lines = readline.createInterface({input: process.stdin, terminal: false});
for await (const line of lines) {
  if(!line.trim()) {
    continue;
  }
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch(e) {
    answer = {error: String(e && e.stack || e)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
