/**
 * Third attacker review of the DP ledger (member-privacy.ts): charge() records the round in
 * memory before the durable write; when that write fails (disk full, I/O error) the round
 * stays "spent" in memory though neither written nor added to the ε — and the retry of the
 * same round (the train task retrains after a failed input: train-task.ts resets its cache)
 * gets its private input without any charge.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '../../src/crypto/index.ts'
import { MemberPrivacy } from '../../src/node/task/member-privacy.ts'
import { noiseOptions } from '../../src/privacy/index.ts'
import { planQuantization } from '../../src/protocol/index.ts'

const PRIVACY = { clip: 1, noiseMultiplier: 1.1, delta: 1e-5, epsilonBudget: 8 }

describe('attack review 3: the ledger write', () => {
  it('attack (review): a failed privacy.json write does not leave the round marked spent; the retried input of that round is charged (ε not raised, nothing on disk), and the budget check then admits one round too many', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-ledger-'))
    try {
      const d = 16
      const plan = planQuantization({ clip: 1, maxWeight: 1, members: 7, noise: noiseOptions(1, PRIVACY.noiseMultiplier, 5, d) })
      const p = new MemberPrivacy(dir, PRIVACY, plan, d, seededRandom('ledger'), 1)
      mkdirSync(join(dir, 'privacy.json')) // the write of round 0 fails (here: EISDIR; in practice ENOSPC, EIO)
      assert.throws(() => p.privatize(0, new Float64Array(d).fill(0.1)))
      rmdirSync(join(dir, 'privacy.json')) // the disk recovers
      const input = p.privatize(0, new Float64Array(d).fill(0.1)) // the retried input of round 0
      const onDisk = existsSync(join(dir, 'privacy.json')) ? readFileSync(join(dir, 'privacy.json'), 'utf8') : '(no file)'
      console.log(`      round 0's input returned with a noise share of ${input.noise!.length}; ε in memory ${p.epsilon}; privacy.json: ${onDisk.slice(0, 40)}`)
      // Round 1 is charged normally — with ε computed as if round 0 never happened.
      p.privatize(1, new Float64Array(d).fill(0.1))
      const after1 = p.epsilon
      const replay = new MemberPrivacy(dir, PRIVACY, plan, d, seededRandom('ledger2'), 1)
      console.log(`      after round 1: ε in memory ${after1.toFixed(3)}, replayed from disk ${replay.epsilon.toFixed(3)}; one more round fits in memory: ${(() => { try { p.assertRoundFits(); return true } catch { return false } })()}, after a restart: ${(() => { try { replay.assertRoundFits(); return true } catch { return false } })()}`)
      assert.ok(p.epsilon > 0 && Math.abs(after1 - replay.epsilon) < 1e-9, 'the ε this member enforces its budget with misses a round whose noisy input it handed out')
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
})
