/**
 * A virtual clock for the multi-round simulator: timers fire in (time, order) sequence when
 * the driver steps it, so waiting out a deadline costs no wall time and a run is reproducible.
 */
import type { Clock, TimerHandle } from '../clock.ts'

interface Entry { at: number, seq: number, fn: () => void }

export class VirtualClock implements Clock {
  private time = 0
  private seq = 0
  private readonly pending = new Map<number, Entry>()

  now (): number { return this.time }

  setTimeout (fn: () => void, ms: number): TimerHandle {
    const id = this.seq++
    this.pending.set(id, { at: this.time + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: id, fn })
    return { id }
  }

  clearTimeout (handle: TimerHandle | undefined): void {
    if (handle !== undefined && typeof handle === 'object' && 'id' in handle) this.pending.delete(handle.id)
  }

  /** Fires the earliest timer, moving time forward to it; false when none is pending. */
  step (): boolean {
    let next: Entry | undefined
    for (const e of this.pending.values()) if (next === undefined || e.at < next.at || (e.at === next.at && e.seq < next.seq)) next = e
    if (next === undefined) return false
    this.pending.delete(next.seq)
    this.time = next.at
    next.fn()
    return true
  }

  get size (): number { return this.pending.size }
}
