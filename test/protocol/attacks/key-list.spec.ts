/**
 * Advertised keys and the key list: low-order and copied keys, forged entries under a root
 * the aggregator re-signs, entries outside the commitment, and the SecAgg+ graph fixed before
 * any key exists. Each ends in a typed reject or abort, never an exception.
 */
import assert from 'node:assert/strict'
import { encodeMessage, hararyGraph, openSession } from '../../../src/protocol/index.ts'
import type { Message, ProtocolEvent } from '../../../src/protocol/index.ts'
import { commitKeys } from '../../../src/protocol/key-commitment.ts'
import { advertisedKeysMessage, keyRootMessage } from '../../../src/protocol/transcript.ts'
import type { AdvertisedKeys } from '../../../src/protocol/transcript.ts'
import { decoderFor, drainEvents, drive, makeSession } from '../../helpers/session.ts'
import type { Harness } from '../../helpers/session.ts'

const LOW_ORDER_U1 = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0))

const reasonsOf = (events: ProtocolEvent[]): string[] => events.flatMap((e) => (e.type === 'aborted' || e.type === 'rejected' ? [e.reason] : []))

/** A malicious aggregator rebuilding every key list from `keys`, committed and signed anew. */
function recommitted (h: Harness, keys: Map<string, AdvertisedKeys>, to: string): Uint8Array {
  const session = openSession(h.config)
  const commitment = commitKeys(session, keys)
  const entries = [to, ...session.graph.neighbours(to)].filter((v) => keys.has(v)).map((v) => commitment.entry(v))
  const signature = h.signers[0]!.sign(keyRootMessage(session.preSessionId, commitment.root))
  return encodeMessage({ kind: 'key-list', binding: session.preSessionId, round: h.config.round, keys: entries, root: commitment.root, signature })
}

/** Runs a session in which the aggregator swaps p03's keys for `forge(p03's keys)` in every list. */
function withForgedEntry (forge: (k: AdvertisedKeys, h: Harness) => AdvertisedKeys): { h: Harness, reasons: string[][] } {
  const h = makeSession(5, { maxCorrupt: 0 })
  const decode = decoderFor(h)
  drive(h, {
    down: (to, data) => {
      const m = decode(data)
      if (m.kind !== 'key-list' || to === 'p03') return data
      const keys = new Map(m.keys.map((k) => [k.peer, { peer: k.peer, encryptionKey: k.encryptionKey, maskingKey: k.maskingKey, signature: k.signature }]))
      keys.set('p03', forge(keys.get('p03')!, h))
      return recommitted(h, keys, to)
    }
  })
  return { h, reasons: h.participants.map((p) => reasonsOf(drainEvents(p))) }
}

function signAs (h: Harness, peer: string, encryptionKey: Uint8Array, maskingKey: Uint8Array): AdvertisedKeys {
  const pre = openSession(h.config).preSessionId
  return { peer, encryptionKey, maskingKey, signature: h.signers[h.ids.indexOf(peer)]!.sign(advertisedKeysMessage(pre, peer, encryptionKey, maskingKey)) }
}

describe('attack: advertised keys and the key list', () => {
  it('a forged entry (not signed by its member) under a re-signed root: every receiver aborts invalid-signature', () => {
    const { reasons } = withForgedEntry((k) => ({ ...k, maskingKey: new Uint8Array(32).fill(9) }))
    for (const i of [1, 2, 4]) assert.deepEqual(reasons[i], ['invalid-signature'], `p0${i}: ${reasons[i]}`)
  })

  it('an entry signed with an all-0x07 signature: invalid-signature (every entry is checked, not only the holder\'s own)', () => {
    const { reasons } = withForgedEntry((k) => ({ ...k, signature: new Uint8Array(64).fill(7) }))
    for (const i of [1, 2, 4]) assert.deepEqual(reasons[i], ['invalid-signature'])
  })

  it('a low-order key a colluder signed, forwarded by the aggregator: invalid-key-list, no exception', () => {
    const { reasons } = withForgedEntry((k, h) => signAs(h, 'p03', LOW_ORDER_U1, k.maskingKey))
    for (const i of [1, 2, 4]) assert.deepEqual(reasons[i], ['invalid-key-list'])
  })

  it('an entry altered without re-committing the root: invalid-key-list', () => {
    const h = makeSession(5, { maxCorrupt: 0 })
    const decode = decoderFor(h)
    drive(h, {
      down: (to, data) => {
        const m = decode(data)
        if (m.kind !== 'key-list' || to !== 'p01') return data
        return encodeMessage({ ...m, keys: m.keys.map((k) => (k.peer === 'p02' ? { ...k, encryptionKey: k.maskingKey } : k)) })
      }
    })
    assert.deepEqual(reasonsOf(drainEvents(h.participants[1]!)), ['invalid-key-list'])
  })

  it('a root not signed by the aggregator: invalid-signature', () => {
    const h = makeSession(5, { maxCorrupt: 0 })
    const decode = decoderFor(h)
    drive(h, {
      down: (to, data) => {
        const m = decode(data)
        return m.kind === 'key-list' && to === 'p01' ? encodeMessage({ ...m, signature: h.signers[2]!.sign(keyRootMessage(m.binding, m.root)) }) : data
      }
    })
    assert.deepEqual(reasonsOf(drainEvents(h.participants[1]!)), ['invalid-signature'])
  })

  it('the aggregator refuses a low-order key and a key already advertised by another member; the round completes without the sender', () => {
    const h = makeSession(7, { maxCorrupt: 0 }) // t = 4: the five honest members suffice
    const decode = decoderFor(h)
    let copied: AdvertisedKeys | undefined
    drive(h, {
      up: (from, data) => {
        const m = decode(data)
        if (m.kind !== 'advertise-keys') return data
        if (from === 'p01') copied = m.keys
        if (from === 'p04') return encodeMessage({ ...m, keys: signAs(h, 'p04', LOW_ORDER_U1, m.keys.maskingKey) })
        if (from === 'p05') return encodeMessage({ ...m, keys: signAs(h, 'p05', copied!.encryptionKey, m.keys.maskingKey) })
        return data
      }
    })
    const events = drainEvents(h.aggregator)
    assert.deepEqual(events.flatMap((e) => (e.type === 'rejected' ? [`${e.from}:${e.reason}`] : [])), ['p04:invalid-key', 'p05:invalid-key'])
    const result = events.find((e) => e.type === 'result')
    assert.ok(result?.type === 'result', 'the round completes over the five honest members')
    assert.deepEqual(result.result.included, ['p00', 'p01', 'p02', 'p03', 'p06'])
  })

  it('a participant refuses a list in which a neighbour holds its own key', () => {
    const h = makeSession(5, { maxCorrupt: 0 })
    const decode = decoderFor(h)
    let ownOfP01: AdvertisedKeys | undefined
    drive(h, {
      up: (from, data) => { const m = decode(data); if (from === 'p01' && m.kind === 'advertise-keys') ownOfP01 = m.keys; return data },
      down: (to, data) => {
        const m = decode(data)
        if (m.kind !== 'key-list' || to !== 'p01') return data
        const keys = new Map(m.keys.map((k) => [k.peer, k as AdvertisedKeys]))
        keys.set('p03', signAs(h, 'p03', ownOfP01!.encryptionKey, keys.get('p03')!.maskingKey))
        return recommitted(h, keys, to)
      }
    })
    assert.deepEqual(reasonsOf(drainEvents(h.participants[1]!)), ['invalid-key-list'])
  })

  it('SecAgg+: each participant gets only its own and its k neighbours\' entries, drawn from the pre-session id', () => {
    const h = makeSession(40, { neighbours: 8, maxCorrupt: 1 })
    const decode = decoderFor(h)
    const session = openSession(h.config)
    const graph = hararyGraph([...h.ids].sort(), 8, session.preSessionId)
    const sizes: number[] = []
    drive(h, {
      down: (to, data) => {
        const m = decode(data)
        if (m.kind === 'key-list') {
          sizes.push(data.length)
          assert.deepEqual(m.keys.map((k) => k.peer).sort(), [to, ...graph.neighbours(to)].sort())
        }
        return data
      }
    })
    assert.equal(sizes.length, 40)
    // 9 entries with 6-hash proofs each: O(k log n), not the 40 entries of the whole list.
    assert.ok(Math.max(...sizes) < 9 * (32 + 32 + 64 + 6 * 34 + 16) + 200, `key list of ${Math.max(...sizes)} bytes`)
    assert.ok(drainEvents(h.aggregator).some((e) => e.type === 'result'))
  })

  it('a SecAgg+ entry for a non-neighbour, validly committed, is refused: invalid-key-list', () => {
    // Sessions from the same seed are identical, so a first run yields the stranger's entry
    // with a proof under the very root the second run commits to.
    const run = (down: (to: string, m: Message, data: Uint8Array, h: Harness) => Uint8Array): Harness => {
      const h = makeSession(20, { neighbours: 6, maxCorrupt: 0 }, 'stranger')
      const decode = decoderFor(h)
      drive(h, { down: (to, data) => down(to, decode(data), data, h) })
      return h
    }
    const neighbours = openSession(makeSession(20, { neighbours: 6, maxCorrupt: 0 }, 'stranger').config).graph.neighbours('p01')
    const stranger = [...Array(20).keys()].map((i) => `p${String(i).padStart(2, '0')}`).find((v) => v !== 'p01' && !neighbours.has(v))!
    let entry: Extract<Message, { kind: 'key-list' }>['keys'][number] | undefined
    run((to, m, data) => { if (m.kind === 'key-list' && to === stranger) entry = m.keys.find((k) => k.peer === stranger); return data })
    assert.ok(entry)
    const h = run((to, m, data) => (m.kind === 'key-list' && to === 'p01' ? encodeMessage({ ...m, keys: [...m.keys, entry!] }) : data))
    assert.deepEqual(reasonsOf(drainEvents(h.participants[1]!)), ['invalid-key-list'])
  })
})
