// Issue a VC 1.1 credential with the legacy Ed25519Signature2020 suite (Digital Bazaar).
// stdin: {contexts, seedHex, controller, credential, now}; stdout: {credential, publicKeyMultibase}
import * as vc from '@digitalbazaar/vc';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {makeLoader, readInput, writeOutput} from './common.mjs';

const input = readInput();
const documentLoader = makeLoader(input);
const key = await Ed25519VerificationKey2020.generate({
  seed: Uint8Array.from(Buffer.from(input.seedHex, 'hex')), controller: input.controller
});
key.id = `${input.controller}#key-2020`;
const suite = new Ed25519Signature2020({key, date: input.now});
const credential = await vc.issue({credential: input.credential, suite, documentLoader});
writeOutput({credential, publicKeyMultibase: key.publicKeyMultibase});
