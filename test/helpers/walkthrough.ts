/**
 * Runs the shell blocks of a walkthrough in docs/ as written, so the docs cannot drift from
 * the CLI. A walkthrough marks its blocks `<!-- walkthrough:NAME:STEP -->` on the line before
 * a ```sh fence; the test runs them step by step in a scratch directory, with `npx secagg`
 * bound to this checkout's CLI, the ports 4000–4002 moved to free ones, and every command
 * started with `&` (a node in its own terminal) tracked and killed at teardown.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './swarm-processes.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const BIN = join(ROOT, 'bin/secagg.js')

/** The ```sh blocks of `doc` marked for walkthrough `name`, by step. */
export function walkthroughSteps (doc: string, name: string): Map<string, string> {
  const text = readFileSync(join(ROOT, doc), 'utf8')
  const steps = new Map<string, string>()
  const marker = new RegExp(`<!-- walkthrough:${name}:([\\w-]+) -->\\s*\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``, 'g')
  for (const m of text.matchAll(marker)) steps.set(m[1]!, m[2]!)
  return steps
}

export interface StepResult { readonly code: number, readonly out: string, readonly err: string }

export class Walkthrough {
  readonly dir = mkdtempSync(join(tmpdir(), 'secagg-walkthrough-'))
  private readonly pidFile = join(this.dir, '.background-pids')
  private ports: Map<number, number> | undefined
  private steps = 0

  /** Ports the doc uses → free ports here. */
  async portMap (docPorts: readonly number[]): Promise<Map<number, number>> {
    this.ports ??= new Map(await Promise.all(docPorts.map(async (p) => [p, await freePort()] as const)))
    return this.ports
  }

  /**
   * Runs one block with bash -e. Lines ending in `&` start a background process whose pid is
   * recorded; everything else must finish (a non-zero exit fails the step).
   */
  run (block: string, env: Record<string, string> = {}): StepResult {
    let script = block
    for (const [from, to] of this.ports ?? []) script = script.replaceAll(String(from), String(to))
    // `npx secagg` → this checkout's CLI on this Node, spelled out so that `$!` of a line
    // ending in `&` is the node's own pid (a shell function there would be a subshell's).
    script = script.replaceAll('npx secagg', `"${process.execPath}" "${BIN}"`)
    // A background command gets its own output file: it must not hold this step's pipes open.
    script = script.split('\n').map((line, k) => /[^&]&\s*$/.test(line)
      ? `${line.replace(/&\s*$/, '')} > "${this.dir}/.background-${this.steps}-${k}.log" 2>&1 & echo $! >> "${this.pidFile}"`
      : line).join('\n')
    this.steps++
    writeFileSync(join(this.dir, '.step.sh'), 'set -e\n' + script)
    const r = spawnSync('bash', [join(this.dir, '.step.sh')], { cwd: this.dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 })
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr }
  }

  pids (): number[] {
    try {
      return readFileSync(this.pidFile, 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number)
    } catch {
      return []
    }
  }

  async waitFor (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  teardown (): void {
    for (const pid of this.pids()) {
      try { process.kill(pid, 'SIGKILL') } catch {}
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
