// Issue a credential and its status list credentials with Digital Bazaar's libraries.
// stdin: {contexts, seedHex, controller, credential, statusLists: [{id, purpose, setIndexes}], now}
// stdout: {credential, statusLists: {url: vc}, publicKeyMultibase}
import {createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof, Ed25519Multikey, eddsaRdfc2022, makeLoader, readInput, vc, writeOutput}
  from './common.mjs';

const input = readInput();
const documentLoader = makeLoader(input);
const key = await Ed25519Multikey.generate({
  seed: Uint8Array.from(Buffer.from(input.seedHex, 'hex')), controller: input.controller
});
key.id = `${input.controller}#key-1`;
const signer = key.signer();
const suite = new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022, date: input.now});
const credential = await vc.issue({credential: input.credential, suite, documentLoader});
const statusLists = {};
for(const spec of input.statusLists || []) {
  const list = await createList({length: 131072});
  for(const index of spec.setIndexes || []) {
    list.setStatus(index, true);
  }
  const unsigned = await createCredential({id: spec.id, list, statusPurpose: spec.purpose});
  unsigned.issuer = input.controller;
  unsigned.validFrom = input.now;
  statusLists[spec.id] = await vc.issue({credential: unsigned, suite, documentLoader});
}
writeOutput({credential, statusLists, publicKeyMultibase: key.publicKeyMultibase});
