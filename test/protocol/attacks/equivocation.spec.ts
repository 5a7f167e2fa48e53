/**
 * Attacks by the aggregator (and colluders) against the real Participant machines: each test
 * runs the attack end to end and checks that no honest member's input can be rebuilt.
 */
import assert from 'node:assert/strict'
import { makeSession } from '../../helpers/session.ts'
import { matchesInput, runAttack } from '../../helpers/adversary.ts'

describe('attack: the aggregator equivocates on U3 (split the honest members in two)', () => {
  for (const n of [3, 5, 7]) {
    it(`n = ${n}, default threshold, no colluder: no honest input is recovered`, () => {
      const h = makeSession(n, {}, `split-${n}`)
      const aggregator = h.ids[0]!
      const honest = h.ids.slice(1)
      const g1 = honest.slice(0, Math.ceil(honest.length / 2))
      const g2 = honest.slice(g1.length)
      const run = runAttack(h, {
        corrupt: new Set(),
        survivorList: (to) => [aggregator, ...(g1.includes(to) ? g1 : g2)]
      })
      for (const v of honest) {
        assert.ok(!matchesInput(run.recoverInput(v), run.inputs.get(v)!), `the input of ${v} was recovered (t = ${h.config.threshold})`)
      }
    })
  }
})

describe('attack: colluders withhold the honest members\' share boxes from a victim', () => {
  for (const n of [4, 6, 8]) {
    it(`n = ${n}: t − 1 corrupt members (aggregator included): the victim's input is not recovered`, () => {
      const h = makeSession(n, {}, `withhold-${n}`)
      const t = h.config.threshold
      const corrupt = new Set(h.ids.slice(1, t - 1)) // with the aggregator: t − 1 members
      const victim = h.ids[n - 1]!
      const isCorrupt = (id: string): boolean => id === h.ids[0] || corrupt.has(id)
      const run = runAttack(h, {
        corrupt,
        withhold: (to, from) => to === victim && !isCorrupt(from)
      })
      assert.ok(!matchesInput(run.recoverInput(victim), run.inputs.get(victim)!), `the input of ${victim} was recovered (t = ${t})`)
    })
  }
})
