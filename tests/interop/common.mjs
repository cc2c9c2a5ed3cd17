// Shared helpers for the Node interop scripts the Python tests run (no network: every context,
// DID document and status list comes from the JSON read on stdin).
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {checkStatus as bslCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';

export {vc, DataIntegrityProof, eddsaRdfc2022, Ed25519Multikey};

export function readInput() {
  return JSON.parse(fs.readFileSync(0, 'utf8'));
}

export function writeOutput(value) {
  process.stdout.write(JSON.stringify(value));
}

// input.contexts: {url: path of the bundled file}; input.documents: {url or DID: document}
export function makeLoader({contexts = {}, documents = {}} = {}) {
  const cache = new Map();
  for(const [url, path] of Object.entries(contexts)) {
    cache.set(url, JSON.parse(fs.readFileSync(path, 'utf8')));
  }
  return async function documentLoader(url) {
    if(cache.has(url)) {
      return {contextUrl: null, documentUrl: url, document: cache.get(url)};
    }
    const [base, fragment] = url.split('#');
    let document = documents[url] ?? documents[base];
    if(base.startsWith('did:key:') && !document) {
      const key = await Ed25519Multikey.from({
        publicKeyMultibase: base.slice('did:key:'.length),
        controller: base, id: `${base}#${base.slice('did:key:'.length)}`
      });
      const exported = await key.export({publicKey: true, includeContext: true});
      document = {
        '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
        id: base, verificationMethod: [exported], assertionMethod: [exported.id]
      };
    }
    if(!document) {
      throw new Error(`interop loader: no document for ${url}`);
    }
    if(fragment !== undefined && document.id !== url) {
      const method = (document.verificationMethod || []).find(m => m.id === url);
      if(!method) {
        throw new Error(`interop loader: ${url} not in its DID document`);
      }
      return {contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

export function verifySuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

// Status check through Digital Bazaar's Bitstring Status List library (it verifies the list
// credential's own proof); a set bit (revoked / suspended) counts as "not verified".
export function makeCheckStatus({suite, documentLoader}) {
  return async function checkStatus(options) {
    const result = await bslCheckStatus({...options, suite, documentLoader});
    if(!result.verified) {
      return result;
    }
    const set = (result.results || []).filter(r => r.status);
    if(set.length) {
      return {verified: false, error: new Error(
        'status set for purpose(s): ' + set.map(r => r.credentialStatus.statusPurpose).join(', '))};
    }
    return result;
  };
}

export function errorText(result) {
  const errors = [];
  const walk = value => {
    if(!value) {
      return;
    }
    if(Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if(value.message) {
      errors.push(value.message);
    }
    if(value.errors) {
      walk(value.errors);
    }
  };
  walk(result.error);
  for(const r of result.results || []) {
    walk(r.error);
  }
  if(result.statusResult && !result.statusResult.verified) {
    walk(result.statusResult.error);
  }
  return errors;
}
