/**
 * Corrupted fields: every message kind of an honest session (and an abort frame built here),
 * each field corrupted in turn at the Envelope level, plus seeded raw byte flips and
 * truncations. Each corruption replaces one message once (to or from p01) in a fresh
 * deterministic session. Whatever arrives, no machine may throw or contain an exception
 * ('internal-error'); the receiver drops the message or aborts with a typed reason (or the
 * change is neutral and the session ends normally); the aggregator ends with the honest sum
 * or aborts.
 */
import assert from 'node:assert/strict'
import { bytesEqual, randomInt, seededRandom } from '../../../src/crypto/index.ts'
import { PROTOCOL_VERSION, bitmapIds, memberBitmap } from '../../../src/protocol/index.ts'
import type { AbortReason, ProtocolEvent, RejectReason } from '../../../src/protocol/index.ts'
import { advertisedKeysMessage, consistencyMessageFor } from '../../../src/protocol/transcript.ts'
import { Envelope, Kind } from '../../../src/protocol/wire/secagg.generated.ts'
import { drive, makeSession } from '../../helpers/session.ts'

const N = 5
const SEED = 'corrupted-fields'
const OTHER_SEED = 'corrupted-fields/another-session'
const TARGET = 'p01'
const AGGREGATOR = 'p00'
/** Every member inputs [0.5, −0.25, 1, 0] with weight 2: each included member adds w·x. */
const PER_MEMBER = [1, -0.5, 2, 0]
const WEIGHT = 2
const RAW_CASES = 50

const REJECT_REASONS: Record<RejectReason, true> = {
  malformed: true, 'unsupported-version': true, 'non-member': true, 'not-from-aggregator': true, 'session-mismatch': true, 'unexpected-message': true,
  duplicate: true, 'not-expected-sender': true, 'invalid-signature': true, 'wrong-length': true, 'invalid-share': true, 'invalid-key': true, 'missing-boxes': true
}
const ABORT_REASONS: Record<AbortReason, true> = {
  'not-enough-peers': true, 'not-enough-signatures': true, 'not-enough-shares': true, 'invalid-signature': true, 'inconsistent-survivor-list': true,
  'both-shares-requested': true, 'invalid-key-list': true, 'decryption-failed': true, 'not-included': true, 'reconstruction-mismatch': true,
  'too-few-survivors': true, 'invalid-share': true, 'result-out-of-bounds': true, 'internal-error': true, 'aggregator-aborted': true, timeout: true
}

const KINDS: ReadonlyArray<[Kind, string]> = [
  [Kind.ADVERTISE_KEYS, 'advertise-keys'], [Kind.KEY_LIST, 'key-list'], [Kind.SHARE_KEYS, 'share-keys'], [Kind.SHARE_INBOX, 'share-inbox'],
  [Kind.MASKED_INPUT, 'masked-input'], [Kind.SURVIVOR_LIST, 'survivor-list'], [Kind.CONSISTENCY_SIGNATURE, 'consistency-signature'],
  [Kind.UNMASK_REQUEST, 'unmask-request'], [Kind.UNMASK_SHARES, 'unmask-shares'], [Kind.ABORT, 'abort']
]
const kindName = (k: Kind): string => KINDS.find(([v]) => v === k)?.[1] ?? String(k)

type Dir = 'up' | 'down'
type Bytes = Uint8Array<ArrayBuffer>

// ---------------------------------------------------------------------------------------------
// Byte helpers

function bytesOf (...parts: ArrayLike<number>[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) { out.set(p, offset); offset += p.length }
  return out
}

function flipped (b: Uint8Array, at = b.length >> 1, bit = 3): Bytes {
  const c = b.slice()
  c[at] = c[at]! ^ (1 << bit)
  return c
}

function varint (value: bigint): number[] {
  const out: number[] = []
  let v = BigInt.asUintN(64, value)
  while (v >= 0x80n) { out.push(Number(v & 0x7fn) | 0x80); v >>= 7n }
  out.push(Number(v))
  return out
}

/** The usual corruptions of a fixed-size byte field, plus named substitutes. */
function byteVariants (b: Uint8Array, substitutes: Record<string, Uint8Array> = {}): Array<[string, Bytes]> {
  return [
    ['empty', new Uint8Array(0)],
    [`${b.length - 1} bytes`, b.slice(0, -1)],
    [`${b.length + 1} bytes`, bytesOf(b, [0])],
    ['one bit flipped', flipped(b)],
    ['zeroed', new Uint8Array(b.length)],
    ...Object.entries(substitutes).map(([name, v]): [string, Bytes] => [name, v.slice()])
  ]
}

/** A 32-byte little-endian X25519 u-coordinate, optionally with the (ignored) top bit set. */
function uCoordinate (u: bigint, topBit = false): Bytes {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn)
  if (topBit) out[31] = out[31]! | 0x80
  return out
}
const P = 2n ** 255n - 19n
const U_ONE = uCoordinate(1n)
const LOW_ORDER_KEYS: Record<string, Uint8Array> = { 'low-order u = 0 (32 zero bytes)': new Uint8Array(32), 'low-order u = 1': U_ONE }
/** Every encoding of a small-order point: canonical, non-canonical (u + p) and with the top bit set. */
const ALL_LOW_ORDER_KEYS: Record<string, Uint8Array> = {
  ...LOW_ORDER_KEYS,
  'low-order u = p − 1': uCoordinate(P - 1n),
  'low-order u of order 8 (a)': uCoordinate(325606250916557431795983626356110631294008115727848805560023387167927233504n),
  'low-order u of order 8 (b)': uCoordinate(39382357235489614581723060781553021112529911719440698176882885853963445705823n),
  'low-order u = p (non-canonical 0)': uCoordinate(P),
  'low-order u = p + 1 (non-canonical 1)': uCoordinate(P + 1n),
  'low-order u = 1, top bit set': uCoordinate(1n, true),
  'low-order u = p − 1, top bit set': uCoordinate(P - 1n, true)
}

// ---------------------------------------------------------------------------------------------
// The honest transcript (identical in every fresh session of the same seed)

interface Recorded { readonly dir: Dir, readonly peer: string, readonly kind: Kind, readonly data: Bytes }

function record (seed: string): Recorded[] {
  const log: Recorded[] = []
  const tap = (dir: Dir) => (peer: string, data: Uint8Array): Uint8Array => {
    const copy = data.slice()
    log.push({ dir, peer, kind: Envelope.decode(copy.slice()).kind, data: copy })
    return data
  }
  drive(makeSession(N, {}, seed), { up: tap('up'), down: tap('down') })
  return log
}

const honestLog = record(SEED)
const otherLog = record(OTHER_SEED)

function honestBytes (kind: Kind, peer = TARGET, log = honestLog): Bytes {
  const r = log.find((x) => x.kind === kind && x.peer === peer)
  assert.ok(r, `the honest session has no ${kindName(kind)} of ${peer}`)
  return r.data
}
/** A fresh decoded copy: editing it never touches the transcript. */
const honest = (kind: Kind, peer = TARGET, log = honestLog): Envelope => Envelope.decode(honestBytes(kind, peer, log).slice())

const preSessionId = honest(Kind.ADVERTISE_KEYS).binding
const sessionId = honest(Kind.SHARE_KEYS).binding
const otherPreSessionId = honest(Kind.ADVERTISE_KEYS, TARGET, otherLog).binding
const otherSessionId = honest(Kind.SHARE_KEYS, TARGET, otherLog).binding
const targetSigner = makeSession(N, {}, SEED).signers[1]!
/** The session's sorted members, p00…p04: the order of every member bitmap. */
const MEMBERS = makeSession(N, {}, SEED).ids

// ---------------------------------------------------------------------------------------------
// Cases

interface Case {
  readonly name: string
  readonly dir: Dir
  /** The honest message from or to p01 that is replaced (or, with inject, preceded). */
  readonly target: Bytes
  readonly bytes: Uint8Array
  /** Delivered just before the target, which then arrives unchanged. */
  readonly inject?: boolean
  /**
   * p01 changed its own masked input: the aggregator cannot see that, so the sum may change by
   * p01's contribution, or the bounds check aborts.
   */
  readonly ownInput?: boolean
  /** The receiver cannot check this field (e.g. ciphertext it cannot open): a later check must. */
  readonly downstream?: boolean
}

interface Target {
  readonly kind: Kind
  readonly dir: Dir
  readonly trigger: Bytes
  /** The message corrupted: the trigger itself unless injected. */
  readonly base: Bytes
  readonly inject?: boolean
}

function targetOf (kind: Kind): Target {
  const dir: Dir = honestLog.find((x) => x.kind === kind && x.peer === TARGET)!.dir
  return { kind, dir, trigger: honestBytes(kind), base: honestBytes(kind) }
}

/** The abort frame an aggregator would send, injected just before p01's survivor list. */
const abortFrame = Envelope.encode({
  version: PROTOCOL_VERSION, kind: Kind.ABORT, binding: sessionId, round: 3n, keys: [], boxes: [], vector: new Uint8Array(0),
  signature: new Uint8Array(0), shares: [], reason: 'timeout', root: new Uint8Array(0),
  survivors: new Uint8Array(0), signers: new Uint8Array(0), signatureList: new Uint8Array(0)
})
const ABORT_TARGET: Target = { kind: Kind.ABORT, dir: 'down', trigger: honestBytes(Kind.SURVIVOR_LIST), base: abortFrame, inject: true }

type Options = Pick<Case, 'ownInput' | 'downstream'>

class Cases {
  readonly list: Case[] = []
  constructor (readonly t: Target) {}

  private label (what: string): string {
    return `${kindName(this.t.kind)} ${this.t.dir === 'up' ? 'from' : 'to'} ${TARGET}${this.t.inject === true ? ' (injected)' : ''}: ${what}`
  }

  raw (what: string, bytes: Uint8Array, options: Options = {}): void {
    this.list.push({ name: this.label(what), dir: this.t.dir, target: this.t.trigger, bytes, ...(this.t.inject === true ? { inject: true } : {}), ...options })
  }

  edit (what: string, change: (e: Envelope) => void, options: Options = {}): void {
    const e = Envelope.decode(this.t.base.slice())
    change(e)
    this.raw(what, Envelope.encode(e), options)
  }

  /** Appends a raw field (protobuf: the last scalar wins, unknown fields are skipped). */
  appended (what: string, field: number, value: bigint): void {
    this.raw(what, bytesOf(this.t.base, varint(BigInt(field << 3)), varint(value)))
  }
}

/** Fields allowed per kind (codec.ts); every other one is set in turn. */
const ALLOWED: Record<string, ReadonlyArray<keyof Envelope>> = {
  [Kind.ADVERTISE_KEYS]: ['keys'], [Kind.KEY_LIST]: ['keys', 'root', 'signature'], [Kind.SHARE_KEYS]: ['boxes'], [Kind.SHARE_INBOX]: ['boxes'],
  [Kind.MASKED_INPUT]: ['vector'], [Kind.SURVIVOR_LIST]: ['survivors'], [Kind.CONSISTENCY_SIGNATURE]: ['signature'],
  [Kind.UNMASK_REQUEST]: ['survivors', 'signers', 'signatureList'], [Kind.UNMASK_SHARES]: ['shares'], [Kind.ABORT]: ['reason']
}
const EXTRA_FIELDS: Record<string, (e: Envelope) => void> = {
  keys: (e) => { e.keys = honest(Kind.ADVERTISE_KEYS).keys },
  boxes: (e) => { e.boxes = honest(Kind.SHARE_KEYS).boxes.slice(0, 1) },
  vector: (e) => { e.vector = honest(Kind.MASKED_INPUT).vector },
  survivors: (e) => { e.survivors = honest(Kind.SURVIVOR_LIST).survivors },
  signature: (e) => { e.signature = honest(Kind.CONSISTENCY_SIGNATURE).signature },
  signers: (e) => { e.signers = honest(Kind.UNMASK_REQUEST).signers },
  signatureList: (e) => { e.signatureList = honest(Kind.UNMASK_REQUEST).signatureList },
  shares: (e) => { e.shares = honest(Kind.UNMASK_SHARES).shares.slice(0, 1) },
  reason: (e) => { e.reason = 'timeout' },
  root: (e) => { e.root = honest(Kind.KEY_LIST).root }
}

/** version, kind, binding, round, fields of other kinds, an unknown field. */
function headerCases (c: Cases): void {
  const { kind } = c.t
  for (const v of [0, 1, PROTOCOL_VERSION + 1, 0xffffffff]) c.edit(`version ${v}`, (e) => { e.version = v })
  for (const [other, name] of KINDS) if (other !== kind) c.edit(`kind changed to ${name}`, (e) => { e.kind = other })
  c.edit('kind KIND_UNSPECIFIED', (e) => { e.kind = Kind.KIND_UNSPECIFIED })
  for (const v of [11n, 0x7fffffffn, -1n]) c.appended(`unknown kind value ${v}`, 2, v)
  const ownIsPre = kind === Kind.ADVERTISE_KEYS || kind === Kind.KEY_LIST
  const otherSession = ownIsPre ? otherPreSessionId : otherSessionId
  const variants = byteVariants(c.t.kind === Kind.ABORT ? sessionId : ownIsPre ? preSessionId : sessionId, {
    'another session\'s binding': otherSession,
    [ownIsPre ? 'this session\'s session id' : 'this session\'s pre-session id']: ownIsPre ? sessionId : preSessionId
  })
  for (const [name, value] of variants) c.edit(`binding: ${name}`, (e) => { e.binding = value })
  for (const r of [0n, 2n, 4n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n]) c.edit(`round ${r}`, (e) => { e.round = r })
  for (const [field, set] of Object.entries(EXTRA_FIELDS)) {
    if (!ALLOWED[kind]!.includes(field as keyof Envelope)) c.edit(`field '${field}' set (not allowed in this kind)`, set)
  }
  c.appended('unknown field 14 appended', 14, 1n)
}

function many<T> (item: T, count: number): T[] {
  return Array.from({ length: count }, () => item)
}

function advertiseKeysCases (c: Cases): void {
  const own = honest(Kind.ADVERTISE_KEYS).keys[0]!
  const p02 = honest(Kind.ADVERTISE_KEYS, 'p02').keys[0]!
  const p00 = honest(Kind.ADVERTISE_KEYS, 'p00').keys[0]!
  const otherOwn = honest(Kind.ADVERTISE_KEYS, TARGET, otherLog).keys[0]!
  c.edit('keys: none', (e) => { e.keys = [] })
  c.edit('keys: own entry twice', (e) => { e.keys = [own, own] })
  c.edit('keys: own entry and p02\'s', (e) => { e.keys = [own, p02] })
  c.edit('keys: 6 entries (over the member count)', (e) => { e.keys = many(own, 6) })
  c.edit('keys: 1000 entries', (e) => { e.keys = many(own, 1000) })
  for (const peer of ['', 'p02', AGGREGATOR, 'zz', 'x'.repeat(257), 'p01 ', 'P01']) c.edit(`keys[0].peer ${JSON.stringify(peer.length > 20 ? `${peer.length} chars` : peer)}`, (e) => { e.keys[0]!.peer = peer })
  for (const field of ['encryptionKey', 'maskingKey'] as const) {
    for (const [name, value] of byteVariants(own[field], { 'p02\'s value': p02[field], ...LOW_ORDER_KEYS })) {
      c.edit(`keys[0].${field}: ${name}`, (e) => { e.keys[0]![field] = value })
    }
    // A member that signs its own bad key: the signature verifies, the key check must catch it.
    const resigned: Record<string, Uint8Array> = {
      ...ALL_LOW_ORDER_KEYS, 'the aggregator\'s (p00) value': p00[field],
      'p02\'s value': p02[field], 'its other key': field === 'encryptionKey' ? own.maskingKey : own.encryptionKey, 'one bit flipped': flipped(own[field])
    }
    // The aggregator cannot tell these from honest keys: a flipped key fails p01's own check of
    // the key list; a copy of p02's (which advertises later) makes p02's own advertisement the
    // duplicate, so p02 is refused and the session runs short of peers.
    const downstreamKeys = ['one bit flipped', 'p02\'s value']
    for (const [name, value] of Object.entries(resigned)) {
      c.edit(`keys[0].${field}: ${name}, re-signed by p01`, (e) => {
        const k = e.keys[0]!
        k[field] = value.slice()
        k.signature = targetSigner.sign(advertisedKeysMessage(preSessionId, TARGET, k.encryptionKey, k.maskingKey)) as Bytes
      }, downstreamKeys.includes(name) ? { downstream: true } : {})
    }
  }
  for (const [name, value] of byteVariants(own.signature, { 'p02\'s signature': p02.signature, 'another session\'s signature': otherOwn.signature })) {
    c.edit(`keys[0].signature: ${name}`, (e) => { e.keys[0]!.signature = value })
  }
  c.edit('keys[0].proof: one hash', (e) => { e.keys[0]!.proof = [new Uint8Array(32)] })
  c.edit('keys[0].proof: 17 hashes', (e) => { e.keys[0]!.proof = many(new Uint8Array(32), 17) })
}

function keyListCases (c: Cases): void {
  const base = honest(Kind.KEY_LIST)
  const other = honest(Kind.KEY_LIST, TARGET, otherLog)
  const at = (peer: string): number => base.keys.findIndex((k) => k.peer === peer)
  const [own, nb, third] = [at(TARGET), at('p02'), at('p03')]
  c.edit('keys: none', (e) => { e.keys = [] })
  c.edit('keys: own entry missing', (e) => { e.keys.splice(own, 1) })
  c.edit('keys: p02\'s entry missing', (e) => { e.keys.splice(nb, 1) })
  c.edit('keys: p02\'s entry twice', (e) => { e.keys.splice(nb, 1, e.keys[nb]!, e.keys[nb]!) })
  c.edit('keys: p02\'s entry renamed to a non-member in place of p04\'s', (e) => { e.keys.splice(at('p04'), 1, { ...e.keys[nb]!, peer: 'zz' }) })
  c.edit('keys: 6 entries (over the member count)', (e) => { e.keys = [...e.keys, e.keys[nb]!] })
  c.edit('keys: 1000 entries', (e) => { e.keys = many(e.keys[nb]!, 1000) })
  c.edit('keys: reversed order', (e) => { e.keys.reverse() })
  for (const [i, who] of [[own, 'own entry'], [nb, 'p02\'s entry']] as const) {
    const entry = base.keys[i]!
    for (const peer of ['', 'p03', 'zz', 'x'.repeat(257)]) c.edit(`${who} (keys[${i}]).peer ${JSON.stringify(peer.length > 20 ? `${peer.length} chars` : peer)}`, (e) => { e.keys[i]!.peer = peer })
    for (const field of ['encryptionKey', 'maskingKey', 'signature'] as const) {
      const subs = { 'p03\'s value': base.keys[third]![field], ...(field === 'signature' ? {} : { 'low-order u = 1': U_ONE }) }
      for (const [name, value] of byteVariants(entry[field], subs)) c.edit(`${who} (keys[${i}]).${field}: ${name}`, (e) => { e.keys[i]![field] = value })
    }
    const proofs: Array<[string, Bytes[]]> = [
      ['none', []], ['last hash dropped', entry.proof.slice(0, -1)], ['a hash appended', [...entry.proof, new Uint8Array(32)]],
      ['first hash flipped', [flipped(entry.proof[0]!), ...entry.proof.slice(1)]], ['first hash 31 bytes', [entry.proof[0]!.slice(1), ...entry.proof.slice(1)]],
      ['17 hashes', many(new Uint8Array(32), 17)], ['p03\'s proof', base.keys[third]!.proof]
    ]
    for (const [name, proof] of proofs) c.edit(`${who} (keys[${i}]).proof: ${name}`, (e) => { e.keys[i]!.proof = proof })
  }
  for (const [name, value] of byteVariants(base.root, { 'another session\'s root': other.root })) c.edit(`root: ${name}`, (e) => { e.root = value })
  for (const [name, value] of byteVariants(base.signature, { 'another session\'s root signature': other.signature })) c.edit(`signature: ${name}`, (e) => { e.signature = value })
}

function boxCases (c: Cases): void {
  const base = honest(c.t.kind)
  const other = honest(c.t.kind, TARGET, otherLog)
  const up = c.t.dir === 'up'
  const box = base.boxes[1]!
  c.edit('boxes: none', (e) => { e.boxes = [] })
  c.edit(`boxes: ${box.peer}'s box missing`, (e) => { e.boxes.splice(1, 1) })
  c.edit(`boxes: ${box.peer}'s box twice`, (e) => { e.boxes.splice(1, 0, e.boxes[1]!) })
  c.edit('boxes: one more, for p01 itself', (e) => { e.boxes.push({ ...box, peer: TARGET }) })
  c.edit('boxes: one more, for a non-member', (e) => { e.boxes.push({ ...box, peer: 'zz' }) })
  c.edit('boxes: 6 (over the member count)', (e) => { e.boxes = [...e.boxes, { ...box, peer: 'zz' }, { ...box, peer: 'zy' }] })
  c.edit('boxes: 1000', (e) => { e.boxes = many(box, 1000) })
  c.edit('boxes: reversed order', (e) => { e.boxes.reverse() })
  for (const peer of ['', TARGET, base.boxes[2]!.peer, 'zz', 'x'.repeat(257)]) c.edit(`boxes[1].peer ${JSON.stringify(peer.length > 20 ? `${peer.length} chars` : peer)}`, (e) => { e.boxes[1]!.peer = peer })
  c.edit('boxes[1] and boxes[2] peers swapped', (e) => { [e.boxes[1]!.peer, e.boxes[2]!.peer] = [e.boxes[2]!.peer, e.boxes[1]!.peer] }, up ? { downstream: true } : {})
  const subs = { 'boxes[2]\'s ciphertext': base.boxes[2]!.ciphertext, 'another session\'s ciphertext': other.boxes[1]!.ciphertext }
  for (const [name, value] of byteVariants(box.ciphertext, subs)) {
    // The aggregator cannot open a box: a wrong one of the right size fails at its recipient.
    const opaque = up && value.length === box.ciphertext.length
    c.edit(`boxes[1].ciphertext: ${name}`, (e) => { e.boxes[1]!.ciphertext = value }, opaque ? { downstream: true } : {})
  }
  c.edit('boxes[1].ciphertext: first (nonce) byte flipped', (e) => { e.boxes[1]!.ciphertext = flipped(box.ciphertext, 0, 0) }, up ? { downstream: true } : {})
  c.edit('boxes[1].ciphertext: last (tag) byte flipped', (e) => { e.boxes[1]!.ciphertext = flipped(box.ciphertext, box.ciphertext.length - 1, 7) }, up ? { downstream: true } : {})
}

function maskedInputCases (c: Cases): void {
  const v = honest(Kind.MASKED_INPUT).vector
  for (const n of [0, 1, 16, 19, 21, 24, 1 << 20]) c.edit(`vector: ${n} bytes`, (e) => { e.vector = bytesOf(v.slice(0, n), new Uint8Array(Math.max(0, n - v.length))) })
  const own = { ownInput: true }
  c.edit('vector: word 0, low bit flipped', (e) => { e.vector = flipped(v, 0, 0) }, own)
  c.edit('vector: word 0, bit 20 flipped (a shift within the result bounds)', (e) => { e.vector = flipped(v, 2, 4) }, own)
  c.edit('vector: word 0, top bit flipped', (e) => { e.vector = flipped(v, 3, 7) }, own)
  c.edit('vector: weight word, top bit flipped', (e) => { e.vector = flipped(v, 19, 7) }, own)
  c.edit('vector: zeroed', (e) => { e.vector = new Uint8Array(v.length) }, own)
  c.edit('vector: all ones', (e) => { e.vector = new Uint8Array(v.length).fill(0xff) }, own)
  c.edit('vector: p02\'s masked input', (e) => { e.vector = honest(Kind.MASKED_INPUT, 'p02').vector }, own)
  c.edit('vector: another session\'s masked input', (e) => { e.vector = honest(Kind.MASKED_INPUT, TARGET, otherLog).vector }, own)
}

/** U3 as a member bitmap over p00…p04 (bit i = member i). */
function memberSetCases (c: Cases): void {
  const bits = honest(c.t.kind).survivors
  const ids = bitmapIds(MEMBERS, bits)
  const without = (id: string): Bytes => memberBitmap(MEMBERS, ids.filter((p) => p !== id))
  c.edit('survivors: p01 itself missing', (e) => { e.survivors = without(TARGET) })
  c.edit('survivors: p02 missing', (e) => { e.survivors = without('p02') })
  c.edit('survivors: the aggregator (p00) missing', (e) => { e.survivors = without(AGGREGATOR) })
  c.edit('survivors: a bit past the last member', (e) => { e.survivors = Uint8Array.of(bits[0]! | 0x20) })
  c.edit('survivors: every bit set', (e) => { e.survivors = Uint8Array.of(0xff) })
  c.edit('survivors: no member', (e) => { e.survivors = Uint8Array.of(0) })
  c.edit('survivors: empty', (e) => { e.survivors = new Uint8Array(0) })
  c.edit('survivors: only p01', (e) => { e.survivors = memberBitmap(MEMBERS, [TARGET]) })
  c.edit('survivors: a second byte', (e) => { e.survivors = Uint8Array.of(bits[0]!, 0) })
  c.edit('survivors: 1000 bytes', (e) => { e.survivors = new Uint8Array(1000).fill(0xff) })
}

function consistencyCases (c: Cases): void {
  const s = honest(Kind.CONSISTENCY_SIGNATURE).signature
  const otherList = bitmapIds(MEMBERS, honest(Kind.SURVIVOR_LIST).survivors).filter((p) => p !== 'p04')
  for (const [name, value] of byteVariants(s, {
    'p02\'s signature': honest(Kind.CONSISTENCY_SIGNATURE, 'p02').signature,
    'another session\'s signature': honest(Kind.CONSISTENCY_SIGNATURE, TARGET, otherLog).signature,
    'p01\'s signature over U3 without p04': targetSigner.sign(consistencyMessageFor(sessionId, MEMBERS, otherList))
  })) c.edit(`signature: ${name}`, (e) => { e.signature = value })
}

function unmaskRequestCases (c: Cases): void {
  memberSetCases(c)
  const base = honest(Kind.UNMASK_REQUEST)
  const other = honest(Kind.UNMASK_REQUEST, TARGET, otherLog)
  const t = makeSession(N, {}, SEED).config.threshold
  const signers = bitmapIds(MEMBERS, base.signers)
  const sig = (list: Uint8Array, j: number): Uint8Array => list.slice(64 * j, 64 * (j + 1))
  /** The request with only the signers at positions `keep` (indices into the honest signers), in that order. */
  const subset = (keep: number[]) => (e: Envelope): void => {
    e.signers = memberBitmap(MEMBERS, keep.map((j) => signers[j]!))
    e.signatureList = bytesOf(...keep.map((j) => sig(base.signatureList, j)))
  }
  c.edit('signers: none', subset([]))
  c.edit(`signers: first ${t - 1} (t − 1)`, subset(Array.from({ length: t - 1 }, (_, j) => j)))
  c.edit(`signers: first ${t} (t)`, subset(Array.from({ length: t }, (_, j) => j)))
  c.edit('signers: empty bitmap with signatures', (e) => { e.signers = new Uint8Array(0) })
  c.edit('signers: a bit past the last member, one signature more', (e) => { e.signers = Uint8Array.of(base.signers[0]! | 0x40); e.signatureList = bytesOf(base.signatureList, sig(base.signatureList, 0)) })
  c.edit('signers: p02 cleared, its signature kept', (e) => { e.signers = memberBitmap(MEMBERS, signers.filter((p) => p !== 'p02')) })
  c.edit('signatureList: one byte short', (e) => { e.signatureList = base.signatureList.slice(0, -1) })
  c.edit('signatureList: one signature more', (e) => { e.signatureList = bytesOf(base.signatureList, sig(base.signatureList, 0)) })
  c.edit('signatureList: 1000 signatures', (e) => { e.signatureList = new Uint8Array(64 * 1000) })
  c.edit('signatureList: reversed order', (e) => { e.signatureList = bytesOf(...signers.map((_, j) => sig(base.signatureList, signers.length - 1 - j))) })
  c.edit('signatureList: first signature twice', (e) => { e.signatureList = bytesOf(sig(base.signatureList, 0), ...signers.slice(1).map((_, j) => sig(base.signatureList, j))) })
  for (const i of [0, signers.length - 1]) {
    const j = i === 0 ? 1 : i - 1
    for (const [name, value] of byteVariants(sig(base.signatureList, i), { [`signature ${j}`]: sig(base.signatureList, j), 'another session\'s signature': sig(other.signatureList, i) })) {
      c.edit(`signature ${i} (${signers[i]}): ${name}`, (e) => { e.signatureList = bytesOf(base.signatureList.slice(0, 64 * i), value, base.signatureList.slice(64 * (i + 1))) })
    }
  }
}

function unmaskSharesCases (c: Cases): void {
  const base = honest(Kind.UNMASK_SHARES)
  const other = honest(Kind.UNMASK_SHARES, TARGET, otherLog)
  const share = base.shares[1]!
  // The aggregator cannot tell a withheld share from a dropout: too few shares abort later.
  c.edit('shares: none', (e) => { e.shares = [] }, { downstream: true })
  c.edit(`shares: ${share.owner}'s missing`, (e) => { e.shares.splice(1, 1) }, { downstream: true })
  c.edit(`shares: ${share.owner}'s twice`, (e) => { e.shares.splice(1, 0, e.shares[1]!) })
  c.edit('shares: one more, of p01 itself', (e) => { e.shares.push({ ...share, owner: TARGET }) })
  c.edit('shares: one more, of a non-member', (e) => { e.shares.push({ ...share, owner: 'zz' }) })
  c.edit('shares: 6 (over the member count)', (e) => { e.shares = [...e.shares, { ...share, owner: 'zz' }, { ...share, owner: 'zy' }] })
  c.edit('shares: 1000', (e) => { e.shares = many(share, 1000) })
  c.edit('shares: reversed order', (e) => { e.shares.reverse() })
  for (const owner of ['', TARGET, base.shares[2]!.owner, 'zz']) c.edit(`shares[1].owner ${JSON.stringify(owner)}`, (e) => { e.shares[1]!.owner = owner })
  c.edit('shares[1] and shares[2] owners swapped', (e) => { [e.shares[1]!.owner, e.shares[2]!.owner] = [e.shares[2]!.owner, e.shares[1]!.owner] })
  c.edit('shares[1].selfMask flipped', (e) => { e.shares[1]!.selfMask = !e.shares[1]!.selfMask })
  for (const field of ['value', 'signature', 'root'] as const) {
    for (const [name, value] of byteVariants(share[field], { 'shares[2]\'s value': base.shares[2]![field], 'another session\'s value': other.shares[1]![field] })) {
      c.edit(`shares[1].${field}: ${name}`, (e) => { e.shares[1]![field] = value })
    }
  }
  // The proof of the share's slot in its dealer's commitment.
  c.edit('shares[1].proof: none', (e) => { e.shares[1]!.proof = [] })
  c.edit('shares[1].proof: last hash dropped', (e) => { e.shares[1]!.proof = e.shares[1]!.proof.slice(0, -1) })
  c.edit('shares[1].proof: one hash more', (e) => { e.shares[1]!.proof = [...e.shares[1]!.proof, new Uint8Array(32)] })
  c.edit('shares[1].proof: 40 hashes', (e) => { e.shares[1]!.proof = Array.from({ length: 40 }, () => new Uint8Array(32)) })
  c.edit('shares[1].proof: shares[2]\'s proof', (e) => { e.shares[1]!.proof = e.shares[2]!.proof.map((h) => h.slice()) })
  c.edit('shares[1].proof: another session\'s proof', (e) => { e.shares[1]!.proof = other.shares[1]!.proof.map((h) => h.slice()) })
  for (const [name, value] of byteVariants(share.proof[0]!)) c.edit(`shares[1].proof[0]: ${name}`, (e) => { e.shares[1]!.proof[0] = value })
}

function abortCases (c: Cases): void {
  for (const reason of ['', 'not-enough-peers', 'x'.repeat(201), 'x'.repeat(100_000), '\u0000\n\u202e\uffff', '🙂'.repeat(50)]) {
    c.edit(`reason ${JSON.stringify(reason.length > 20 ? `${reason.length} chars` : reason)}`, (e) => { e.reason = reason })
  }
}

function build (kind: Kind): Case[] {
  const c = new Cases(kind === Kind.ABORT ? ABORT_TARGET : targetOf(kind))
  const specific: Record<string, (c: Cases) => void> = {
    [Kind.ADVERTISE_KEYS]: advertiseKeysCases, [Kind.KEY_LIST]: keyListCases, [Kind.SHARE_KEYS]: boxCases, [Kind.SHARE_INBOX]: boxCases,
    [Kind.MASKED_INPUT]: maskedInputCases, [Kind.SURVIVOR_LIST]: memberSetCases, [Kind.CONSISTENCY_SIGNATURE]: consistencyCases,
    [Kind.UNMASK_REQUEST]: unmaskRequestCases, [Kind.UNMASK_SHARES]: unmaskSharesCases, [Kind.ABORT]: abortCases
  }
  c.raw('unchanged (control)', c.t.base)
  headerCases(c)
  specific[kind]!(c)
  return c.list
}

/** Seeded raw flips, overwrites, truncations, insertions and deletions of the encoded bytes. */
function rawCases (count: number): Case[] {
  const rng = seededRandom(`${SEED}/raw`)
  const out: Case[] = []
  const kinds = KINDS.map(([k]) => k)
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length]!
    const c = new Cases(kind === Kind.ABORT ? ABORT_TARGET : targetOf(kind))
    const b = c.t.base
    const at = randomInt(rng, b.length)
    const op = randomInt(rng, 5)
    // Any change to p01's masked-input bytes may only change the vector: p01's own input.
    // and a share box the aggregator forwards unopened fails only at its recipient.
    const exempt = kind === Kind.MASKED_INPUT ? { ownInput: true } : kind === Kind.SHARE_KEYS ? { downstream: true } : {}
    if (op === 0) { const bit = randomInt(rng, 8); c.raw(`raw #${i}: bit ${bit} of byte ${at} flipped`, flipped(b, at, bit), exempt) }
    if (op === 1) { const v = rng(1)[0]!; const x = b.slice(); x[at] = v; c.raw(`raw #${i}: byte ${at} set to ${v}`, x, exempt) }
    if (op === 2) c.raw(`raw #${i}: truncated to ${at} of ${b.length} bytes`, b.slice(0, at), exempt)
    if (op === 3) { const n = 1 + randomInt(rng, 8); c.raw(`raw #${i}: ${n} random bytes inserted at ${at}`, bytesOf(b.slice(0, at), rng(n), b.slice(at)), exempt) }
    if (op === 4) c.raw(`raw #${i}: byte ${at} deleted`, bytesOf(b.slice(0, at), b.slice(at + 1)), exempt)
    out.push(...c.list)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Running one case

interface Run {
  readonly thrown: unknown
  readonly substituted: boolean
  /** Every event, per machine ('aggregator', p00…). */
  readonly events: ReadonlyMap<string, readonly ProtocolEvent[]>
  /** What the receiver emitted while handling the corrupted message. */
  readonly reaction: readonly ProtocolEvent[]
}

interface Tapped {
  receive(from: string, data: Uint8Array, now: number): void
  handleTimeout(now: number): void
  pollEvent(): ProtocolEvent | undefined
}

function runCase (c: Case): Run {
  const h = makeSession(N, {}, SEED)
  const events = new Map<string, ProtocolEvent[]>()
  const reaction: ProtocolEvent[] = []
  let now = 0
  let substituted = false
  const machines: Array<[string, Tapped]> = [['aggregator', h.aggregator], ...h.participants.map((p, i): [string, Tapped] => [h.ids[i]!, p])]
  const drains: Array<() => void> = []
  for (const [name, m] of machines) {
    const log: ProtocolEvent[] = []
    events.set(name, log)
    const drain = (into?: ProtocolEvent[]): void => { for (let e = m.pollEvent(); e !== undefined; e = m.pollEvent()) { log.push(e); into?.push(e) } }
    drains.push(drain)
    const receive = m.receive.bind(m)
    const handleTimeout = m.handleTimeout.bind(m)
    m.receive = (from, data, at) => { now = at; drain(); receive(from, data, at); drain(data === c.bytes ? reaction : undefined) }
    m.handleTimeout = (at) => { now = at; drain(); handleTimeout(at); drain() }
  }
  const swap = (dir: Dir) => (peer: string, data: Uint8Array): Uint8Array | undefined => {
    if (substituted || dir !== c.dir || peer !== TARGET || !bytesEqual(data, c.target)) return data
    substituted = true
    if (c.inject !== true) return c.bytes
    if (dir === 'up') h.aggregator.receive(TARGET, c.bytes, now)
    else h.participants[h.ids.indexOf(TARGET)]!.receive(AGGREGATOR, c.bytes, now)
    return data
  }
  let thrown: unknown
  try {
    drive(h, { up: swap('up'), down: swap('down') })
  } catch (err) {
    thrown = err ?? new Error(String(err))
  }
  for (const drain of drains) drain()
  return { thrown, substituted, events, reaction }
}

/** Everything wrong with one case's run (empty: it passed). */
function problems (c: Case, r: Run): string[] {
  const out: string[] = []
  if (r.thrown !== undefined) out.push(`threw ${r.thrown instanceof Error ? `${r.thrown.name}: ${r.thrown.message}` : String(r.thrown)}`)
  if (!r.substituted) out.push('the targeted message never passed')
  for (const [name, log] of r.events) {
    for (const e of log) {
      if (e.type === 'aborted' && e.reason === 'internal-error') out.push(`${name} contained an exception (internal-error: ${e.detail})`)
      else if (e.type === 'aborted' && !Object.hasOwn(ABORT_REASONS, e.reason)) out.push(`${name} aborted with an untyped reason ${JSON.stringify(e.reason)}`)
      if (e.type === 'rejected' && !Object.hasOwn(REJECT_REASONS, e.reason)) out.push(`${name} rejected with an untyped reason ${JSON.stringify(e.reason)}`)
    }
  }
  const agg = r.events.get('aggregator')!
  const result = agg.find((e) => e.type === 'result')
  const aborted = agg.find((e) => e.type === 'aborted')
  if (result === undefined && aborted === undefined) out.push('the aggregator neither produced a result nor aborted')
  if (result?.type === 'result' && c.ownInput !== true) {
    const { included, sum, weightSum } = result.result
    const expected = PER_MEMBER.map((x) => x * included.length)
    if (weightSum !== WEIGHT * included.length || sum.length !== expected.length || expected.some((x, i) => !(Math.abs(sum[i]! - x) <= 1e-3))) {
      out.push(`wrong result over ${included.join(',')}: sum [${Array.from(sum).join(', ')}] weight ${weightSum}, expected [${expected.join(', ')}] weight ${WEIGHT * included.length}`)
    }
  }
  const reacted = r.reaction.some((e) => e.type === 'rejected' || e.type === 'aborted')
  if (!reacted && result === undefined && c.downstream !== true && c.ownInput !== true) {
    out.push(`the receiver accepted it silently, yet the session did not end normally (aggregator: ${aborted?.type === 'aborted' ? `${aborted.reason}: ${aborted.detail}` : 'no outcome'})`)
  }
  return out
}

function check (cases: readonly Case[]): void {
  const names = new Set(cases.map((c) => c.name))
  assert.equal(names.size, cases.length, 'every case has its own name')
  const failures: string[] = []
  for (const c of cases) {
    const found = problems(c, runCase(c))
    if (found.length > 0) failures.push(`${c.name}: ${found.join('; ')}`)
  }
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} corruptions misbehaved:\n  ${failures.join('\n  ')}`)
}

// ---------------------------------------------------------------------------------------------

describe('attack: every field of every message corrupted in turn', () => {
  it('baseline: an unchanged substitution ends with the exact sum over all five members', () => {
    const honestCase: Case = { name: 'honest', dir: 'up', target: honestBytes(Kind.ADVERTISE_KEYS), bytes: honestBytes(Kind.ADVERTISE_KEYS) }
    const r = runCase(honestCase)
    assert.deepEqual(problems(honestCase, r), [])
    const result = r.events.get('aggregator')!.find((e) => e.type === 'result')
    assert.ok(result?.type === 'result')
    assert.deepEqual(result.result.included, makeSession(N, {}, SEED).ids)
  })

  for (const [kind, name] of KINDS) {
    it(`${name}: version, kind, binding, round, stray and own fields`, () => check(build(kind)))
  }

  it('seeded raw byte flips, overwrites, truncations, insertions and deletions', () => check(rawCases(RAW_CASES)))
})
