/**
 * Onboarding without copying by hand: `secagg init` validates what it writes, DIR/config.json
 * and the consortium file are checked when loaded (file and field named), negative numbers
 * reach every command's range check, and `secagg consortium new|add|check` assemble a file
 * that three real `secagg start` processes run a round with.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { cli } from '../helpers/cli.ts'
import { freePort, TestSwarm } from '../helpers/swarm-processes.ts'
import { loadConsortium, sessionParameters } from '../../src/node/config/consortium.ts'
import { loadNodeConfig } from '../../src/node/config/node-dir.ts'

describe('member onboarding: secagg init, config validation, secagg consortium', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-onboard-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  async function init (name: string, ...flags: string[]): Promise<{ dir: string, peerId: string }> {
    const member = join(dir, name)
    const r = await cli('init', '--dir', member, ...flags)
    assert.equal(r.code, 0, r.err)
    return { dir: member, peerId: r.out.trim() }
  }

  function writeJson (path: string, json: unknown): void { writeFileSync(path, JSON.stringify(json, null, 2)) }
  const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

  describe('secagg init', () => {
    it('--vector-file sets the input file (one per round with {round}); a path outside DIR is refused and nothing is created', async () => {
      const m = await init('m0', '--vector-file', 'inputs/{round}.json')
      assert.equal(loadNodeConfig(m.dir).vectorFile, 'inputs/{round}.json')
      for (const bad of ['../elsewhere.json', '/etc/input.json', '']) {
        const r = await cli('init', '--dir', join(dir, 'm1'), '--vector-file', bad)
        assert.equal(r.code, 2)
        assert.match(r.err, /--vector-file must be a path inside DIR, like inputs\/\{round\}\.json/)
        assert.ok(!existsSync(join(dir, 'm1')), 'nothing created')
      }
    })

    it('refuses a --listen that is not a TCP multiaddr, naming the flag, the value and the fix, and creates nothing', async () => {
      const member = join(dir, 'm0')
      const cases: Array<[string, RegExp]> = [
        ['127.0.0.1:4000', /--listen '127\.0\.0\.1:4000' is not a multiaddr; write it as \/ip4\/127\.0\.0\.1\/tcp\/4000/],
        ['[::1]:4000', /--listen '\[::1\]:4000' is not a multiaddr; write it as \/ip6\/::1\/tcp\/4000/],
        ['localhost', /--listen 'localhost' is not a multiaddr; write it as \/ip4\/127\.0\.0\.1\/tcp\/4000/],
        ['/ip4/127.0.0.1', /--listen '\/ip4\/127\.0\.0\.1' has no TCP port.*\/ip4\/127\.0\.0\.1\/tcp\/4000/],
        ['/ip4/127.0.0.1/tcp/99999', /--listen '\/ip4\/127\.0\.0\.1\/tcp\/99999' is not a multiaddr \(.*65535.*\)/]
      ]
      for (const [listen, pattern] of cases) {
        const r = await cli('init', '--dir', member, '--listen', '/ip4/127.0.0.1/tcp/4001', '--listen', listen)
        assert.equal(r.code, 2, listen)
        assert.match(r.err, pattern)
        assert.equal(existsSync(member), false, 'no identity is created for a refused command')
      }
    })

    it('--listen is repeatable and --name is stored in config.json', async () => {
      const m = await init('m0', '--listen', '/ip4/127.0.0.1/tcp/4000', '--listen', '/ip6/::1/tcp/4000', '--name', 'St Mary')
      const config = readJson(join(m.dir, 'config.json'))
      assert.deepEqual(config.listen, ['/ip4/127.0.0.1/tcp/4000', '/ip6/::1/tcp/4000'])
      assert.equal(config.name, 'St Mary')
    })
  })

  describe('loading DIR/config.json and the consortium file', () => {
    async function threeMembers (): Promise<{ members: Array<{ dir: string, peerId: string }>, path: string }> {
      const members = [await init('m0'), await init('m1'), await init('m2')]
      const path = join(dir, 'c.json')
      writeJson(path, { consortium: 'c', members: members.map((m, i) => ({ peerId: m.peerId, addresses: [`/ip4/127.0.0.1/tcp/${4000 + i}`] })), task: { type: 'vector-sum', dim: 4 } })
      return { members, path }
    }

    it('start refuses a config.json address that is not a multiaddr with exit 2, naming the file, the field and the fix', async () => {
      const { members, path } = await threeMembers()
      const config = join(members[0]!.dir, 'config.json')
      writeJson(config, { listen: ['127.0.0.1:4000'], bootstrap: [], vectorFile: 'vector.json' })
      const r = await cli('start', '--dir', members[0]!.dir, '--consortium', path)
      assert.equal(r.code, 2, r.err)
      assert.equal(r.err.trim(), `secagg start: ${config}: listen.0: '127.0.0.1:4000' is not a multiaddr; write it as /ip4/127.0.0.1/tcp/4000`)
      // The other cases through the loader start uses, so that no node is ever started here.
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ listen: ['/ip4/127.0.0.1/tcp/4000', '/ip4/127.0.0.1/udp/4000'] }, `${config}: listen.1: '/ip4/127.0.0.1/udp/4000' has no TCP port`],
        [{ bootstrap: ['10.0.0.5:4001'] }, `${config}: bootstrap.0: '10.0.0.5:4001' is not a multiaddr; write it as /ip4/10.0.0.5/tcp/4001`],
        [{ bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }, `${config}: bootstrap.0: '/ip4/127.0.0.1/tcp/4001' names no peer, so libp2p would skip it; append /p2p/`]
      ]
      for (const [fields, message] of cases) {
        writeJson(config, { listen: [], bootstrap: [], vectorFile: 'vector.json', ...fields })
        assert.throws(() => loadNodeConfig(members[0]!.dir), (e: Error) => e.name === 'NodeDirError' && e.message.startsWith(message), message)
      }
    })

    it('start refuses a --listen or --bootstrap flag that is not a TCP multiaddr the same way', async () => {
      const { members, path } = await threeMembers()
      const listen = await cli('start', '--dir', members[0]!.dir, '--consortium', path, '--listen', '127.0.0.1:4000')
      assert.equal(listen.code, 2)
      assert.equal(listen.err.trim(), "secagg start: --listen '127.0.0.1:4000' is not a multiaddr; write it as /ip4/127.0.0.1/tcp/4000")
      const bootstrap = await cli('start', '--dir', members[0]!.dir, '--consortium', path, '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', '127.0.0.1:4001')
      assert.equal(bootstrap.code, 2)
      assert.equal(bootstrap.err.trim(), "secagg start: --bootstrap '127.0.0.1:4001' is not a multiaddr; write it as /ip4/127.0.0.1/tcp/4001")
    })

    it('the consortium file names the field and the bad address; an address without a TCP port is refused', async () => {
      const { members, path } = await threeMembers()
      const file = readJson(path) as { members: Array<{ addresses: string[] }> }
      file.members[2]!.addresses = ['/ip4/127.0.0.1/tcp/4002', 'hospital-b.example:4001']
      file.members[1]!.addresses = ['/ip4/10.0.0.5']
      writeJson(path, file)
      assert.throws(() => loadConsortium(path), (e: Error) => e.name === 'ConsortiumFileError' &&
        e.message.includes(`${path}: invalid consortium file`) &&
        e.message.includes("members.2.addresses.1: 'hospital-b.example:4001' is not a multiaddr; write it as /dns/hospital-b.example/tcp/4001") &&
        e.message.includes("members.1.addresses.0: '/ip4/10.0.0.5' has no TCP port"))
      const r = await cli('start', '--dir', members[0]!.dir, '--consortium', path)
      assert.equal(r.code, 2)
      assert.match(r.err, /members\.2\.addresses\.1: 'hospital-b\.example:4001' is not a multiaddr/)
    })

    it('one key listed twice under two peer-id spellings is refused when loaded (it would count twice toward every threshold)', async () => {
      const { members, path } = await threeMembers()
      const file = readJson(path) as { members: Array<{ peerId: string, addresses: string[] }> }
      file.members.push({ peerId: peerIdFromString(members[1]!.peerId).toCID().toString(), addresses: ['/ip4/127.0.0.1/tcp/4009'] })
      writeJson(path, file)
      assert.throws(() => loadConsortium(path), (e: Error) => e.name === 'ConsortiumFileError' &&
        /members\.3\.peerId: peer bafz\S+ is listed twice \(the same Ed25519 key as members\.1, written differently\)/.test(e.message))
    })
  })

  describe('negative numbers reach the range check of every command', () => {
    const cases: Array<[string[], RegExp]> = [
      [['simulate', '--peers', '5', '--dim', '3', '--max-corrupt', '-1'], /--max-corrupt must be an integer in \[0, 2\], got '-1'/],
      [['simulate', '--peers', '5', '--dim', '3', '--max-corrupt=-1'], /--max-corrupt must be an integer in \[0, 2\], got '-1'/],
      [['simulate', '--peers', '-5', '--dim', '3'], /--peers must be an integer in \[3, 65535\], got '-5'/],
      [['simulate', '--peers', '5', '--dim', '3', '--latency', '-0.5'], /--latency must be a number in \[0, 1000000\], got '-0\.5'/],
      [['simulate', '--peers', '5', '--dim', '3', '--stage-timeout', '-5'], /--stage-timeout: the timeout must be a number of ms in \[1, 1000000000\], got '-5'/],
      [['simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '4', '--rounds', '-3'], /--rounds must be an integer in \[1, 1000\], got '-3'/],
      [['simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '4', '--rounds', '2', '--lr', '-1e-3'], /--lr must be a number in \[1e-9, 10\], got '-1e-3'/],
      [['start', '--dir', 'm', '--consortium', 'c.json', '--rounds', '-3'], /--rounds must be an integer in \[1, 1000000000\], got '-3'/],
      [['logs', '--dir', 'm', '--round', '-1'], /--round must be a non-negative integer, got '-1'/],
      [['consortium', 'new', 'demo', '--dim', '-4'], /--dim must be an integer in \[1, 67108864\], got '-4'/]
    ]
    for (const [argv, pattern] of cases) {
      it(argv.join(' '), async () => {
        const r = await cli(...argv)
        assert.equal(r.code, 2)
        assert.match(r.err, pattern)
        assert.doesNotMatch(r.err, /ambiguous/)
      })
    }

    it('a negative seed is a seed (simulate --seed -1 runs), and a flag\'s word after -- or a non-number is still refused', async () => {
      const seeded = await cli('simulate', '--peers', '5', '--dim', '3', '--seed', '-1')
      assert.equal(seeded.code, 0, seeded.err)
      assert.match(seeded.out, /seed -1/)
      const flag = await cli('simulate', '--peers', '5', '--dim', '3', '--seed', '--complete')
      assert.equal(flag.code, 2)
      assert.match(flag.err, /argument is ambiguous[\s\S]*Run 'secagg simulate --help'/)
    })
  })

  describe('secagg consortium', () => {
    it('new writes a file with no members and demo settings, and never overwrites one', async () => {
      const path = join(dir, 'consortium.json')
      const r = await cli('consortium', 'new', 'demo', '--out', path)
      assert.equal(r.code, 0, r.err)
      const file = readJson(path)
      assert.equal(file.consortium, 'demo')
      assert.deepEqual(file.members, [])
      assert.deepEqual(file.task, { type: 'vector-sum', dim: 4 })
      assert.ok((file.timeouts as { roundIntervalMs: number }).roundIntervalMs >= 2000, 'rounds an operator can follow')
      const before = readFileSync(path)
      const again = await cli('consortium', 'new', 'other', '--out', path)
      assert.equal(again.code, 2)
      assert.match(again.err, /already exists; refusing to overwrite/)
      assert.deepEqual(readFileSync(path), before)
      const nowhere = await cli('consortium', 'new', 'demo', '--out', join(dir, 'no-such-dir', 'c.json'))
      assert.equal(nowhere.code, 2)
      assert.match(nowhere.err, /cannot write .*no-such-dir\/c\.json: ENOENT/)
      const train = await cli('consortium', 'new', 'xray', '--out', join(dir, 'train.json'), '--task', 'train', '--classes', 'normal,opacity')
      assert.equal(train.code, 0, train.err)
      const trainFile = readJson(join(dir, 'train.json')) as { task: { classes: string[] }, timeouts: { stages: { masked: number } } }
      assert.deepEqual(trainFile.task.classes, ['normal', 'opacity'])
      assert.ok(trainFile.timeouts.stages.masked >= 60_000, 'the masked stage covers local training')
      for (const [argv, pattern] of [
        [['--task', 'train'], /--classes with at least 2 class names/],
        [['--task', 'train', '--classes', 'a,b', '--dim', '3'], /--dim is for --task vector-sum/],
        [['--task', 'sum'], /--task must be vector-sum or train/]
      ] as Array<[string[], RegExp]>) {
        const bad = await cli('consortium', 'new', 'x', '--out', join(dir, 'bad.json'), ...argv)
        assert.equal(bad.code, 2)
        assert.match(bad.err, pattern)
        assert.equal(existsSync(join(dir, 'bad.json')), false)
      }
    })

    it('add reads the peer id and addresses from the member directory, says how many more are needed, and the result loads', async () => {
      const path = join(dir, 'consortium.json')
      assert.equal((await cli('consortium', 'new', 'demo', '--out', path)).code, 0)
      const members = [0, 1, 2].map((i) => ({ name: `m${i}`, listen: `/ip4/127.0.0.1/tcp/${4100 + i}` }))
      const ids: string[] = []
      for (const [i, m] of members.entries()) {
        const { dir: memberDir, peerId } = await init(m.name, '--listen', m.listen, '--name', `hospital ${i}`)
        ids.push(peerId)
        const r = await cli('consortium', 'add', path, '--member', memberDir)
        assert.equal(r.code, 0, r.err)
        assert.ok(r.out.includes(peerId) && r.out.includes(m.listen), r.out)
        if (i < 2) assert.match(r.out, new RegExp(`${2 - i} more needed before rounds can run \\(at least 3\\)`))
        else assert.match(r.out, /n = 3 members, maxCorrupt c = 0 .* threshold t = 2[\s\S]*a round needs all 3 members online/)
      }
      const loaded = loadConsortium(path)
      assert.deepEqual(loaded.file.members, members.map((m, i) => ({ peerId: ids[i], name: `hospital ${i}`, addresses: [m.listen] })))
      assert.deepEqual(sessionParameters(loaded.file), { maxCorrupt: 0, neighbours: 'complete', threshold: 2 })
    })

    it('add refuses a member already listed (also under another peer-id spelling) or a name taken, changing nothing', async () => {
      const path = join(dir, 'consortium.json')
      assert.equal((await cli('consortium', 'new', 'demo', '--out', path)).code, 0)
      const m0 = await init('m0', '--listen', '/ip4/127.0.0.1/tcp/4000', '--name', 'north')
      const m1 = await init('m1', '--listen', '/ip4/127.0.0.1/tcp/4001', '--name', 'north')
      const file = readJson(path)
      writeJson(path, { ...file, members: [{ peerId: peerIdFromString(m0.peerId).toCID().toString(), addresses: ['/ip4/127.0.0.1/tcp/4000'] }] })
      const before = readFileSync(path)
      const again = await cli('consortium', 'add', path, '--member', m0.dir)
      assert.equal(again.code, 2)
      assert.match(again.err, new RegExp(`peer ${m0.peerId} is already listed in .* as members\\.0 \\(written as bafz`))
      const named = await cli('consortium', 'add', path, '--member', m0.dir, '--name', 'south')
      assert.equal(named.code, 2, 'a new name does not make it a new member')
      writeJson(path, { ...file, members: [{ peerId: m0.peerId, name: 'north', addresses: ['/ip4/127.0.0.1/tcp/4000'] }] })
      const taken = await cli('consortium', 'add', path, '--member', m1.dir)
      assert.equal(taken.code, 2)
      assert.match(taken.err, /already lists a member named 'north'; give this one another --name/)
      const renamed = await cli('consortium', 'add', path, '--member', m1.dir, '--name', 'south')
      assert.equal(renamed.code, 0, renamed.err)
      assert.notDeepEqual(readFileSync(path), before)
    })

    it('add needs --address when the member listens on 0.0.0.0, :: or port 0', async () => {
      const path = join(dir, 'consortium.json')
      assert.equal((await cli('consortium', 'new', 'demo', '--out', path)).code, 0)
      const before = readFileSync(path)
      for (const [i, listen] of ['/ip4/0.0.0.0/tcp/4001', '/ip6/::/tcp/4001', '/ip4/127.0.0.1/tcp/0'].entries()) {
        const m = await init(`m${i}`, '--listen', listen)
        const r = await cli('consortium', 'add', path, '--member', m.dir)
        assert.equal(r.code, 2)
        assert.ok(r.err.includes(`listens on '${listen}'`) && r.err.includes('--address'), r.err)
        assert.deepEqual(readFileSync(path), before, 'the file is untouched')
      }
      const bad = await cli('consortium', 'add', path, '--member', join(dir, 'm0'), '--address', '/ip4/0.0.0.0/tcp/4001')
      assert.equal(bad.code, 2)
      assert.match(bad.err, /--address '\/ip4\/0\.0\.0\.0\/tcp\/4001': 0\.0\.0\.0 means "every interface/)
      const ok = await cli('consortium', 'add', path, '--member', join(dir, 'm0'), '--address', '/ip4/192.0.2.7/tcp/4001', '--address', '/dns/north.example/tcp/4001')
      assert.equal(ok.code, 0, ok.err)
      assert.deepEqual((readJson(path).members as Array<{ addresses: string[] }>)[0]!.addresses, ['/ip4/192.0.2.7/tcp/4001', '/dns/north.example/tcp/4001'])
    })

    it('check prints what the file implies, and each problem on its own line with exit 2', async () => {
      const path = join(dir, 'consortium.json')
      assert.equal((await cli('consortium', 'new', 'demo', '--out', path)).code, 0)
      const ms = []
      for (let i = 0; i < 5; i++) {
        ms.push(await init(`m${i}`, '--listen', `/ip4/127.0.0.1/tcp/${4200 + i}`))
        if (i < 2) assert.equal((await cli('consortium', 'add', path, '--member', ms[i]!.dir)).code, 0)
      }
      const two = await cli('consortium', 'check', path)
      assert.equal(two.code, 2)
      assert.match(two.err, /2 members: 1 more needed before rounds can run \(at least 3\)/)
      for (let i = 2; i < 5; i++) assert.equal((await cli('consortium', 'add', path, '--member', ms[i]!.dir)).code, 0)
      const five = await cli('consortium', 'check', path, '--dir', ms[0]!.dir)
      assert.equal(five.code, 0, five.err)
      assert.match(five.out, /n = 5 members, maxCorrupt c = 1 \(default .*\), threshold t = 4, complete graph/)
      assert.match(five.out, /a round needs all 5 members online/)
      const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(path)).digest('hex')
      assert.ok(five.out.includes(`sha256 ${sha} (compare it on every member's copy)`), 'the hash the members compare')
      assert.match(five.out, /members\.0; identity\.key and config\.json load/)
      assert.match(five.out, /usable/)
      const file = readJson(path) as { protocol: Record<string, unknown>, members: Array<{ peerId: string, addresses: string[] }> }
      file.protocol.maxCorrupt = 0
      writeJson(path, file)
      assert.match((await cli('consortium', 'check', path)).out, /a round needs 4 of the 5 members online .*; 1 member may be offline/)
      file.members[1]!.addresses = []
      file.members[2]!.addresses = ['/ip4/0.0.0.0/tcp/4202']
      file.members[3]!.peerId = peerIdFromString(file.members[3]!.peerId).toCID().toString()
      writeJson(path, file)
      const outsider = await init('outsider')
      const bad = await cli('consortium', 'check', path, '--dir', outsider.dir, '--dir', join(dir, 'missing'))
      assert.equal(bad.code, 2)
      const lines = bad.err.trim().split('\n')
      const expected = [
        /members\.1: no addresses/,
        /members\.2\.addresses\.0: '\/ip4\/0\.0\.0\.0\/tcp\/4202': 0\.0\.0\.0 means/,
        new RegExp(`members\\.3\\.peerId: write it as ${ms[3]!.peerId}`),
        new RegExp(`outsider: its peer ${outsider.peerId} is not listed`),
        /missing.*: no identity at/
      ]
      assert.equal(lines.length, expected.length, bad.err)
      expected.forEach((pattern, i) => assert.match(lines[i]!, pattern))
      file.members[4]!.peerId = file.members[3]!.peerId
      writeJson(path, file)
      const dup = await cli('consortium', 'check', path)
      assert.equal(dup.code, 2)
      assert.match(dup.err, /members\.4\.peerId: peer .* is listed twice/)
    })
  })
})

describe('a consortium file made by secagg consortium runs rounds with three real secagg start processes', function () {
  this.timeout(240_000)
  const swarm = new TestSwarm()
  after(async () => { await swarm.teardown() })

  it('new + three adds: every member writes the same sum of the three vectors for round 0', async () => {
    const path = join(swarm.root, 'consortium.json')
    assert.equal((await cli('consortium', 'new', 'demo', '--out', path)).code, 0)
    for (let i = 0; i < 3; i++) {
      const memberDir = join(swarm.root, `m${i}`)
      const port = await freePort()
      const r = await cli('init', '--dir', memberDir, '--listen', `/ip4/127.0.0.1/tcp/${port}`, '--name', `m${i}`)
      assert.equal(r.code, 0, r.err)
      const vector = [i + 1, -i, 0.5 * i, 10]
      writeFileSync(join(memberDir, 'vector.json'), JSON.stringify({ vector, weight: 1 }))
      swarm.members.push({ dir: memberDir, peerId: r.out.trim(), port, vectors: [vector], stdout: '', stderr: '' })
      assert.equal((await cli('consortium', 'add', path, '--member', memberDir)).code, 0)
    }
    const check = await cli('consortium', 'check', path)
    assert.equal(check.code, 0, check.err)
    swarm.consortiumPath = path
    for (let i = 0; i < 3; i++) swarm.start(i, 1)
    await swarm.waitFor(() => [0, 1, 2].every((i) => swarm.roundFile(i, 0) !== undefined), 180_000, 'round 0 on every member')
    const expected = [0, 1, 2, 3].map((j) => swarm.members.reduce((s, m) => s + m.vectors[0]![j]!, 0))
    for (let i = 0; i < 3; i++) {
      const record = swarm.roundFile(i, 0) as { sum: number[], included: string[] }
      assert.equal(record.included.length, 3)
      record.sum.forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-3, `member ${i}: sum[${j}] = ${x}, expected ${expected[j]}`))
      assert.equal(await swarm.waitExit(i, 60_000), 0)
    }
  })
})
