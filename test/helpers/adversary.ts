/**
 * A malicious aggregator with colluding members, driving the real Participant machines. It
 * runs an honest Aggregator for the key exchange and the masked inputs (so every message it
 * sends is well formed), and can:
 *   - withhold share boxes from chosen recipients (step 1),
 *   - show each honest participant its own survivor list U3 (step 3, equivocation),
 *   - sign any list on behalf of its colluders and hand each group the signatures over its
 *     list (step 4).
 * It records everything an aggregator sees, decrypts the boxes addressed to its colluders,
 * and `recoverInput(v)` then tries what a real attacker would: rebuild b_v and s_v^SK (or use
 * a colluder's own masking key) to strip every mask from v's masked input.
 */
import {
  aeadOpen, addMasks, bytesEqual, shamirCombine, x25519PublicKey
} from '../../src/crypto/index.ts'
import type { MaskTerm, Share } from '../../src/crypto/index.ts'
import { bitmapIds, decodeMessage, decodeSum, encodeMessage, memberBitmap, packSignatures, pairSign } from '../../src/protocol/index.ts'
import type { Message, ProtocolEvent } from '../../src/protocol/index.ts'
import {
  consistencyMessageFor, pairwiseMaskSeed, selfMaskSeed, shareBoxAssociatedData, shareEncryptionKey
} from '../../src/protocol/transcript.ts'
import type { AdvertisedKeys } from '../../src/protocol/transcript.ts'
import { drainEvents } from './session.ts'
import { pumpStar } from '../../src/sim/star-pump.ts'
import type { Harness } from './session.ts'

export interface AttackPlan {
  /** Members colluding with the aggregator (the aggregator h.ids[0] is always corrupt). */
  readonly corrupt: ReadonlySet<string>
  /** Drop the box from `sender` before it reaches `recipient` (step 1). */
  readonly withhold?: (recipient: string, sender: string) => boolean
  /** The U3 shown to each honest participant; default: the honest list. */
  readonly survivorList?: (recipient: string, honest: readonly string[]) => readonly string[]
}

export interface AttackRun {
  readonly events: Map<string, ProtocolEvent[]>
  /** Float inputs each member set, for comparison. */
  readonly inputs: Map<string, number[]>
  readonly weights: Map<string, number>
  /** holder -> owner -> share kinds the coalition holds (from honest reveals or colluders' boxes). */
  readonly shares: { selfMask: Map<string, Share[]>, masking: Map<string, Share[]> }
  recoverInput (v: string): number[] | undefined
}

interface CapturedSecrets { encryption: Uint8Array, masking: Uint8Array }

type Kind<K extends Message['kind']> = Extract<Message, { kind: K }>

export function inputOf (i: number): number[] {
  return [0.1 * (i + 1), -0.05 * (i + 2), 0.25 - 0.01 * i, (i % 3) / 4]
}

/** Reads a machine's private field: a colluding member knows its own secrets. */
function privateField<T> (obj: object, name: string): T {
  return (obj as Record<string, T>)[name]!
}

export function runAttack (h: Harness, plan: AttackPlan): AttackRun {
  const { aggregator, participants, ids, config } = h
  const aggregatorId = ids[0]!
  const corrupt = new Set([aggregatorId, ...plan.corrupt])
  const index = new Map(ids.map((id, i) => [id, i]))
  const limits = { maxPeers: ids.length, vectorWords: config.vectorLength + 1 }
  const decode = (data: Uint8Array): Message => {
    const r = decodeMessage(data, limits)
    if (!r.ok) throw new Error(`adversary could not decode: ${r.detail}`)
    return r.message
  }
  const sortedIds = [...ids].sort()
  const memberIndex = new Map(sortedIds.map((id, i) => [id, i + 1]))
  const inputs = new Map<string, number[]>()
  const weights = new Map<string, number>()
  const secrets = new Map<string, CapturedSecrets>()
  const keys = new Map<string, AdvertisedKeys>()
  const boxesFrom = new Map<string, Kind<'share-keys'>['boxes']>()
  const partnersOf = new Map<string, string[]>() // senders whose boxes reached each recipient
  const masked = new Map<string, Uint32Array>()
  const signatures = new Map<string, Uint8Array>() // honest signer -> signature over its list
  const shownList = new Map<string, readonly string[]>()
  const revealed: Array<{ holder: string, owner: string, selfMask: boolean, value: Uint8Array }> = []
  const events = new Map<string, ProtocolEvent[]>(ids.map((id) => [id, []]))
  let sessionId: Uint8Array | undefined
  let takenOver = false

  aggregator.start(0)
  participants.forEach((p, i) => {
    const id = ids[i]!
    inputs.set(id, inputOf(i)); weights.set(id, 1 + (i % 3))
    p.setInput(inputOf(i), 1 + (i % 3), 0)
    p.start(0)
    if (corrupt.has(id)) {
      secrets.set(id, {
        encryption: Uint8Array.from(privateField<{ secretKey: Uint8Array }>(p, 'encryptionKeys').secretKey),
        masking: Uint8Array.from(privateField<{ secretKey: Uint8Array }>(p, 'maskingKeys').secretKey)
      })
    }
  })

  const deliver = (to: string, msg: Message | Uint8Array, now: number): void => {
    const data = msg instanceof Uint8Array ? msg : encodeMessage(msg)
    participants[index.get(to)!]!.receive(aggregatorId, data, now)
  }

  const fromAggregator = (to: string, data: Uint8Array, now: number): void => {
    const m = decode(data)
    if (m.kind === 'key-list') sessionId = undefined
    if (m.kind === 'share-inbox') {
      const kept = m.boxes.filter((b) => !(plan.withhold?.(to, b.peer) ?? false))
      partnersOf.set(to, kept.map((b) => b.peer))
      return deliver(to, { ...m, boxes: kept }, now)
    }
    if (m.kind === 'survivor-list') {
      takenOver = true
      sessionId = m.binding
      if (corrupt.has(to)) return deliver(to, data, now)
      const shown = bitmapIds(sortedIds, m.survivors)
      const list = [...(plan.survivorList?.(to, shown) ?? shown)].sort()
      shownList.set(to, list)
      return deliver(to, { ...m, survivors: memberBitmap(sortedIds, list) }, now)
    }
    deliver(to, data, now)
  }

  const toAggregator = (from: string, data: Uint8Array, now: number): void => {
    const m = decode(data)
    switch (m.kind) {
      case 'advertise-keys': keys.set(from, m.keys); break
      case 'share-keys': boxesFrom.set(from, m.boxes); break
      case 'masked-input': masked.set(from, Uint32Array.from(m.vector)); break
      case 'consistency-signature': signatures.set(from, m.signature); break
      case 'unmask-shares': for (const s of m.shares) revealed.push({ holder: from, owner: s.owner, selfMask: s.selfMask, value: s.value }); break
      default: break
    }
    if (!takenOver) aggregator.receive(from, data, now)
  }

  let requested = false
  pumpStar(h, {
    maxSteps: 200,
    clock: 'all',
    up: (from, data, now) => { toAggregator(from, data, now); return undefined },
    down: (to, data, now) => {
      if (!(takenOver && decode(data).kind !== 'survivor-list')) fromAggregator(to, data, now)
      return undefined
    },
    onEvent: (peer, role, event) => { if (role === 'participant') events.get(peer)!.push(event) },
    quiet: (now) => {
      if (takenOver && !requested && sessionId !== undefined) {
        // Step 4, equivocating: each group gets the signatures over the list it was shown,
        // its own members' plus every colluder's (they sign whatever the aggregator asks).
        requested = true
        for (const [to, list] of shownList) {
          const sigs: Array<{ peer: string, signature: Uint8Array }> = []
          for (const [signer, sig] of signatures) {
            if (corrupt.has(signer)) continue
            const theirs = shownList.get(signer)
            if (theirs !== undefined && theirs.join() === list.join()) sigs.push({ peer: signer, signature: sig })
          }
          for (const c of corrupt) if (list.includes(c)) sigs.push({ peer: c, signature: h.signers[index.get(c)!]!.sign(consistencyMessageFor(sessionId, ids, list)) })
          const packed = packSignatures(sortedIds, sigs)
          deliver(to, { kind: 'unmask-request', binding: sessionId, round: config.round, survivors: memberBitmap(sortedIds, list), signers: packed.signers, signatures: packed.signatures }, now)
        }
        return true
      }
      return takenOver ? 'stop' : false
    }
  })
  participants.forEach((p, i) => events.get(ids[i]!)!.push(...drainEvents(p)))

  // What the coalition holds: every share an honest member revealed, plus the contents of
  // every box addressed to a colluder.
  const shares = { selfMask: new Map<string, Share[]>(), masking: new Map<string, Share[]>() }
  const add = (kind: 'selfMask' | 'masking', owner: string, holder: string, value: Uint8Array): void => {
    const list = shares[kind].get(owner) ?? []
    const idx = memberIndex.get(holder)!
    if (!list.some((s) => s.index === idx)) list.push({ index: idx, value })
    shares[kind].set(owner, list)
  }
  for (const r of revealed) add(r.selfMask ? 'selfMask' : 'masking', r.owner, r.holder, r.value)
  const sid = sessionIdOf(participants, ids)
  if (sid !== undefined) {
    for (const [dealer, boxes] of boxesFrom) {
      for (const box of boxes) {
        const holder = box.peer
        const s = secrets.get(holder)
        if (s === undefined || !keys.has(dealer)) continue
        const key = shareEncryptionKey(sid, s.encryption, keys.get(dealer)!.encryptionKey, holder, dealer)
        let plain: Uint8Array
        try { plain = aeadOpen(key, box.ciphertext, shareBoxAssociatedData(sid, dealer, holder)) } catch { continue }
        add('masking', dealer, holder, plain.slice(0, 33))
        add('selfMask', dealer, holder, plain.slice(33, 66))
      }
    }
  }

  const recoverInput = (v: string): number[] | undefined => {
    const y = masked.get(v)
    if (y === undefined || sid === undefined) return undefined
    const t = config.threshold
    const rebuild = (list: Share[] | undefined): Uint8Array | undefined => {
      if (list === undefined || list.length < t) return undefined
      try { return shamirCombine(list.slice(0, t), t) } catch { return undefined }
    }
    const b = rebuild(shares.selfMask.get(v))
    if (b === undefined) return undefined
    let sv = rebuild(shares.masking.get(v))
    if (sv !== undefined && !bytesEqual(x25519PublicKey(sv), keys.get(v)!.maskingKey)) sv = undefined
    const terms: MaskTerm[] = [{ seed: selfMaskSeed(sid, b, v), sign: -1 }]
    for (const w of partnersOf.get(v) ?? []) {
      if (w === v) continue
      let seed: Uint8Array
      if (sv !== undefined) seed = pairwiseMaskSeed(sid, sv, keys.get(w)!.maskingKey, v, w)
      else if (secrets.has(w)) seed = pairwiseMaskSeed(sid, secrets.get(w)!.masking, keys.get(v)!.maskingKey, w, v)
      else return undefined
      terms.push({ seed, sign: pairSign(v, w) === 1 ? -1 : 1 })
    }
    const words = Uint32Array.from(y)
    addMasks(words, terms)
    const decoded = decodeSum(config.quantization, words)
    if (decoded.weightSum !== weights.get(v)) return undefined
    return Array.from(decoded.sum, (s) => s / decoded.weightSum)
  }
  return { events, inputs, weights, shares, recoverInput }
}

function sessionIdOf (participants: Harness['participants'], ids: readonly string[]): Uint8Array | undefined {
  for (let i = 0; i < ids.length; i++) {
    const sid = participants[i]!.roundSessionId
    if (sid !== undefined) return sid
  }
  return undefined
}

/** True when the recovered vector equals the member's input up to quantization error. */
export function matchesInput (recovered: number[] | undefined, input: number[]): boolean {
  return recovered !== undefined && recovered.length === input.length && recovered.every((x, i) => Math.abs(x - input[i]!) < 1e-4)
}
