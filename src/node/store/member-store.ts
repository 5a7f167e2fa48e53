/**
 * What a member keeps between runs, in its directory: progress (state.json), one record per
 * round (rounds/<r>.json) and its promises (promises.json). The promise record is written to a
 * temporary file, fsync'd, renamed and the directory fsync'd before the coordinator's next
 * action runs, so a promise is on disk before anything that depends on it is sent. Nothing
 * secret is stored (src/round/promise-book.ts).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { checkPromiseRecord } from '../../round/promise-book.ts'
import type { PromiseRecord } from '../../round/promise-book.ts'
import { loadState, saveRoundRecord, saveState } from '../config/node-dir.ts'

export class PromiseStoreError extends Error {
  static override name = 'PromiseStoreError'
  override name = 'PromiseStoreError'
}

/** The store a node's coordinator writes through (injected: the simulator may pass its own). */
export interface MemberStore {
  nextRound (): number
  saveProgress (nextRound: number): void
  saveRound (round: number, record: object): void
  /** The promise record as last written, or undefined for a new member. Throws PromiseStoreError if unreadable. */
  loadPromises (): PromiseRecord | undefined
  /** Writes durably; throws when it cannot (the coordinator then sends nothing that depended on it). */
  savePromises (record: PromiseRecord): void
}

export class DirectoryStore implements MemberStore {
  private readonly promisesPath: string

  constructor (private readonly dir: string) {
    this.promisesPath = join(dir, 'promises.json')
  }

  nextRound (): number { return loadState(this.dir).nextRound }
  saveProgress (nextRound: number): void { saveState(this.dir, { nextRound }) }
  saveRound (round: number, record: object): void { saveRoundRecord(this.dir, round, record) }

  loadPromises (): PromiseRecord | undefined {
    if (!existsSync(this.promisesPath)) return undefined
    let json: unknown
    try {
      json = JSON.parse(readFileSync(this.promisesPath, 'utf8'))
    } catch (err) {
      throw new PromiseStoreError(`cannot read ${this.promisesPath}: ${(err as Error).message}. It records which rounds this member already sent its input to; restore it from a backup, or delete it only if no round is running`)
    }
    try {
      return checkPromiseRecord(json, this.promisesPath)
    } catch (err) {
      throw new PromiseStoreError((err as Error).message)
    }
  }

  savePromises (record: PromiseRecord): void {
    const tmp = `${this.promisesPath}.tmp-${process.pid}`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(record) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.promisesPath)
    const dirFd = openSync(dirname(this.promisesPath), 'r')
    try { fsyncSync(dirFd) } finally { closeSync(dirFd) }
  }
}
