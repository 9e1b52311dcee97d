// The JavaScript reference for bench/signing.py: eddsa-rdfc-2022 sign + verify of one credential with Digital
// Bazaar's libraries (@digitalbazaar/vc over jsonld-signatures and jsonld.js, DataIntegrityProof with the
// eddsa-rdfc-2022 cryptosuite), in process, contexts served from memory.
//
//   node bench/js_sign_verify.mjs NODE_MODULES_PARENT CONTEXTS_DIR ITERATIONS < credential.json
//
// NODE_MODULES_PARENT is a folder whose node_modules holds those packages (tests/interop after
// `npm ci --prefix tests/interop`). The JSON-LD contexts are microcred's own bundled files, so both languages
// canonicalize the same bytes. Prints one JSON line: {"sign_ms", "verify_ms", "sign_verify_ms", "verified", ...}.
// Exit status 3 means the packages are missing (the caller reports the baseline as skipped).

import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {pathToFileURL} from 'node:url';

const [parent, contextsDir, iterationsText] = process.argv.slice(2);
const iterations = Number(iterationsText || 50);
const require = createRequire(join(resolve(parent), 'package.json'));

async function load(name) {
  let resolved;
  try {
    resolved = require.resolve(name);
  } catch {
    console.error(`${name} is not installed under ${join(parent, 'node_modules')}`);
    process.exit(3);
  }
  return import(pathToFileURL(resolved).href);
}

const {DataIntegrityProof} = await load('@digitalbazaar/data-integrity');
const {cryptosuite} = await load('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalbazaar/ed25519-multikey');
const vc = await load('@digitalbazaar/vc');

globalThis.fetch = async url => {
  throw new Error(`no network in the benchmark (asked for ${url})`);
};

const contexts = new Map([
  ['https://www.w3.org/ns/credentials/v2', 'credentials-v2.jsonld'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'context-3.0.3.json']
].map(([url, file]) => [url, JSON.parse(readFileSync(join(contextsDir, file), 'utf8'))]));

const credential = JSON.parse(readFileSync(0, 'utf8'));
// vc.verifyCredential wants the issuer to be the key's controller; the document keeps its size and shape.
const controller = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
const key = await Ed25519Multikey.generate({controller, id: `${controller}#key-1`});
const exported = await key.export({publicKey: true, includeContext: true});
const controllerDocument = {
  '@context': 'https://www.w3.org/ns/did/v1',
  id: controller,
  assertionMethod: [key.id],
  verificationMethod: [exported]
};

// A static loader, as a production verifier would use: contexts and the issuer's documents from memory.
function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url), tag: 'static'};
  }
  if(url === key.id) {
    return {contextUrl: null, documentUrl: url, document: exported};
  }
  if(url === controller) {
    return {contextUrl: null, documentUrl: url, document: controllerDocument};
  }
  throw new Error(`document not available to the benchmark: ${url}`);
}

// The status list is not fetched: the Python side does not check status either, only the proof.
const checkStatus = async () => ({verified: true});

const signingSuite = new DataIntegrityProof({signer: key.signer(), cryptosuite, date: '2024-05-01T12:00:00Z'});
const verifyingSuite = new DataIntegrityProof({cryptosuite});

async function once() {
  const started = performance.now();
  const signed = await vc.issue({credential: structuredClone(credential), suite: signingSuite, documentLoader});
  const middle = performance.now();
  const result = await vc.verifyCredential({credential: signed, suite: verifyingSuite, documentLoader, checkStatus});
  const ended = performance.now();
  if(!result.verified) {
    throw new Error(`verification failed: ${String(result.error?.errors?.[0]?.stack ?? result.error?.stack ?? JSON.stringify(result)).slice(0, 1500)}`);
  }
  return [middle - started, ended - middle];
}

for(let i = 0; i < 5; i++) {
  await once();
}
let sign = 0;
let verify = 0;
for(let i = 0; i < iterations; i++) {
  const [s, v] = await once();
  sign += s;
  verify += v;
}
console.log(JSON.stringify({
  sign_ms: sign / iterations,
  verify_ms: verify / iterations,
  sign_verify_ms: (sign + verify) / iterations,
  verified: true,
  iterations,
  node: process.version
}));
