/** Progress lines on stderr: which cell of the grid, and time since the study started. */

export type ProgressSink = (line: string) => void

export class Progress {
  private readonly start = performance.now()
  private done = 0

  constructor (private readonly total: number, private readonly sink: ProgressSink) {}

  elapsedMs (): number {
    return performance.now() - this.start
  }

  /** Announces one finished cell with what it measured. */
  cell (label: string, detail: string): void {
    this.done++
    this.sink(`[${this.done}/${this.total}] ${label}: ${detail} (elapsed ${(this.elapsedMs() / 1000).toFixed(1)} s)`)
  }

  note (line: string): void {
    this.sink(`${line} (elapsed ${(this.elapsedMs() / 1000).toFixed(1)} s)`)
  }
}
