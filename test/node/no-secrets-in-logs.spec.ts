/**
 * No seed, share, secret key or individual input ever reaches a log or a member's files
 * (docs/CRYPTO.md, "What is never logged"). Each run below captures its own secrets as they
 * happen (test/helpers/session-secrets.ts: recorded draws, the real share boxes opened with
 * the captured keys) and scans every file it wrote for them in every encoding
 * (test/helpers/secret-scan.ts). A self-check first plants one secret of each kind and
 * encoding in a copy of a log, so the scan cannot pass for want of power.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createEd25519Signer } from '../../src/crypto/index.ts'
import { encodeInput, openSession } from '../../src/protocol/index.ts'
import { runSimulateCommand } from '../../src/node/cli/simulate.ts'
import { NodeSwarm } from '../../src/node/sim/node-swarm.ts'
import { loadIdentity } from '../../src/node/config/identity.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'
import { Frame, FrameType } from '../../src/round/wire/round.generated.ts'
import { decodeMessage } from '../../src/protocol/index.ts'
import { peerName, prepareScenario } from '../../src/sim/scenario.ts'
import { BYTE_ENCODINGS, encodeAs, SecretScanner } from '../helpers/secret-scan.ts'
import type { Finding } from '../helpers/secret-scan.ts'
import { SessionSecretRecorder } from '../helpers/session-secrets.ts'
import type { CapturedSecret } from '../helpers/session-secrets.ts'

/** Every file under `dir` (recursively), except those `skip` names (relative paths). */
function filesUnder (dir: string, skip: (path: string) => boolean = () => false): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p)).filter((p) => statSync(p).isFile() && !skip(relative(dir, p)))
}

function scanFiles (scanner: SecretScanner, files: readonly string[]): Array<Finding & { file: string }> {
  return files.flatMap((file) => scanner.scan(readFileSync(file, 'utf8')).map((f) => ({ ...f, file })))
}

/** Inputs whose coordinates print as long, distinctive decimals (nothing else in a log looks like them). */
function distinctiveInputs (peers: number, dim: number, salt: number): number[][] {
  return Array.from({ length: peers }, (_, i) => Array.from({ length: dim }, (_, j) => {
    const x = (((i + 1) * 7_919 + (j + 1) * 104_729 + salt * 15_485_863) % 1_000_003) / 1_000_003
    return Number((2 * x - 1).toFixed(9))
  }))
}

function addSecrets (scanner: SecretScanner, secrets: readonly CapturedSecret[]): void {
  for (const s of secrets) scanner.addBytes(s.label, s.bytes)
}

const SHOWN = 5
function assertNoFindings (findings: ReadonlyArray<Finding & { file: string }>, scanned: number): void {
  assert.ok(scanned > 0, 'no files were scanned')
  assert.deepEqual(findings.slice(0, SHOWN).map((f) => `${f.label} as ${f.encoding} in ${f.file}: ${f.match.slice(0, 80)}`), [], `${findings.length} secrets found in ${scanned} files`)
}

describe('no secrets in logs', function () {
  this.timeout(180_000)
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-leak-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  const options = { peers: 8, dim: 12, seed: 'leak', dropout: 'masked=1,unmask=1' }

  /**
   * Runs `secagg simulate --log-dir` with the run's secrets captured as it goes; returns the
   * scanner loaded with them, the log directory and what the capture holds.
   */
  async function simulate (transport: 'memory' | 'libp2p'): Promise<{ scanner: SecretScanner, logDir: string, secrets: CapturedSecret[], report: Record<string, unknown> }> {
    const vectors = distinctiveInputs(options.peers, options.dim, 1)
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ vectors }))
    const logDir = join(dir, 'logs')
    const recorder = new SessionSecretRecorder({ maxPeers: options.peers, vectorWords: options.dim + 1 })
    const out: string[] = []
    const code = await runSimulateCommand([
      '--peers', String(options.peers), '--dim', String(options.dim), '--complete', '--seed', options.seed, '--dropout', options.dropout,
      '--inputs', join(dir, 'inputs.json'), '--transport', transport, '--stage-timeout', transport === 'libp2p' ? '5000' : '10000', // libp2p: wall-clock deadlines, generous for a loaded machine
      '--out', join(dir, 'report.json'), '--log-dir', logDir
    ], { stdout: (t) => out.push(t), stderr: (t) => out.push(t) }, {
      random: (peer, rng) => recorder.random(peerName(peer), rng),
      sent: (from, to, data) => recorder.message(peerName(from), to, data)
    })
    assert.equal(code, 0, out.join('\n'))
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>
    assert.equal(report.aborted, false, `the round must complete so shares are revealed: ${String(report.reason)}`)
    // The scenario the CLI ran (identities and the fixed-point plan are functions of the flags).
    const scenario = prepareScenario({ peers: options.peers, dim: options.dim, seed: options.seed, neighbours: 'complete', inputs: { vectors } })
    const session = openSession(scenario.config)
    const secrets = recorder.secrets((id) => session.memberIndex.get(id)!, scenario.threshold)
    const scanner = new SecretScanner()
    addSecrets(scanner, secrets)
    scenario.identitySeeds.forEach((seed, i) => {
      assert.deepEqual(createEd25519Signer(seed).publicKey, scenario.signers[i]!.publicKey)
      scanner.addBytes(`${peerName(i)}'s identity seed`, seed)
    })
    vectors.forEach((v, i) => {
      v.forEach((x, j) => scanner.addNumber(`${peerName(i)}'s input[${j}]`, x))
      const { words } = encodeInput(scenario.config.quantization, v, 1)
      scanner.addBytes(`${peerName(i)}'s quantized input`, new Uint8Array(words.buffer, words.byteOffset, words.byteLength))
    })
    return { scanner, logDir, secrets, report }
  }

  it('the scanner finds a planted secret in every encoding, and an input as its decimal string', async () => {
    const { scanner, logDir, secrets } = await simulate('memory')
    const log = filesUnder(logDir).find((f) => f.endsWith('node.log'))!
    const clean = readFileSync(log, 'utf8')
    assert.deepEqual(scanner.scan(clean), [])
    const kinds = ['secret key', 'box key', 'masking-key share', 'self-mask share', 'revealed', 'self-mask secret b', 'PRG seed', 'pairwise mask seed']
    for (const kind of kinds) {
      const secret = secrets.find((s) => s.label.includes(kind))
      assert.ok(secret !== undefined, `the capture holds no ${kind}`)
      // A revealed share is also a dealt share: one value, found under either name.
      const sameBytes = new Set(secrets.filter((s) => Buffer.compare(s.bytes, secret.bytes) === 0).map((s) => s.label))
      for (const encoding of BYTE_ENCODINGS) {
        // 12 bytes from an odd offset: a partial leak, not aligned to the secret's start.
        const planted = clean + JSON.stringify({ time: 'x', level: 'debug', event: 'oops', detail: `key=${encodeAs(encoding, secret.bytes.subarray(5, 17))}` }) + '\n'
        const copy = join(dir, 'planted.log')
        writeFileSync(copy, planted)
        const found = scanner.scan(readFileSync(copy, 'utf8'))
        assert.ok(found.some((f) => sameBytes.has(f.label) && (f.encoding === encoding || (encoding.startsWith('base64') && f.encoding.startsWith('base64')))),
          `${secret.label} planted as ${encoding} was not found: ${JSON.stringify(found)}`)
      }
    }
    const input = readFileSync(join(dir, 'inputs.json'), 'utf8').match(/-?0\.\d{8,9}/)![0]
    assert.ok(scanner.scan(clean + `{"time":"x","level":"info","event":"oops","value":${input}}\n`).some((f) => f.encoding === 'decimal-number' && f.match === input))
    // Part of a number, as a parser's error message quotes the text around a bad token.
    const cut = `..."${input.slice(-8)},, 0.1" is not valid JSON`
    assert.ok(scanner.scan(clean + JSON.stringify({ time: 'x', level: 'error', event: 'oops', error: cut }) + '\n').some((f) => f.encoding === 'decimal-digits'), cut)
  })

  for (const transport of ['memory', 'libp2p'] as const) {
    it(`secagg simulate --log-dir (${transport}), with peers dropping before masking and before unmasking: no secret in any peer's log`, async () => {
      const { scanner, logDir, secrets, report } = await simulate(transport)
      assert.ok(secrets.some((s) => s.label.includes('revealed')), 'shares were revealed')
      assert.ok(secrets.filter((s) => s.label.includes('secret key')).length >= 2 * options.peers, 'every peer\'s two X25519 secret keys were captured')
      const files = filesUnder(logDir)
      assert.equal(files.length, options.peers)
      const text = files.map((f) => readFileSync(f, 'utf8')).join('')
      for (const event of ['round-start', 'stage', 'simulated-dropout', 'aggregated', 'round-result']) assert.match(text, new RegExp(`"event":"${event}"`), `the logs hold ${event} records`)
      assert.match(text, /"stage":"unmask"/)
      assert.ok((report.droppedAt as Record<string, unknown>).unmask !== undefined)
      assertNoFindings(scanFiles(scanner, [...files, join(dir, 'report.json')]), files.length + 1)
    })
  }

  it('real nodes (NodeSwarm writing node.log and the member files): no secret in any file of a member directory', async () => {
    const members = 7 // t = 4 with c = 0: six members still complete a round
    const dim = 6
    const rounds = 2
    const inputs = Array.from({ length: rounds }, (_, r) => distinctiveInputs(members, dim, 2 + r))
    const recorder = new SessionSecretRecorder({ maxPeers: members, vectorWords: dim + 1 })
    const swarm = await NodeSwarm.create({
      members, seed: 'leak', dim, rounds, stageMs: 1000, memberFiles: true, protocol: { maxCorrupt: 0 },
      input: (m, r) => inputs[r]![m]!,
      random: (m, rng) => recorder.random(ids[m]!, rng)
    })
    const ids = swarm.ids
    // A member whose round-1 input file is broken (a stray comma): it sits that round out, and
    // says why in its log — without quoting the file.
    const broken = 2
    const v = inputs[1]![broken]!
    writeFileSync(join(swarm.dirs[broken]!, 'inputs', '1.json'), `{"vector": [${v.slice(0, 3).join(', ')},, ${v.slice(3).join(', ')}], "weight": 1}`)
    try {
      // One member's masked input of round 0 never arrives: it dropped after sharing, so its
      // masking key is rebuilt from shares (and the others' self-mask shares are revealed).
      let dropped: string | undefined
      swarm.net.tap = (from, to, data) => {
        const frame = Frame.decode(data)
        if (frame.type !== FrameType.SESSION) return data
        recorder.message(from, to, frame.payload)
        const m = decodeMessage(frame.payload, { maxPeers: members, vectorWords: dim + 1 })
        if (frame.round === 0n && m.ok && m.message.kind === 'masked-input' && (dropped ?? from) === from) { dropped = from; return undefined }
        return data
      }
      for (let i = 0; i < members; i++) await swarm.start(i)
      await swarm.runUntil(() => swarm.nodes.every((n, i) => n === undefined || swarm.roundFile(i, rounds - 1) !== undefined), 600_000, 'every round recorded')
      const round0 = swarm.roundFile(ids.findIndex((id) => id !== dropped), 0)!
      assert.ok(Array.isArray(round0.included) && round0.included.length === members - 1, `round 0 summed without the dropped member: ${JSON.stringify(round0)}`)
      const scanner = new SecretScanner()
      const secrets = recorder.secrets((id) => [...ids].sort().indexOf(id) + 1, swarm.nodes[0]!.sessionConfig(0, 0, ids[0]!).threshold)
      assert.ok(secrets.some((s) => s.label.includes('revealed')), 'shares were revealed')
      addSecrets(scanner, secrets)
      for (let i = 0; i < members; i++) {
        scanner.addBytes(`${ids[i]}'s identity key`, swarm.identity(i).privateKey.raw.subarray(0, 32))
        for (let r = 0; r < rounds; r++) {
          inputs[r]![i]!.forEach((x, j) => scanner.addNumber(`${ids[i]}'s round-${r} input[${j}]`, x))
          const { words } = encodeInput(swarm.nodes[i]!.sessionConfig(r, 0, ids[0]!).quantization, inputs[r]![i]!, 1)
          scanner.addBytes(`${ids[i]}'s round-${r} quantized input`, new Uint8Array(words.buffer, words.byteOffset, words.byteLength))
        }
      }
      // The input files are the member's own input, read by the task: everything else is scanned.
      const files = swarm.dirs.flatMap((d) => filesUnder(d, (p) => p.startsWith('inputs')))
      for (const d of swarm.dirs) for (const name of ['node.log', 'state.json', 'promises.json', join('rounds', '0.json')]) assert.ok(files.includes(join(d, name)), `${d} holds ${name}`)
      assert.match(readFileSync(join(swarm.dirs[0]!, 'node.log'), 'utf8'), /"event":"round-result"/)
      assert.match(readFileSync(join(swarm.dirs[broken]!, 'node.log'), 'utf8'), /"event":"input-unavailable"/)
      assertNoFindings(scanFiles(scanner, files), files.length)
    } finally {
      await swarm.teardown()
    }
  })

  it('real secagg start processes at --log-level debug: no identity key or input in node.log, stderr or any member file', async () => {
    const members = 4
    const dim = 6
    const rounds = 2
    const swarm = new TestSwarm()
    try {
      await swarm.init(members, dim, 1500)
      const inputs = Array.from({ length: rounds }, (_, r) => distinctiveInputs(members, dim, 7 + r))
      const broken = members - 1 // its round-1 input file has a stray comma: it sits that round out
      swarm.members.forEach((m, i) => inputs.forEach((round, r) => {
        const v = round[i]!
        writeFileSync(join(m.dir, 'inputs', `${r}.json`), i === broken && r === 1 ? `{"vector": [${v.slice(0, 3).join(', ')},, ${v.slice(3).join(', ')}]}` : JSON.stringify({ vector: v, weight: 1 }))
      }))
      const stderr = swarm.members.map(() => [] as string[])
      for (let i = 0; i < members; i++) swarm.start(i, rounds, ['--log-level', 'debug']).stderr!.on('data', (chunk: Buffer) => stderr[i]!.push(chunk.toString('utf8')))
      for (let i = 0; i < members; i++) assert.equal(await swarm.waitExit(i, 150_000), 0, swarm.log(i))
      const scanner = new SecretScanner()
      swarm.members.forEach((m, i) => {
        const identity = loadIdentity(m.dir)
        scanner.addBytes(`${m.peerId}'s identity key (identity.key)`, identity.privateKey.raw.subarray(0, 32))
        inputs.forEach((round, r) => round[i]!.forEach((x, j) => scanner.addNumber(`${m.peerId}'s round-${r} input[${j}]`, x)))
      })
      assert.match(swarm.log(broken), /"event":"input-unavailable"/)
      assert.match(stderr.join(''), / debug /, 'stderr carries debug records')
      const files = swarm.members.flatMap((m) => filesUnder(m.dir, (p) => p.startsWith('inputs') || p === 'identity.key'))
      for (const m of swarm.members) for (const name of ['node.log', 'state.json', 'promises.json', join('rounds', '0.json')]) assert.ok(files.includes(join(m.dir, name)), `${m.dir} holds ${name}`)
      const findings = [
        ...scanFiles(scanner, files),
        ...stderr.flatMap((chunks, i) => scanner.scan(chunks.join('')).map((f) => ({ ...f, file: `stderr of member ${i}` })))
      ]
      assertNoFindings(findings, files.length + members)
    } finally {
      await swarm.teardown()
    }
  })
})
