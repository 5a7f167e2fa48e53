/**
 * What a member sets up before `secagg start`: `secagg init` (identity file 0600, never
 * overwritten) and the consortium file (zod schema: errors name the field; per-stage
 * timeouts; the file hash binds sessions).
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { parseConsortium, sessionParameters, stageTimeoutsOf } from '../../src/node/config/consortium.ts'
import { loadIdentity } from '../../src/node/config/identity.ts'

describe('member setup: secagg init and the consortium file', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-setup-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  async function peerIds (n: number): Promise<string[]> {
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      const { code, out } = await cli('init', '--dir', join(dir, `m${i}`))
      assert.equal(code, 0)
      ids.push(out.trim())
    }
    return ids
  }

  it('init writes an Ed25519 identity with mode 0600, prints its peer id and refuses to overwrite it', async () => {
    const member = join(dir, 'm')
    const first = await cli('init', '--dir', member)
    assert.equal(first.code, 0)
    assert.match(first.out.trim(), /^12D3Koo[1-9A-HJ-NP-Za-km-z]+$/)
    const keyPath = join(member, 'identity.key')
    assert.equal(statSync(keyPath).mode & 0o777, 0o600)
    assert.equal(loadIdentity(member).peerId, first.out.trim())
    const before = readFileSync(keyPath)
    const again = await cli('init', '--dir', member)
    assert.equal(again.code, 2)
    assert.match(again.err, /already exists; refusing to overwrite/)
    assert.deepEqual(readFileSync(keyPath), before, 'the stored identity is untouched')
    chmodSync(keyPath, 0o644)
    assert.throws(() => loadIdentity(member), /readable by other users; run 'chmod 600/)
  })

  it('the consortium file: defaults, per-stage timeouts, and a hash of its bytes', async () => {
    const ids = await peerIds(3)
    const text = JSON.stringify({
      consortium: 'c', members: ids.map((peerId) => ({ peerId })),
      timeouts: { stageMs: 2000, stages: { masked: 60_000, unmask: 500 } },
      task: { type: 'vector-sum', dim: 4 }
    })
    const loaded = parseConsortium(Buffer.from(text), 'c.json')
    assert.equal(loaded.file.protocol.threshold, 'auto')
    assert.deepEqual(sessionParameters(loaded.file), { maxCorrupt: 0, neighbours: 'complete', threshold: 2 })
    assert.equal(loaded.file.protocol.neighbours, 'complete')
    assert.deepEqual(stageTimeoutsOf(loaded.file), { advertise: 2000, share: 2000, masked: 60_000, consistency: 2000, unmask: 500 })
    const spaced = parseConsortium(Buffer.from(text + '\n'), 'c.json')
    assert.notDeepEqual(spaced.hash, loaded.hash, 'any byte of the file changes the session binding')
  })

  it('protocol "auto": the node picks SecAgg+ k and t with the parameter finder against c', () => {
    const members = Array.from({ length: 300 }, (_, i) => ({ peerId: `m${i}`, addresses: [] }))
    const protocol = { threshold: 'auto' as const, neighbours: 'auto' as const, maxCorrupt: 30, clip: 1, maxWeight: 1, maxMessageBytes: 1 << 20 }
    const p = sessionParameters({ members, protocol })
    assert.equal(typeof p.neighbours, 'number', 'a sparse graph for 300 members')
    assert.ok(p.threshold <= (p.neighbours as number) && 2 * p.threshold > (p.neighbours as number))
    assert.deepEqual(sessionParameters({ members: members.slice(0, 5), protocol: { ...protocol, maxCorrupt: 1 } }), { maxCorrupt: 1, neighbours: 'complete', threshold: 4 })
  })

  it('errors name the field and the fix', async () => {
    const ids = await peerIds(3)
    const base = { consortium: 'c', members: ids.map((peerId) => ({ peerId })), task: { type: 'vector-sum', dim: 4 } }
    const cases: Array<[unknown, RegExp]> = [
      [{ ...base, members: base.members.slice(0, 2) }, /members: a consortium needs at least 3 members/],
      [{ ...base, members: [...base.members, { peerId: 'Qm-not-a-peer' }] }, /members\.3\.peerId: must be an Ed25519 libp2p peer id/],
      [{ ...base, members: [...base.members, base.members[0]] }, /members\.3\.peerId: peer .* is listed twice/],
      [{ ...base, members: [{ ...base.members[0], addresses: ['tcp/4001'] }, ...base.members.slice(1)] }, /members\.0\.addresses\.0: 'tcp\/4001' is not a multiaddr; write it as \/ip4\/127\.0\.0\.1\/tcp\/4000/],
      [{ ...base, protocol: { threshold: 4 } }, /protocol: threshold t = 4 exceeds the 2 shareholders/],
      [{ ...base, protocol: { threshold: 'majority' } }, /protocol\.threshold: must be "auto" or an integer ≥ 2 \("majority" is no longer accepted/],
      [{ ...base, protocol: { maxCorrupt: 1 } }, /protocol: maxCorrupt c = 1 needs sums over at least c \+ 3 = 4 members, but there are only 3/],
      [{ ...base, protocol: { neighbours: 3 } }, /protocol\.neighbours/],
      [{ ...base, timeouts: { stages: { masked: 10 } } }, /timeouts\.stages\.masked/],
      [{ ...base, timeouts: { stages: { training: 1000 } } }, /timeouts\.stages.*training/],
      [{ ...base, task: { type: 'vector-sum' } }, /task\.dim/],
      [{ ...base, extra: 1 }, /extra/],
      [{ ...base, task: { type: 'train' } }, /task\.classes/],
      [{ ...base, task: { type: 'train', classes: ['a', 'b'], model: 'resnet' } }, /task\.model/],
      [{ ...base, task: { type: 'train', classes: ['a', 'b'], epochs: 0 } }, /task\.epochs/]
    ]
    for (const [json, pattern] of cases) {
      assert.throws(() => parseConsortium(Buffer.from(JSON.stringify(json)), 'bad.json'), (e: Error) => e.name === 'ConsortiumFileError' && /^bad\.json: invalid consortium file/.test(e.message) && pattern.test(e.message), String(pattern))
    }
    assert.throws(() => parseConsortium(Buffer.from('{"consortium":'), 'trunc.json'), /trunc\.json: not valid JSON/)
  })

  it('start refuses a consortium file that does not list this member, naming it', async () => {
    const ids = await peerIds(3)
    const other = await cli('init', '--dir', join(dir, 'outsider'))
    const path = join(dir, 'c.json')
    writeFileSync(path, JSON.stringify({ consortium: 'c', members: ids.map((peerId) => ({ peerId })), task: { type: 'vector-sum', dim: 4 } }))
    const { code, err } = await cli('start', '--dir', join(dir, 'outsider'), '--consortium', path, '--listen', '/ip4/127.0.0.1/tcp/0')
    assert.equal(code, 2)
    assert.ok(err.includes(other.out.trim()) && err.includes('is not listed'), err)
  })

  it('start refuses an unreadable promises.json, naming it and keeping it (it records which rounds this member already sent its input to)', async () => {
    const member = await cli('init', '--dir', join(dir, 'member'))
    const ids = [member.out.trim(), ...await peerIds(2)]
    const path = join(dir, 'c.json')
    writeFileSync(path, JSON.stringify({ consortium: 'c', members: ids.map((peerId) => ({ peerId })), task: { type: 'vector-sum', dim: 4 } }))
    const promises = join(dir, 'member', 'promises.json')
    writeFileSync(promises, '{"salt": "ab", "rou')
    const { code, err } = await cli('start', '--dir', join(dir, 'member'), '--consortium', path, '--listen', '/ip4/127.0.0.1/tcp/0')
    assert.equal(code, 2)
    assert.match(err, /cannot read .*promises\.json.*restore it from a backup/)
    assert.equal(readFileSync(promises, 'utf8'), '{"salt": "ab", "rou', 'the file is left as it was')
  })
})
