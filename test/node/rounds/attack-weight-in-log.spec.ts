/**
 * An attacker review (item 4: inputs in logs; and the withdraw path). A vector-sum input whose
 * weight is a positive integer above protocol.maxWeight passes readVectorInput (node-dir.ts
 * checks only "positive integer") and is refused later by encodeInput, called in
 * RoundCoordinator.provideInput for the input hash — outside withoutInput(). So:
 * (1) the InvalidInputError message "weight must be an integer sample count in [1, 10], got 57"
 *     goes to node.log/stderr as `internal-error` — this member's weight (part of its input,
 *     "the weight travels as one more masked coordinate"; docs/CRYPTO.md "What is never
 *     logged": no individual input reaches a log);
 * (2) the input failure is not an `input-unavailable`: the participant is not withdrawn and
 *     maxInputFailures never counts it; the member sits in an unstarted session.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'

describe('attack (review): a weight above maxWeight', function () {
  this.timeout(300_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('never appears in the member\'s log, and the member sits the round out (input-unavailable)', async () => {
    const s = await NodeSwarm.create({ members: 5, seed: 'weight-log', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 } })
    swarm = s
    const H = 0
    writeFileSync(join(s.dirs[H]!, 'inputs', '0.json'), JSON.stringify({ vector: [0.5, -0.25, 1], weight: 57 }))
    for (let i = 0; i < 5; i++) await s.start(i)
    try {
      await s.runUntil(() => [0, 1, 2, 3, 4].every((i) => s.roundFile(i, 1) !== undefined), 300_000, 'round 1 everywhere')
    } catch (err) { console.log('      ', (err as Error).message) }
    const text = s.logs[H]!.map((e) => JSON.stringify({ event: e.event, ...e.fields })).join('\n')
    const leaked = s.logs[H]!.filter((e) => JSON.stringify(e.fields).includes('got 57'))
    for (const e of leaked) console.log('       logged:', e.level, e.event, JSON.stringify(e.fields))
    console.log('       input-unavailable events:', s.events(H, 'input-unavailable').length, '; round 0 at H:', JSON.stringify(s.roundFile(H, 0)?.reason ?? (s.roundFile(H, 0)?.sum !== undefined ? 'result' : 'none')))
    assert.equal(leaked.length, 0, `ATTACK succeeded: the member's weight reached its log:\n${leaked.map((e) => JSON.stringify(e.fields)).join('\n')}`)
    assert.ok(s.events(H, 'input-unavailable').length > 0, 'the bad input was not handled as an input failure (no withdraw, not counted)')
    assert.ok(!text.includes('"weight":57'))
  })
})
