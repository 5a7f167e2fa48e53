/**
 * A member store held in memory, for the multi-round simulator: it outlives the member's node
 * (a killed and restarted member finds what it had written, as from its directory), costs no
 * fsync, and can be told to fail the next promise write (a full disk) to test that nothing
 * depending on an unwritten promise is sent.
 */
import type { PromiseRecord } from '../../round/promise-book.ts'
import type { MemberStore } from './member-store.ts'

export class MemoryStore implements MemberStore {
  private progress = 0
  readonly rounds = new Map<number, Record<string, unknown>>()
  private promises: PromiseRecord | undefined
  /** Promise writes to fail from now on (each failure counts one down). */
  failPromiseWrites = 0

  nextRound (): number { return this.progress }
  saveProgress (nextRound: number): void { this.progress = nextRound }
  // A copy through JSON, like a record written to and read back from disk.
  saveRound (round: number, record: object): void { this.rounds.set(round, JSON.parse(JSON.stringify(record)) as Record<string, unknown>) }
  loadPromises (): PromiseRecord | undefined { return this.promises }
  savePromises (record: PromiseRecord): void {
    if (this.failPromiseWrites > 0) { this.failPromiseWrites--; throw new Error('ENOSPC: no space left on device (simulated)') }
    this.promises = JSON.parse(JSON.stringify(record)) as PromiseRecord
  }
}
