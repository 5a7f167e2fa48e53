/**
 * The simulator's inputs: drawn per member from the seed when a member is given its input (so
 * no run holds every member's vector at once), or the vectors a caller gave.
 */
import assert from 'node:assert/strict'
import { prepareScenario } from '../../src/sim/scenario.ts'

describe('sim/scenario: simulated inputs', () => {
  it('a drawn input is the member\'s own: the same values in any order of asking and in every scenario built from the seed', () => {
    const options = { peers: 6, dim: 5_000, seed: 'inputs' }
    const first = prepareScenario(options)
    const forward = [0, 1, 2, 3, 4, 5].map((i) => Array.from(first.inputOf(i)))
    const second = prepareScenario(options) // another thread's copy of the scenario, say
    for (const i of [5, 3, 1, 0, 4, 2]) assert.deepEqual(Array.from(second.inputOf(i)), forward[i], `member ${i}`)
    assert.notDeepEqual(forward[0], forward[1])
    assert.notDeepEqual(Array.from(prepareScenario({ ...options, seed: 'other' }).inputOf(0)), forward[0])
  })

  it('drawn values are multiples of 2^−22 in [−1, 1), spread over the whole range', () => {
    const v = Array.from(prepareScenario({ peers: 3, dim: 20_000, seed: '7' }).inputOf(2))
    assert.ok(v.every((x) => x >= -1 && x < 1))
    assert.ok(v.every((x) => Number.isInteger((x + 1) * 2 ** 22)), 'k · 2^−22 − 1, exact in float32')
    assert.ok(Math.min(...v) < -0.99 && Math.max(...v) > 0.99)
    assert.ok(Math.abs(v.reduce((a, b) => a + b, 0) / v.length) < 0.02, 'mean near 0')
  })

  it('drawn inputs share one buffer: an input is valid until the next is asked for (setInput copies it first)', () => {
    const s = prepareScenario({ peers: 3, dim: 100, seed: 'reuse' })
    const a = s.inputOf(0)
    const copy = Array.from(a)
    const b = s.inputOf(1)
    assert.equal(a, b)
    assert.notDeepEqual(Array.from(a), copy)
  })

  it('given inputs are returned as given, with their weights and noise shares', () => {
    const vectors = [[0.5, -0.25], [1, 2], [3, -4]]
    const noise = vectors.map((_, i) => Int32Array.of(i, -i))
    const s = prepareScenario({ peers: 3, dim: 2, inputs: { vectors, weights: [1, 2, 3], noise } })
    assert.equal(s.inputOf(1), vectors[1])
    assert.equal(s.noiseOf(2), noise[2])
    assert.deepEqual(s.weights, [1, 2, 3])
    assert.equal(s.clip, 4, 'the clip covers the largest given magnitude')
    assert.equal(prepareScenario({ peers: 3, dim: 2 }).noiseOf(0), undefined)
  })
})
