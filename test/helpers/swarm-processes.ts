/**
 * Starts real `secagg start` processes on 127.0.0.1 for tests, and always stops them
 * (kill on teardown, even after a failed test).
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = new URL('../../bin/secagg.js', import.meta.url).pathname

/** vectors[r]: the member's input of round r (one file per round: an input counts once). */
export interface Member { dir: string, peerId: string, port: number, vectors: number[][], stdout: string, stderr: string }

/** Rounds with an input file written per member. */
export const INPUT_ROUNDS = 12

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export class TestSwarm {
  readonly root = mkdtempSync(join(tmpdir(), 'secagg-swarm-'))
  readonly members: Member[] = []
  readonly processes = new Map<number, ChildProcess>()
  consortiumPath = ''

  async init (n: number, dim: number, stageMs: number, extra: {
    members?: Array<{ peerId: string, addresses: string[] }>, maxMessageBytes?: number, roundIntervalMs?: number,
    /** A task other than vector-sum, and each member's config.json additions for it. */
    task?: Record<string, unknown>, memberConfig?: (i: number) => Record<string, unknown>, protocol?: Record<string, unknown>, stages?: Record<string, number>,
    /** The consortium file's `privacy` section (docs/PRIVACY.md). */
    privacy?: Record<string, unknown>
  } = {}): Promise<void> {
    for (let i = 0; i < n; i++) {
      const dir = join(this.root, `m${i}`)
      const r = spawnSync(process.execPath, [BIN, 'init', '--dir', dir], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`init failed: ${r.stderr}`)
      const vectors = Array.from({ length: INPUT_ROUNDS }, (_, round) => Array.from({ length: dim }, (_, j) => (i + 1) * (j % 2 === 0 ? 1 : -1) + j / 4 + round / 8))
      mkdirSync(join(dir, 'inputs'), { recursive: true })
      vectors.forEach((vector, round) => writeFileSync(join(dir, 'inputs', `${round}.json`), JSON.stringify({ vector, weight: 1 })))
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ listen: [], bootstrap: [], vectorFile: 'inputs/{round}.json', ...extra.memberConfig?.(i) }))
      this.members.push({ dir, peerId: r.stdout.trim(), port: await freePort(), vectors, stdout: '', stderr: '' })
    }
    this.consortiumPath = join(this.root, 'consortium.json')
    writeFileSync(this.consortiumPath, JSON.stringify({
      consortium: 'test-consortium',
      members: [...this.members.map((m) => ({ peerId: m.peerId, addresses: [`/ip4/127.0.0.1/tcp/${m.port}`] })), ...(extra.members ?? [])],
      // c = 0: these tests are about failover, and with 2t > n + c five members then survive
      // one dropout (t = 3); the default c = ⌊(n − 1)/3⌋ would need every member online.
      protocol: { clip: 100, maxWeight: 10, maxCorrupt: 0, ...(extra.maxMessageBytes !== undefined ? { maxMessageBytes: extra.maxMessageBytes } : {}), ...extra.protocol },
      timeouts: { stageMs, ...(extra.roundIntervalMs !== undefined ? { roundIntervalMs: extra.roundIntervalMs } : {}), ...(extra.stages !== undefined ? { stages: extra.stages } : {}) },
      task: extra.task ?? { type: 'vector-sum', dim },
      ...(extra.privacy !== undefined ? { privacy: extra.privacy } : {})
    }))
  }

  /** Starts member i to run until round `rounds` (absolute: a restarted member keeps the swarm's schedule). */
  start (i: number, rounds: number, extra: readonly string[] = []): ChildProcess {
    const m = this.members[i]!
    const child = spawn(process.execPath, [BIN, 'start', '--dir', m.dir, '--consortium', this.consortiumPath, '--listen', `/ip4/127.0.0.1/tcp/${m.port}`, '--until-round', String(rounds), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.setEncoding('utf8').on('data', (t: string) => { m.stdout += t })
    child.stderr!.setEncoding('utf8').on('data', (t: string) => { m.stderr += t })
    this.processes.set(i, child)
    return child
  }

  async waitExit (i: number, timeoutMs: number): Promise<number | null> {
    const child = this.processes.get(i)!
    if (child.exitCode !== null) return child.exitCode
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${i} did not exit within ${timeoutMs} ms`)), timeoutMs)
      child.once('exit', (code) => { clearTimeout(timer); resolve(code) })
    })
  }

  kill9 (i: number): void { this.processes.get(i)?.kill('SIGKILL') }

  roundFile (i: number, round: number): Record<string, unknown> | undefined {
    const path = join(this.members[i]!.dir, 'rounds', `${round}.json`)
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> : undefined
  }

  async waitFor (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  log (i: number): string {
    const path = join(this.members[i]!.dir, 'node.log')
    return existsSync(path) ? readFileSync(path, 'utf8') : ''
  }

  async teardown (): Promise<void> {
    for (const child of this.processes.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    rmSync(this.root, { recursive: true, force: true })
  }
}
