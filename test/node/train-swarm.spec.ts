/**
 * The train task in real `secagg start` processes on 127.0.0.1: three members train a CNN on
 * their own shards of the synthetic CXR set, average through secure aggregation, and end
 * every round on the same model (same hash in every round file and checkpoint); a member
 * killed with SIGKILL and restarted after the others moved on resynchronises its model from
 * the majority and takes part again. Rounds without a member need n ≥ 5 (with c = 0, t = 3:
 * each of the four left keeps t others), and n ≥ 7 when a silent liar is a member too.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createIdentity } from '../../src/node/config/identity.ts'
import { createLogger } from '../../src/node/logger.ts'
import { SwarmHost } from '../../src/node/net/host.ts'
import { Frame, FrameType } from '../../src/node/wire/node.generated.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'

const TASK = { type: 'train', classes: ['normal', 'opacity'], model: 'cnn', imageSize: 24, epochs: 1, batchSize: 32, learningRate: 0.003, seed: 'test-model' }

describe('swarm: the train task in secagg start processes', function () {
  this.timeout(240_000)
  let swarm: TestSwarm
  beforeEach(() => { swarm = new TestSwarm() })
  afterEach(async () => { await swarm.teardown() })

  async function setUp (n: number, options: { roundIntervalMs?: number, advertiseMs?: number, extraMembers?: Array<{ peerId: string, addresses: string[] }> } = {}): Promise<void> {
    await swarm.init(n, 1, 2000, {
      ...(options.extraMembers !== undefined ? { members: options.extraMembers } : {}),
      ...(options.roundIntervalMs !== undefined ? { roundIntervalMs: options.roundIntervalMs } : {}),
      task: TASK,
      protocol: { clip: 1, maxWeight: 2000 },
      stages: { masked: 30_000, ...(options.advertiseMs !== undefined ? { advertise: options.advertiseMs } : {}) },
      memberConfig: (i) => ({ dataset: 'synthetic', datasetShard: { index: i, count: n, seed: 'test-data' } })
    })
  }

  /**
   * Kills `victim` after its round 0 and waits until the others have applied two more
   * results (rounds the victim was to aggregate may end without one), so its checkpoint is
   * behind the majority's model.
   */
  async function killUntilModelMovesTwice (victim: number): Promise<void> {
    await swarm.waitFor(() => swarm.roundFile(victim, 0) !== undefined, 120_000, 'round 0 at the victim')
    swarm.kill9(victim)
    const others = swarm.members.map((_, i) => i).filter((i) => i !== victim)
    const applied = (i: number): number => [1, 2, 3, 4, 5, 6].filter((r) => typeof swarm.roundFile(i, r)?.modelHash === 'string').length
    await swarm.waitFor(() => others.every((i) => applied(i) >= 2), 150_000, 'two applied rounds without the victim')
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

  it('a member restarted after the others moved on fetches the majority\'s model and rejoins', async () => {
    // A pause between rounds leaves the restarted member (tfjs and data loading take seconds
    // on a loaded machine) rounds to rejoin before the others are done.
    const rounds = 8
    await setUp(5, { roundIntervalMs: 1000 })
    for (let i = 0; i < 5; i++) swarm.start(i, rounds)
    const victim = 4
    await killUntilModelMovesTwice(victim)
    swarm.start(victim, rounds)
    for (let i = 0; i < 5; i++) assert.equal(await swarm.waitExit(i, 200_000), 0, swarm.log(i).slice(-2000))
    assert.match(swarm.log(victim), /"event":"model-synced"/)
    const final = [0, 1, 2, 3, 4].map((i) => JSON.parse(readFileSync(join(swarm.members[i]!.dir, 'model', 'checkpoint.json'), 'utf8')) as { round: number, modelHash: string })
    for (const c of final) assert.deepEqual(c, final[0], 'all five end on the same model')
    const rejoined = [3, 4, 5, 6, 7].filter((r) => (swarm.roundFile(0, r)?.included as string[] | undefined)?.includes(swarm.members[victim]!.peerId))
    assert.ok(rejoined.length > 0, 'the restarted member takes part again')
    assert.ok(existsSync(join(swarm.members[victim]!.dir, 'model', 'weights.bin')))
  })

  it('a lying member can neither plant a model nor push a member into a far round', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'secagg-liar-'))
    const liar = await createIdentity(join(scratch, 'liar'))
    let host: SwarmHost | undefined
    let poll: NodeJS.Timeout | undefined
    try {
      const rounds = 8
      // The liar learns the majority's model hash from an honest member, then answers every
      // query with that hash and round 999, and every fetch with zeros. It listens first, so
      // the consortium file can list its address; the member map is filled in afterwards.
      let majorityHash: Uint8Array | undefined
      const members = new Map<string, string[]>([[liar.peerId, []]])
      const send = (to: string, type: FrameType, round: number, payload: Uint8Array): void => {
        void host?.send(to, Frame.encode({ version: 1, type, round: BigInt(round), attempt: 0, payload: payload as Uint8Array<ArrayBuffer> }), AbortSignal.timeout(5_000))
      }
      host = await SwarmHost.start({
        identity: liar, members, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, maxMessageBytes: 64 * 1024 * 1024, logger: createLogger({}),
        onMessage: (from, data) => {
          const f = Frame.decode(data)
          if (f.type === FrameType.MODEL_STATUS) majorityHash = f.payload
          if (f.type === FrameType.MODEL_QUERY && majorityHash !== undefined) send(from, FrameType.MODEL_STATUS, 999, majorityHash)
          if (f.type === FrameType.MODEL_FETCH) send(from, FrameType.MODEL_DATA, 999, new Uint8Array(4 * 17_826))
        }
      })
      const honest = 6 // with the liar n = 7, t = 4: five members left when the victim is down
      await setUp(honest, { roundIntervalMs: 1000, extraMembers: [{ peerId: liar.peerId, addresses: host.addresses.map((a) => a.replace(/\/p2p\/.*$/, '')) }] })
      for (const m of swarm.members) {
        members.set(m.peerId, [`/ip4/127.0.0.1/tcp/${m.port}`])
        await host.learnAddresses(m.peerId, [`/ip4/127.0.0.1/tcp/${m.port}`])
      }
      for (let i = 0; i < honest; i++) swarm.start(i, rounds)
      const victim = honest - 1
      await killUntilModelMovesTwice(victim)
      // Keep the liar's copy of the majority's hash current while the model moves on.
      poll = setInterval(() => send(swarm.members[0]!.peerId, FrameType.MODEL_QUERY, 0, new Uint8Array(0)), 250)
      await swarm.waitFor(() => majorityHash !== undefined, 20_000, 'the liar learning the hash')
      swarm.start(victim, rounds)
      for (let i = 0; i < honest; i++) assert.equal(await swarm.waitExit(i, 200_000), 0, swarm.log(i).slice(-2000))
      const log = swarm.log(victim)
      assert.match(log, new RegExp(`"event":"message-dropped","peer":"${liar.peerId}","reason":"model data does not match the hash the majority holds"`))
      assert.match(log, /"event":"model-synced"/)
      assert.doesNotMatch(log, /"event":"model-synced","round":999/)
      const final = swarm.members.map((m) => JSON.parse(readFileSync(join(m.dir, 'model', 'checkpoint.json'), 'utf8')) as { round: number, modelHash: string })
      for (const c of final) assert.deepEqual(c, final[0], 'the victim ends on the honest members\' model')
    } finally {
      clearInterval(poll)
      await host?.stop()
      rmSync(scratch, { recursive: true, force: true })
    }
  })
})
