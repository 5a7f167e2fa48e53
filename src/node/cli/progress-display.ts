/**
 * What a long `secagg simulate` shows on stderr while it runs, rendered from the simulators'
 * ProgressSink calls (src/sim/progress.ts). On a terminal: one live line, redrawn in place at
 * most every `intervalMs` (the simulators call at every step; drawing is what costs). Piped,
 * or under CI: one plain line per finished stage, or per round when training, never a carriage
 * return, so logs stay readable. stdout and the report are not touched.
 */
import type { ProgressSink } from '../../sim/progress.ts'
import type { CliIo } from './main.ts'

/** stderr when it is a terminal: raw writes (no newline added) and its width. */
export interface Terminal {
  write(text: string): void
  readonly columns?: number
}

export interface ProgressDisplay extends ProgressSink {
  /** Clears the live line so a line written elsewhere starts clean (the next step redraws it). */
  above(): void
  /** The run is over: the live line is cleared, the last stage's line printed. Idempotent. */
  end(): void
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const roundLabel = (index: number, of: number): string => `round ${index + 1}/${of}`

interface Current { name: string, total: number, unit: string, done: number, startedAt: number }

/** The live line: `round 2/5 · masked 812/950 peers · member 3 epoch 1 loss 0.2345 · 12.3 s`. */
export class LiveProgressLine implements ProgressDisplay {
  private stageNow: Current | undefined
  private roundNow = ''
  private noteNow = ''
  private lastDraw = Number.NEGATIVE_INFINITY
  private shown = false
  private readonly startedAt: number

  private readonly ticker: ReturnType<typeof setInterval> | undefined

  /**
   * `refreshMs`: also redraw on a timer, so the elapsed time moves while nothing else does
   * (libp2p deadlines waited out on the wall clock, a long local epoch). The timer does not
   * keep the process alive, and never fires inside the synchronous memory simulator.
   */
  constructor (private readonly terminal: Terminal, private readonly now: () => number = () => performance.now(), private readonly intervalMs = 100, refreshMs?: number) {
    this.startedAt = now()
    if (refreshMs !== undefined) {
      this.ticker = setInterval(() => { if (this.shown) this.maybeDraw() }, refreshMs)
      this.ticker.unref()
    }
  }

  stage (name: string, total: number, unit = 'peers'): void {
    this.stageNow = { name, total, unit, done: 0, startedAt: this.now() }
    this.noteNow = ''
    this.maybeDraw()
  }

  advance (done: number): void {
    if (this.stageNow !== undefined) this.stageNow.done = done
    this.maybeDraw()
  }

  note (text: string): void {
    this.noteNow = text
    this.maybeDraw()
  }

  round (index: number, of: number): void {
    this.roundNow = roundLabel(index, of)
    this.stageNow = undefined // the last round's stage is over
    this.noteNow = ''
    this.maybeDraw()
  }

  above (): void {
    if (this.shown) this.terminal.write('\r\x1b[K')
    this.shown = false
    this.lastDraw = Number.NEGATIVE_INFINITY
  }

  end (): void {
    clearInterval(this.ticker)
    this.above()
  }

  private maybeDraw (): void {
    const t = this.now()
    if (t - this.lastDraw < this.intervalMs) return
    this.lastDraw = t
    const s = this.stageNow
    const parts = [
      this.roundNow,
      s === undefined ? '' : s.total > 0 ? `${s.name} ${s.done}/${s.total} ${s.unit}` : s.name,
      this.noteNow,
      seconds(t - this.startedAt)
    ].filter((p) => p !== '')
    // The last column would wrap on some terminals; a terminal that reports no width (0) gets 80.
    const columns = this.terminal.columns !== undefined && this.terminal.columns > 0 ? this.terminal.columns : 80
    const width = Math.max(20, columns - 1)
    this.terminal.write(`\r${parts.join(' · ').slice(0, width)}\x1b[K`)
    this.shown = true
  }
}

/** Piped output: `masked: 950/950 peers in 3.2 s (elapsed 12.3 s)` per stage, or one line per training round. */
export class ProgressLines implements ProgressDisplay {
  private stageNow: Current | undefined
  private roundNow: { label: string, startedAt: number } | undefined
  private readonly startedAt: number

  constructor (private readonly line: (text: string) => void, private readonly now: () => number = () => performance.now()) {
    this.startedAt = now()
  }

  stage (name: string, total: number, unit = 'peers'): void {
    this.closeStage()
    this.stageNow = { name, total, unit, done: 0, startedAt: this.now() }
  }

  advance (done: number): void {
    if (this.stageNow !== undefined) this.stageNow.done = done
  }

  note (): void {}

  round (index: number, of: number): void {
    this.closeStage()
    this.closeRound()
    this.roundNow = { label: roundLabel(index, of), startedAt: this.now() }
  }

  above (): void {}

  end (): void {
    this.closeStage()
    this.closeRound()
  }

  /** Inside a training round the stages are many and short: the round's line says it all. */
  private closeStage (): void {
    const s = this.stageNow
    this.stageNow = undefined
    if (s === undefined || this.roundNow !== undefined) return
    const t = this.now()
    this.line(`${s.name}${s.total > 0 ? `: ${s.done}/${s.total} ${s.unit}` : ''} in ${seconds(t - s.startedAt)} (elapsed ${seconds(t - this.startedAt)})`)
  }

  private closeRound (): void {
    const r = this.roundNow
    this.roundNow = undefined
    if (r === undefined) return
    const t = this.now()
    this.line(`${r.label} done in ${seconds(t - r.startedAt)} (elapsed ${seconds(t - this.startedAt)})`)
  }
}

const silent: ProgressDisplay = { stage: () => {}, advance: () => {}, note: () => {}, round: () => {}, above: () => {}, end: () => {} }

/** CI services set CI (usually to true); their logs show carriage returns as garbage. */
function underCi (env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

export function progressDisplay (io: CliIo, options: { quiet: boolean, env: Readonly<Record<string, string | undefined>> }): ProgressDisplay {
  if (options.quiet) return silent
  if (io.terminal !== undefined && !underCi(options.env)) return new LiveProgressLine(io.terminal, () => performance.now(), 100, 1000)
  return new ProgressLines(io.stderr)
}

/** `io` whose writes first clear the live line, so lines printed mid-run do not land on it. */
export function besideProgress (io: CliIo, display: ProgressDisplay): CliIo {
  return {
    ...io,
    stdout: (text) => { display.above(); io.stdout(text) },
    stderr: (text) => { display.above(); io.stderr(text) }
  }
}
