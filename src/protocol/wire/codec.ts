/**
 * Envelope <-> typed messages. decodeMessage never throws: malformed input of any kind is
 * returned as { ok: false, reason, detail } so the state machine can drop it with a typed
 * reason. Checks here are the context-free ones (sizes, lengths, uniqueness, counts); the
 * state machines check membership, session binding and stage.
 */
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, ED25519_SIGNATURE_BYTES, MERKLE_HASH_BYTES, SHAMIR_SHARE_BYTES, X25519_KEY_BYTES } from '../../crypto/index.ts'
import { MAX_PEER_ID_LENGTH, PROTOCOL_VERSION } from '../session-config.ts'
import type { AdvertisedKeys } from '../transcript.ts'
import { Envelope, Kind } from './secagg.generated.ts'
import type { RejectReason } from '../reasons.ts'
import { bitmapBytes, bitmapCount } from '../member-bitmap.ts'

/** A key commitment over at most 65,535 member slots has 16 levels. */
export const MAX_PROOF_HASHES = 16
/** A dealer's share commitment has two slots per neighbour (at most 65,534): 17 levels. */
export const MAX_SHARE_PROOF_HASHES = MAX_PROOF_HASHES + 1

/**
 * A box's plaintext: two 33-byte Shamir shares (of s^SK and of b), the dealer's share root and
 * its signature, then the path above the holder's pair of leaves (`pathHashes` hashes: the
 * depth of the dealer's commitment minus one).
 */
export function shareBoxPlaintextBytes (pathHashes: number): number {
  return 2 * SHAMIR_SHARE_BYTES + MERKLE_HASH_BYTES + ED25519_SIGNATURE_BYTES + pathHashes * MERKLE_HASH_BYTES
}
const BOX_OVERHEAD = AEAD_NONCE_BYTES + AEAD_TAG_BYTES

export interface Box { readonly peer: string, readonly ciphertext: Uint8Array }
export interface PeerSignature { readonly peer: string, readonly signature: Uint8Array }
/** A revealed share with its proof: `signature` is the dealer's over `root`, `proof` the share's path to it. */
export interface RevealedShare {
  readonly owner: string
  readonly selfMask: boolean
  readonly value: Uint8Array
  readonly signature: Uint8Array
  readonly root: Uint8Array
  readonly proof: readonly Uint8Array[]
}
/** A key-list entry: the advertised keys and the Merkle path of the member's slot. */
export interface ProvenKeys extends AdvertisedKeys { readonly proof: readonly Uint8Array[] }

interface Header { readonly binding: Uint8Array, readonly round: number }

export type Message = Header & (
  | { readonly kind: 'advertise-keys', readonly keys: AdvertisedKeys }
  | { readonly kind: 'key-list', readonly keys: readonly ProvenKeys[], readonly root: Uint8Array, readonly signature: Uint8Array }
  | { readonly kind: 'share-keys', readonly boxes: readonly Box[] }
  | { readonly kind: 'share-inbox', readonly boxes: readonly Box[] }
  | { readonly kind: 'masked-input', readonly vector: Uint32Array }
  | { readonly kind: 'survivor-list', readonly survivors: Uint8Array }
  | { readonly kind: 'consistency-signature', readonly signature: Uint8Array }
  | { readonly kind: 'unmask-request', readonly survivors: Uint8Array, readonly signers: Uint8Array, readonly signatures: Uint8Array }
  | { readonly kind: 'unmask-shares', readonly shares: readonly RevealedShare[] }
  | { readonly kind: 'abort', readonly reason: string }
)

export type MessageKind = Message['kind']

const KIND_NAMES: Record<MessageKind, Kind> = {
  'advertise-keys': Kind.ADVERTISE_KEYS,
  'key-list': Kind.KEY_LIST,
  'share-keys': Kind.SHARE_KEYS,
  'share-inbox': Kind.SHARE_INBOX,
  'masked-input': Kind.MASKED_INPUT,
  'survivor-list': Kind.SURVIVOR_LIST,
  'consistency-signature': Kind.CONSISTENCY_SIGNATURE,
  'unmask-request': Kind.UNMASK_REQUEST,
  'unmask-shares': Kind.UNMASK_SHARES,
  abort: Kind.ABORT
}
const KINDS_BY_NAME = new Map<Kind, MessageKind>(Object.entries(KIND_NAMES).map(([k, v]) => [v, k as MessageKind]))

export interface DecodeLimits {
  /** Largest number of list entries (members). */
  readonly maxPeers: number
  /** Expected masked-vector length in words (M + 1). */
  readonly vectorWords: number
}

export type DecodeResult = { readonly ok: true, readonly message: Message } | { readonly ok: false, readonly reason: RejectReason, readonly detail: string }

class Invalid extends Error {
  constructor (readonly reason: RejectReason, detail: string) { super(detail) }
}

function peerId (value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PEER_ID_LENGTH) throw new Invalid('malformed', `${what}: peer id must be 1..${MAX_PEER_ID_LENGTH} characters`)
  return value
}

/**
 * The masked vector's words: a view of the received bytes when they are 4-byte aligned (the
 * sender's MaskedInputFrame puts them there), else one copy. A view keeps decoding a 4 MB
 * vector O(1); the caller only reads it (the aggregator adds it into its running sum).
 */
function wordsOf (raw: Uint8Array, words: number): Uint32Array {
  if (raw.byteOffset % 4 === 0) return new Uint32Array(raw.buffer, raw.byteOffset, words)
  const vector = new Uint32Array(words)
  new Uint8Array(vector.buffer).set(raw)
  return vector
}

function bytes (value: Uint8Array, length: number, what: string): Uint8Array {
  if (value.length !== length) throw new Invalid('malformed', `${what}: expected ${length} bytes, got ${value.length}`)
  return value
}

function uniquePeers (peers: readonly string[], what: string): void {
  if (new Set(peers).size !== peers.length) throw new Invalid('malformed', `${what}: a peer is listed twice`)
}

interface WireKeys { peer: string, encryptionKey: Uint8Array, maskingKey: Uint8Array, signature: Uint8Array, proof: Uint8Array[] }

function keysOf (k: WireKeys): AdvertisedKeys {
  if (k.proof.length > 0) throw new Invalid('malformed', `advertised keys of ${k.peer} carry a proof`)
  return {
    peer: peerId(k.peer, 'keys.peer'),
    encryptionKey: bytes(k.encryptionKey, X25519_KEY_BYTES, `keys of ${k.peer}: encryptionKey`),
    maskingKey: bytes(k.maskingKey, X25519_KEY_BYTES, `keys of ${k.peer}: maskingKey`),
    signature: bytes(k.signature, ED25519_SIGNATURE_BYTES, `keys of ${k.peer}: signature`)
  }
}

function provenKeysOf (k: WireKeys): ProvenKeys {
  if (k.proof.length > MAX_PROOF_HASHES) throw new Invalid('malformed', `keys of ${k.peer}: proof of ${k.proof.length} hashes, at most ${MAX_PROOF_HASHES}`)
  const proof = k.proof.map((h, i) => bytes(h, MERKLE_HASH_BYTES, `keys of ${k.peer}: proof hash ${i}`))
  return { ...keysOf({ ...k, proof: [] }), proof }
}

function boxesOf (env: Envelope): Box[] {
  const boxes = env.boxes.map((b) => ({ peer: peerId(b.peer, 'box.peer'), ciphertext: boxBytes(b.ciphertext, b.peer) }))
  uniquePeers(boxes.map((b) => b.peer), 'boxes')
  return boxes
}

function proofOf (proof: readonly Uint8Array[], what: string): Uint8Array[] {
  if (proof.length < 1 || proof.length > MAX_SHARE_PROOF_HASHES) throw new Invalid('malformed', `${what}: proof of ${proof.length} hashes, expected 1..${MAX_SHARE_PROOF_HASHES}`)
  return proof.map((h, i) => bytes(h, MERKLE_HASH_BYTES, `${what}: proof hash ${i}`))
}

/** A member-set bitmap: one bit per member; its exact length and padding are the session's to check. */
function memberSet (bitmap: Uint8Array, limits: DecodeLimits, what: string): Uint8Array {
  if (bitmap.length === 0 || bitmap.length > bitmapBytes(limits.maxPeers)) throw new Invalid('malformed', `${what}: a member set of 1..${bitmapBytes(limits.maxPeers)} bytes expected, got ${bitmap.length}`)
  return bitmap
}

/** A box holds a path of 0..MAX_PROOF_HASHES hashes; the holder checks the exact depth once opened. */
function boxBytes (ciphertext: Uint8Array, peer: string): Uint8Array {
  const path = (ciphertext.length - BOX_OVERHEAD - shareBoxPlaintextBytes(0)) / MERKLE_HASH_BYTES
  if (!Number.isInteger(path) || path < 0 || path > MAX_PROOF_HASHES) {
    throw new Invalid('malformed', `box for ${peer}: ${ciphertext.length} bytes is not a share box with a path of 0..${MAX_PROOF_HASHES} hashes`)
  }
  return ciphertext
}

function onlyFields (env: Envelope, allowed: ReadonlyArray<keyof Envelope>): void {
  const present: Array<[keyof Envelope, boolean]> = [
    ['keys', env.keys.length > 0], ['boxes', env.boxes.length > 0], ['vector', env.vector.length > 0], ['signature', env.signature.length > 0],
    ['shares', env.shares.length > 0], ['reason', env.reason.length > 0], ['root', env.root.length > 0], ['survivors', env.survivors.length > 0],
    ['signers', env.signers.length > 0], ['signatureList', env.signatureList.length > 0]
  ]
  for (const [field, isSet] of present) {
    if (isSet && !allowed.includes(field)) throw new Invalid('malformed', `field '${field}' is not allowed in a ${env.kind} message`)
  }
}

function toMessage (env: Envelope, limits: DecodeLimits): Message {
  if (env.version !== PROTOCOL_VERSION) throw new Invalid('unsupported-version', `protocol version ${env.version}, this node speaks ${PROTOCOL_VERSION}`)
  const kind = KINDS_BY_NAME.get(env.kind)
  if (kind === undefined) throw new Invalid('malformed', `unknown message kind ${env.kind}`)
  const binding = bytes(env.binding, 32, 'binding')
  if (env.round > BigInt(Number.MAX_SAFE_INTEGER)) throw new Invalid('malformed', `round ${env.round} is out of range`)
  const header = { binding, round: Number(env.round) }
  switch (kind) {
    case 'advertise-keys':
      onlyFields(env, ['keys'])
      if (env.keys.length !== 1) throw new Invalid('malformed', `advertise-keys carries ${env.keys.length} key entries, expected 1`)
      return { ...header, kind, keys: keysOf(env.keys[0]!) }
    case 'key-list': {
      onlyFields(env, ['keys', 'root', 'signature'])
      const keys = env.keys.map(provenKeysOf)
      uniquePeers(keys.map((k) => k.peer), 'key-list')
      return { ...header, kind, keys, root: bytes(env.root, MERKLE_HASH_BYTES, 'key-list root'), signature: bytes(env.signature, ED25519_SIGNATURE_BYTES, 'key-list root signature') }
    }
    case 'share-keys':
    case 'share-inbox':
      onlyFields(env, ['boxes'])
      return { ...header, kind, boxes: boxesOf(env) }
    case 'masked-input': {
      onlyFields(env, ['vector'])
      if (env.vector.length !== limits.vectorWords * 4) throw new Invalid('wrong-length', `masked vector has ${env.vector.length} bytes, expected ${limits.vectorWords * 4}`)
      return { ...header, kind, vector: wordsOf(env.vector, limits.vectorWords) }
    }
    case 'survivor-list':
      onlyFields(env, ['survivors'])
      return { ...header, kind, survivors: memberSet(env.survivors, limits, 'U3') }
    case 'consistency-signature':
      onlyFields(env, ['signature'])
      return { ...header, kind, signature: bytes(env.signature, ED25519_SIGNATURE_BYTES, 'consistency signature') }
    case 'unmask-request': {
      onlyFields(env, ['survivors', 'signers', 'signatureList'])
      const survivors = memberSet(env.survivors, limits, 'U3')
      const signers = memberSet(env.signers, limits, 'signers')
      const expected = bitmapCount(signers) * ED25519_SIGNATURE_BYTES
      if (env.signatureList.length !== expected) throw new Invalid('malformed', `${bitmapCount(signers)} signers need ${expected} signature bytes, got ${env.signatureList.length}`)
      return { ...header, kind, survivors, signers, signatures: env.signatureList }
    }
    case 'unmask-shares': {
      onlyFields(env, ['shares'])
      const shares = env.shares.map((s) => ({
        owner: peerId(s.owner, 'share owner'), selfMask: s.selfMask, value: bytes(s.value, SHAMIR_SHARE_BYTES, `share of ${s.owner}`),
        signature: bytes(s.signature, ED25519_SIGNATURE_BYTES, `dealer signature of the share of ${s.owner}`),
        root: bytes(s.root, MERKLE_HASH_BYTES, `share root of ${s.owner}`),
        proof: proofOf(s.proof, `share of ${s.owner}`)
      }))
      uniquePeers(shares.map((s) => s.owner), 'unmask-shares owners')
      return { ...header, kind, shares }
    }
    case 'abort':
      onlyFields(env, ['reason'])
      return { ...header, kind, reason: env.reason.slice(0, 200) }
  }
}

/** Decodes and validates one message; never throws. */
export function decodeMessage (data: Uint8Array, limits: DecodeLimits): DecodeResult {
  try {
    const env = Envelope.decode(data, {
      limits: {
        keys: limits.maxPeers, keys$: { proof: MAX_PROOF_HASHES + 1 }, boxes: limits.maxPeers, shares: limits.maxPeers, shares$: { proof: MAX_SHARE_PROOF_HASHES + 1 }
      }
    } as never)
    return { ok: true, message: toMessage(env, limits) }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: err.reason, detail: err.message }
    return { ok: false, reason: 'malformed', detail: `undecodable envelope: ${(err as Error).message}` }
  }
}

/** A v1 envelope with the header set and every kind-specific field empty (proto3 omits them). */
export function headerEnvelope (kind: MessageKind, binding: Uint8Array, round: number): Envelope {
  return {
    version: PROTOCOL_VERSION,
    kind: KIND_NAMES[kind],
    binding: binding as Uint8Array<ArrayBuffer>,
    round: BigInt(round),
    keys: [],
    boxes: [],
    vector: new Uint8Array(0),
    signature: new Uint8Array(0),
    shares: [],
    reason: '',
    root: new Uint8Array(0),
    survivors: new Uint8Array(0),
    signers: new Uint8Array(0),
    signatureList: new Uint8Array(0)
  }
}

/** Encodes a typed message as a v1 envelope. */
export function encodeMessage (message: Message): Uint8Array {
  const env = headerEnvelope(message.kind, message.binding, message.round)
  switch (message.kind) {
    case 'advertise-keys': env.keys = [{ ...message.keys, proof: [] } as never]; break
    case 'key-list':
      env.keys = message.keys as never
      env.root = message.root as Uint8Array<ArrayBuffer>
      env.signature = message.signature as Uint8Array<ArrayBuffer>
      break
    case 'share-keys': case 'share-inbox': env.boxes = message.boxes as never; break
    case 'masked-input': env.vector = new Uint8Array(message.vector.buffer as ArrayBuffer, message.vector.byteOffset, message.vector.byteLength); break
    case 'survivor-list': env.survivors = message.survivors as Uint8Array<ArrayBuffer>; break
    case 'consistency-signature': env.signature = message.signature as Uint8Array<ArrayBuffer>; break
    case 'unmask-request':
      env.survivors = message.survivors as Uint8Array<ArrayBuffer>
      env.signers = message.signers as Uint8Array<ArrayBuffer>
      env.signatureList = message.signatures as Uint8Array<ArrayBuffer>
      break
    case 'unmask-shares': env.shares = message.shares as never; break
    case 'abort': env.reason = message.reason; break
  }
  return Envelope.encode(env)
}
