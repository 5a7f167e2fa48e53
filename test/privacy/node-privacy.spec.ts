/**
 * The consortium file's `privacy` section and one member's privacy state in the node's train
 * task (src/node/task/member-privacy.ts): named errors in the file, the plan widened for the
 * noise, ε persisted in DIR/privacy.json and replayed after a restart, and a round past the
 * budget refused before training.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '../../src/crypto/index.ts'
import { parseConsortium } from '../../src/node/config/consortium.ts'
import { consortiumQuantization } from '../../src/node/config/consortium-quantization.ts'
import { MemberPrivacy } from '../../src/node/task/member-privacy.ts'
import { seededPeerIds } from '../helpers/peer-ids.ts'

const PRIVACY = { clip: 1, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 8 }
const TRAIN = { type: 'train', classes: ['normal', 'opacity'], imageSize: 16 }

async function consortiumJson (extra: Record<string, unknown>): Promise<Buffer> {
  const ids = await seededPeerIds('node-privacy', 4)
  return Buffer.from(JSON.stringify({ consortium: 'dp', members: ids.map((peerId) => ({ peerId })), protocol: { clip: 1, maxWeight: 1, maxCorrupt: 0 }, task: TRAIN, ...extra }))
}

describe('privacy: the consortium file and the node train task', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'node-privacy-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('the privacy section: accepted, and each mistake named by its field', async () => {
    const loaded = parseConsortium(await consortiumJson({ privacy: PRIVACY }), 'c.json')
    assert.deepEqual(loaded.file.privacy, PRIVACY)
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ privacy: { ...PRIVACY, noiseMultiplier: 0 } }, /privacy\.noiseMultiplier: must be > 0/],
      [{ privacy: { ...PRIVACY, delta: 1 } }, /privacy\.delta: must be < 1/],
      [{ privacy: { ...PRIVACY, clip: -1 } }, /privacy\.clip: must be > 0/],
      [{ privacy: { ...PRIVACY, noiseMultiplier: 0.3, epsilonBudget: 5 } }, /privacy\.epsilonBudget: one round at noiseMultiplier 0\.3 already spends/],
      [{ privacy: PRIVACY, task: { type: 'vector-sum', dim: 4 } }, /privacy: differential privacy applies to the train task/]
    ]
    for (const [extra, pattern] of bad) {
      const bytes = await consortiumJson(extra)
      assert.throws(() => parseConsortium(bytes, 'c.json'), (e: Error) => e.name === 'ConsortiumFileError' && pattern.test(e.message), String(pattern))
    }
  })

  it('the plan carries the noise share only with a privacy section (the file without it plans as before)', async () => {
    const without = parseConsortium(await consortiumJson({}), 'c.json').file
    const withDp = parseConsortium(await consortiumJson({ privacy: PRIVACY }), 'c.json').file
    assert.equal(consortiumQuantization(without, 1000).noise, undefined)
    const plan = consortiumQuantization(withDp, 1000)
    assert.equal(plan.noise!.survivors, 3) // n = 4, c = 0: t = 3
    assert.ok(plan.noise!.shareStddev >= plan.scale / Math.sqrt(3))
  })

  it('ε is spent once per round, persisted, replayed after a restart, and the budget refuses the next round', async () => {
    const file = parseConsortium(await consortiumJson({ privacy: PRIVACY }), 'c.json').file
    const plan = consortiumQuantization(file, 100)
    const member = new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise'))
    const input = member.privatize(0, Array.from({ length: 100 }, () => 1))
    assert.equal(input.weight, 1)
    assert.equal(input.clipped, true)
    assert.ok(Math.abs(Math.hypot(...Array.from(input.vector)) - 1) < 1e-9, 'clipped to the L2 clip')
    assert.equal(input.noise!.length, 100)
    const first = member.spend(0, 4)
    assert.equal(member.spend(0, 4).epsilon, first.epsilon, 'a round counts once (it was charged when its input was made)')
    member.spend(1, 3)
    const restarted = new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise'))
    assert.equal(restarted.epsilon, member.epsilon, 'a restart does not un-spend ε')
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'privacy.json'), 'utf8')).rounds.map((r: { survivors: number }) => r.survivors), [3, 3], 'charged with t − c = 3 honest shares, whatever the survivors')
    assert.ok(restarted.epsilon < 8)
    assert.throws(() => restarted.assertRoundFits(), { name: 'PrivacyBudgetError', message: /one more round would spend ε = .* > epsilonBudget 8/ })
    writeFileSync(join(dir, 'privacy.json'), '{"rounds": [')
    assert.throws(() => new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise')), { name: 'NodeDirError', message: /privacy budget already spent.*never delete it/ })
  })
})
