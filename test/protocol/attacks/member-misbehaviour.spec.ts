/**
 * What one misbehaving member (or a stray frame) can no longer do: stall the round by skipping
 * share boxes, end other members' sessions with an unbound ABORT, corrupt the sum with a wrong
 * share, push the result out of range, or get a sum so small it is someone's input.
 */
import assert from 'node:assert/strict'
import { encodeMessage } from '../../../src/protocol/index.ts'
import type { ProtocolEvent, RoundResult } from '../../../src/protocol/index.ts'
import { decoderFor, drainEvents, drainOutbound, drive, makeSession } from '../../helpers/session.ts'
import { matchesInput, runAttack } from '../../helpers/adversary.ts'

const resultOf = (events: ProtocolEvent[]): RoundResult | undefined => {
  const e = events.find((x) => x.type === 'result')
  return e?.type === 'result' ? e.result : undefined
}
const abortOf = (events: ProtocolEvent[]): string | undefined => {
  const e = events.find((x) => x.type === 'aborted')
  return e?.type === 'aborted' ? e.reason : undefined
}
/** Every member inputs [0.5, −0.25, 1, 0] with weight 2: Σ w·x over m members. */
const honestSum = (m: number): number[] => [m, -0.5 * m, 2 * m, 0]
const rounded = (xs: ArrayLike<number>): number[] => Array.from(xs, (v) => Math.round(v * 1e4) / 1e4)

describe('attack: one member cannot stall or corrupt the round', () => {
  it('a member that sends no share box to one neighbour is left out of U2; the round completes without it', () => {
    const h = makeSession(7, { maxCorrupt: 0 })
    const decode = decoderFor(h)
    drive(h, {
      up: (from, data) => {
        const m = decode(data)
        return from === 'p03' && m.kind === 'share-keys' ? encodeMessage({ ...m, boxes: m.boxes.filter((b) => b.peer !== 'p05') }) : data
      }
    })
    const events = drainEvents(h.aggregator)
    assert.ok(events.some((e) => e.type === 'rejected' && e.from === 'p03' && e.reason === 'missing-boxes'))
    const result = resultOf(events)
    assert.ok(result, `aborted: ${abortOf(events)}`)
    assert.deepEqual(result.included, ['p00', 'p01', 'p02', 'p04', 'p05', 'p06'])
    assert.deepEqual(rounded(result.sum), honestSum(6))
    for (const [i, p] of h.participants.entries()) if (i !== 3) assert.equal(abortOf(drainEvents(p)), undefined, `p0${i} aborted`)
  })

  it('an ABORT bound to another session, or from anyone but the aggregator, is dropped; the session goes on', () => {
    const h = makeSession(4, { maxCorrupt: 0 })
    const p = h.participants[1]!
    p.setInput([0, 0, 0, 0], 1, 0)
    p.start(0)
    drainOutbound(p); drainEvents(p)
    const foreign = encodeMessage({ kind: 'abort', binding: new Uint8Array(32).fill(3), round: h.config.round, reason: 'stop' })
    p.receive('p00', foreign, 1)
    p.receive('p02', foreign, 1)
    const events = drainEvents(p)
    assert.deepEqual(events.map((e) => (e.type === 'rejected' ? e.reason : e.type)), ['session-mismatch', 'not-from-aggregator'])
    assert.equal(p.stage, 'advertise')
  })

  it('a holder revealing a share its dealer did not sign is named and dropped; the sum is rebuilt from the valid shares', () => {
    const h = makeSession(7, { maxCorrupt: 0 }) // t = 4 of 6 holders: one bad holder leaves 5
    const decode = decoderFor(h)
    drive(h, {
      up: (from, data) => {
        const m = decode(data)
        if (from !== 'p02' || m.kind !== 'unmask-shares') return data
        return encodeMessage({ ...m, shares: m.shares.map((s) => ({ ...s, value: s.value.map((b, i) => (i === 32 ? b ^ 1 : b)) })) })
      }
    })
    const events = drainEvents(h.aggregator)
    const bad = events.filter((e) => e.type === 'rejected' && e.reason === 'invalid-share')
    assert.equal(bad.length, 6, 'each of p02\'s six shares is dropped')
    assert.ok(bad.every((e) => e.type === 'rejected' && e.from === 'p02' && /p02 revealed a self-mask share of p0\d that p0\d did not commit to/.test(e.detail)))
    const result = resultOf(events)
    assert.ok(result, `aborted: ${abortOf(events)}`)
    assert.deepEqual(rounded(result.sum), honestSum(7))
  })

  it('a share moved to another owner (signature of a real share) is dropped too', () => {
    const h = makeSession(7, { maxCorrupt: 0 })
    const decode = decoderFor(h)
    drive(h, {
      up: (from, data) => {
        const m = decode(data)
        if (from !== 'p02' || m.kind !== 'unmask-shares') return data
        const [a, b] = [m.shares[0]!, m.shares[1]!]
        return encodeMessage({ ...m, shares: [{ ...a, value: b.value, signature: b.signature }, ...m.shares.slice(1)] })
      }
    })
    const events = drainEvents(h.aggregator)
    assert.equal(events.filter((e) => e.type === 'rejected' && e.reason === 'invalid-share').length, 1)
    assert.deepEqual(rounded(resultOf(events)!.sum), honestSum(7))
  })

  it('a member adding 10^9 ring units to a coordinate, or wrapping the weight sum: result-out-of-bounds, nothing announced', () => {
    for (const [word, delta] of [[1, 1_000_000_000], [4, 2 ** 32 - 13]] as const) {
      const h = makeSession(5, { maxCorrupt: 0 })
      const decode = decoderFor(h)
      drive(h, {
        up: (from, data) => {
          const m = decode(data)
          if (from !== 'p03' || m.kind !== 'masked-input') return data
          const vector = Uint32Array.from(m.vector)
          vector[word] = (vector[word]! + delta) >>> 0
          return encodeMessage({ ...m, vector })
        }
      })
      const events = drainEvents(h.aggregator)
      assert.equal(resultOf(events), undefined)
      assert.equal(abortOf(events), 'result-out-of-bounds', `word ${word}`)
    }
  })

  it('no sum over fewer than c + 3 members: n = 3 with one dropout aborts too-few-survivors', () => {
    const h = makeSession(3)
    const decode = decoderFor(h)
    drive(h, { up: (from, data) => (from === 'p02' && decode(data).kind === 'masked-input' ? undefined : data) })
    assert.equal(abortOf(drainEvents(h.aggregator)), 'too-few-survivors')
  })

  it('an aggregator showing a member U3 = {itself, the member} (n = 3) learns nothing: too-few-survivors', () => {
    const h = makeSession(3, {}, 'pair')
    const run = runAttack(h, { corrupt: new Set(), survivorList: (to) => ['p00', to] })
    for (const v of ['p01', 'p02']) {
      assert.ok(!matchesInput(run.recoverInput(v), run.inputs.get(v)!))
      assert.ok(run.events.get(v)!.some((e) => e.type === 'aborted' && e.reason === 'too-few-survivors'))
    }
  })

  it('an input arriving after the session ended is wiped, not kept; a message before start is refused; an ended session cannot restart', () => {
    const h = makeSession(4, { maxCorrupt: 0 })
    const p = h.participants[1]!
    p.receive('p00', encodeMessage({ kind: 'abort', binding: new Uint8Array(32), round: h.config.round, reason: 'x' }), 0)
    assert.deepEqual(drainEvents(p).map((e) => (e.type === 'rejected' ? e.reason : e.type)), ['unexpected-message'])
    p.start(0)
    drainOutbound(p)
    const pre = (p as unknown as { session: { preSessionId: Uint8Array } }).session.preSessionId
    p.receive('p00', encodeMessage({ kind: 'abort', binding: pre, round: h.config.round, reason: 'stop' }), 1)
    assert.equal(p.stage, 'aborted')
    p.setInput([0.5, 0.5, 0.5, 0.5], 1, 2)
    assert.equal((p as unknown as { input: unknown }).input, undefined, 'the late input is not held')
    assert.throws(() => p.start(3), { name: 'InvalidStateError' })
  })

  it('a session the driver ends from outside (close) erases every secret at once, at any stage', () => {
    for (const steps of [1, 2, 3]) {
      const h = makeSession(4, { maxCorrupt: 0 }, `close-${steps}`)
      let delivered = 0
      drive(h, { down: (to, data) => (to === 'p01' && ++delivered > steps ? undefined : data) })
      const p = h.participants[1]! as unknown as { close (now: number): void, maskingKeys: { secretKey: Uint8Array }, encryptionKeys: { secretKey: Uint8Array }, selfMaskSecret?: Uint8Array, held: Map<string, unknown>, input?: unknown }
      const secrets = [p.maskingKeys.secretKey, p.encryptionKeys.secretKey, ...(p.selfMaskSecret !== undefined ? [p.selfMaskSecret] : [])]
      p.close(10_000)
      for (const secret of secrets) assert.ok(secret.every((b) => b === 0), `a secret survived close() after ${steps} message(s)`)
      assert.equal(p.held.size, 0)
      assert.equal(p.input, undefined)
    }
  })
})
