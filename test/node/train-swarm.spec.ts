/**
 * The train task in real `secagg start` processes on 127.0.0.1: three members train a CNN on
 * their own shards of the synthetic CXR set, average through secure aggregation, and end
 * every round on the same model (same hash in every round file and checkpoint). The rules
 * for a member that fell behind (restart, model resync, a lying member) are tested
 * deterministically in the multi-round simulator (test/node/rounds/model-resync.spec.ts);
 * kill -9 and restart of real processes in test/node/swarm.spec.ts.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TestSwarm } from '../helpers/swarm-processes.ts'

const TASK = { type: 'train', classes: ['normal', 'opacity'], model: 'cnn', imageSize: 24, epochs: 1, batchSize: 32, learningRate: 0.003, seed: 'test-model' }

describe('swarm: the train task in secagg start processes', function () {
  this.timeout(240_000)
  let swarm: TestSwarm
  beforeEach(() => { swarm = new TestSwarm() })
  afterEach(async () => { await swarm.teardown() })

  async function setUp (n: number, options: { advertiseMs?: number, privacy?: Record<string, unknown> } = {}): Promise<void> {
    await swarm.init(n, 1, 2000, {
      task: TASK,
      protocol: { clip: 1, maxWeight: 2000 },
      ...(options.privacy !== undefined ? { privacy: options.privacy } : {}),
      stages: { masked: 30_000, ...(options.advertiseMs !== undefined ? { advertise: options.advertiseMs } : {}) },
      memberConfig: (i) => ({ dataset: 'synthetic', datasetShard: { index: i, count: n, seed: 'test-data' } })
    })
  }

  it('three members, three rounds: the same global model everywhere, checkpointed, with metrics logged', async () => {
    // A long AdvertiseKeys deadline costs nothing when everyone is there (the aggregator moves
    // on once all have advertised) and keeps a member slow to load tfjs in round 0.
    await setUp(3, { advertiseMs: 20_000 })
    for (let i = 0; i < 3; i++) swarm.start(i, 3)
    for (let i = 0; i < 3; i++) assert.equal(await swarm.waitExit(i, 200_000), 0, swarm.log(i).slice(-2000))
    for (let r = 0; r < 3; r++) {
      const files = [0, 1, 2].map((i) => swarm.roundFile(i, r)!)
      for (const f of files) {
        assert.ok(f !== undefined && typeof f.modelHash === 'string', `round ${r}: a model hash`)
        assert.equal(f.modelHash, files[0]!.modelHash, `round ${r}: every member holds the same model`)
        assert.equal((f.included as string[]).length, 3)
        assert.equal(f.sum, undefined, 'the round file never holds the aggregated update')
      }
    }
    for (let i = 0; i < 3; i++) {
      const checkpoint = JSON.parse(readFileSync(join(swarm.members[i]!.dir, 'model', 'checkpoint.json'), 'utf8')) as { round: number, modelHash: string }
      assert.equal(checkpoint.round, 3)
      assert.equal(checkpoint.modelHash, swarm.roundFile(0, 2)!.modelHash)
      assert.match(swarm.log(i), /"event":"round-metrics","round":2,"accuracy":[\d.]+,"auc":[\d.]+,"sensitivity"/)
      assert.match(swarm.log(i), /"event":"tf-backend","backend":"(wasm|tensorflow|cpu)"/)
    }
  })

  it('with a privacy section: ε per round in rounds/<r>.json, the log and DIR/privacy.json (docs/PRIVACY.md)', async () => {
    await setUp(3, { advertiseMs: 20_000, privacy: { clip: 1, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 20 } })
    for (let i = 0; i < 3; i++) swarm.start(i, 2)
    for (let i = 0; i < 3; i++) assert.equal(await swarm.waitExit(i, 200_000), 0, swarm.log(i).slice(-2000))
    for (let i = 0; i < 3; i++) {
      let last = 0
      for (let r = 0; r < 2; r++) {
        const privacy = swarm.roundFile(i, r)!.privacy as { epsilon: number, survivors: number }
        assert.equal(privacy.survivors, 3)
        assert.ok(privacy.epsilon > last && privacy.epsilon < 20, `member ${i} round ${r}: ε ${privacy.epsilon}`)
        last = privacy.epsilon
      }
      assert.match(swarm.log(i), /"event":"privacy-spent","round":1,"epsilon":[\d.]+,"survivors":3/)
      assert.match(swarm.log(i), /"event":"round-metrics","round":1,.*"epsilon":[\d.]+/)
      const ledger = JSON.parse(readFileSync(join(swarm.members[i]!.dir, 'privacy.json'), 'utf8')) as { rounds: unknown[] }
      assert.equal(ledger.rounds.length, 2)
    }
  })
})
