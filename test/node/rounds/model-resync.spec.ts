/**
 * Training rounds in the multi-round simulator (a global model moved by every result, bound
 * into every session, resynchronised from the majority — the train task's rules, without
 * TensorFlow): a member restarted after the others moved on fetches the majority's model and
 * rejoins; a lying member can neither plant a model nor push a member into a far round.
 */
import assert from 'node:assert/strict'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import type { SimulatedModelTask } from '../../../src/node/sim/model-task.ts'
import { Frame, FrameType } from '../../../src/round/wire/round.generated.ts'

const frame = (type: FrameType, round: number, payload: Uint8Array): Uint8Array =>
  Frame.encode({ version: 2, type, round: BigInt(round), attempt: 0, payload: payload as Uint8Array<ArrayBuffer> })

const model = (s: NodeSwarm, i: number): SimulatedModelTask => s.tasks[i] as SimulatedModelTask

/** Kills `victim` after its round 0 and runs until the others applied two more results. */
async function killUntilModelMovesTwice (s: NodeSwarm, victim: number, others: number[]): Promise<void> {
  await s.runUntil(() => s.roundFile(victim, 0) !== undefined, 60_000, 'round 0 at the victim')
  await s.kill(victim)
  const applied = (i: number): number => [1, 2, 3, 4, 5, 6].filter((r) => typeof s.roundFile(i, r)?.modelHash === 'string').length
  await s.runUntil(() => others.every((i) => applied(i) >= 2), 300_000, 'two applied rounds without the victim')
}

describe('node swarm: training rounds and model resync', function () {
  this.timeout(60_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('a member restarted after the others moved on fetches the majority\'s model and rejoins', async () => {
    const n = 5
    const rounds = 8
    swarm = await NodeSwarm.create({ members: n, seed: 'resync', dim: 6, rounds, task: 'model', protocol: { maxCorrupt: 0 }, roundIntervalMs: 200 })
    const s = swarm
    for (let i = 0; i < n; i++) await s.start(i)
    const victim = 4
    await killUntilModelMovesTwice(s, victim, [0, 1, 2, 3])
    await s.start(victim)
    await s.runUntil(() => s.ids.every((_, i) => model(s, i).checkpoint.round >= rounds), 600_000, 'every member at the last round')
    assert.ok(s.events(victim, 'model-synced').length > 0, 'the restarted member fetched the model')
    const final = s.ids.map((_, i) => model(s, i).checkpoint)
    for (const c of final) assert.deepEqual(c, final[0], 'all five end on the same model')
    const rejoined = [3, 4, 5, 6, 7].filter((r) => (s.roundFile(0, r)?.included as string[] | undefined)?.includes(s.ids[victim]!))
    assert.ok(rejoined.length > 0, 'the restarted member takes part again')
  })

  it('a lying member can neither plant a model nor push a member into a far round', async () => {
    const honest = 6 // with the liar n = 7, t = 4: five members left when the victim is down
    const rounds = 8
    swarm = await NodeSwarm.create({ members: honest + 1, seed: 'liar', dim: 6, rounds, task: 'model', protocol: { maxCorrupt: 0 }, roundIntervalMs: 200 })
    const s = swarm
    const liar = s.ids[honest]!
    // The liar's node never runs; it answers every model query with the honest members'
    // current hash and round 999, and every fetch with zeros.
    s.net.tap = (from, to, data) => {
      if (to !== liar) return data
      const f = Frame.decode(data)
      if (f.type === FrameType.MODEL_QUERY) s.net.send(liar, from, frame(FrameType.MODEL_STATUS, 999, Buffer.from(model(s, 0).modelHash, 'hex')))
      if (f.type === FrameType.MODEL_FETCH) s.net.send(liar, from, frame(FrameType.MODEL_DATA, 999, new Uint8Array(4 * 6)))
      return undefined
    }
    for (let i = 0; i < honest; i++) await s.start(i)
    const victim = honest - 1
    await killUntilModelMovesTwice(s, victim, [0, 1, 2, 3, 4])
    await s.start(victim)
    await s.runUntil(() => s.ids.slice(0, honest).every((_, i) => model(s, i).checkpoint.round >= rounds), 600_000, 'every honest member at the last round')
    const log = s.logs[victim]!
    assert.ok(log.some((e) => e.event === 'message-dropped' && e.fields.peer === liar && e.fields.reason === 'model data does not match the hash the majority holds'), 'the liar\'s model was refused')
    assert.ok(log.some((e) => e.event === 'model-synced' && e.fields.round !== 999), 'the victim synced from an honest member')
    assert.ok(!log.some((e) => e.event === 'model-synced' && e.fields.round === 999))
    const final = s.ids.slice(0, honest).map((_, i) => model(s, i).checkpoint)
    for (const c of final) assert.deepEqual(c, final[0], 'the victim ends on the honest members\' model')
  })
})
