/**
 * `secagg simulate --log-dir DIR`: one node.log per simulated peer, DIR/<peer name>/node.log,
 * in the JSON-lines form of a real node's log (logger.ts), so `secagg logs --dir
 * DIR/peer-0003` reads it like a member directory. Records are stamped with the simulation's
 * start plus the transport's clock (virtual ms on the in-memory swarm). A peer's records are
 * buffered and written in chunks of 64 KiB and once at the end — at 1,000 peers a write per
 * record would cost more than the round.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { PeerLog } from '../../sim/peer-log.ts'
import type { Fields, Level, Logger } from '../logger.ts'

/** A --log-dir that cannot be used; the message names the fix. */
export class LogDirError extends Error {
  static override name = 'LogDirError'
  override name = 'LogDirError'
}

const CHUNK_BYTES = 64 * 1024

/** Refuses an existing non-empty directory (an operator's logs are never overwritten), else creates it. */
export function preparePeerLogDir (dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new LogDirError(`--log-dir ${dir} exists and is not a directory; give a new or empty directory`)
    if (readdirSync(dir).length > 0) throw new LogDirError(`--log-dir ${dir} exists and is not empty; give a new or empty directory (the simulator never overwrites logs)`)
  }
  mkdirSync(dir, { recursive: true })
}

/** Virtual time mapped onto the calendar: the simulation's start plus virtual ms. */
export function virtualFrom (startMs: number): (atMs: number) => Date {
  return (atMs) => new Date(startMs + atMs)
}

export class PeerLogDir {
  private readonly buffers: string[][]
  private readonly pending: number[]
  private readonly files: string[]

  /**
   * `dir` must have passed preparePeerLogDir; `names[i]` is peer i's sub-directory; `stamp`
   * turns a record's ms since the start into its time (default: now + ms, for a virtual clock).
   */
  constructor (dir: string, names: readonly string[], private readonly stamp: (atMs: number) => Date = virtualFrom(Date.now())) {
    this.files = names.map((name) => join(dir, name, 'node.log'))
    this.buffers = names.map(() => [])
    this.pending = names.map(() => 0)
  }

  /** The machines' records, `atMs` after the start. */
  readonly log: PeerLog = (peer, atMs, level, event, fields) => {
    this.append(peer, this.stamp(atMs).toISOString(), level, event, fields)
  }

  /** Peer `peer`'s node logger (its libp2p host's records), on the wall clock. */
  logger (peer: number): Logger {
    const write = (level: Level) => (event: string, fields: Fields = {}): void => this.append(peer, new Date().toISOString(), level, event, fields)
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }
  }

  /**
   * Writes what is still buffered; call once the run is over. After a run that completed every
   * peer gets its file; after a failure only peers that logged something do, so a run refused
   * before it began (bad parameters) leaves DIR empty and usable again.
   */
  close (completed = true): void {
    this.files.forEach((_, peer) => this.flush(peer, completed))
  }

  private append (peer: number, time: string, level: Level, event: string, fields: object): void {
    const line = JSON.stringify({ time, level, event, ...fields }) + '\n'
    this.buffers[peer]!.push(line)
    this.pending[peer]! += line.length
    if (this.pending[peer]! >= CHUNK_BYTES) this.flush(peer)
  }

  private flush (peer: number, evenEmpty = false): void {
    const lines = this.buffers[peer]!
    if (lines.length === 0 && !evenEmpty) return
    mkdirSync(dirname(this.files[peer]!), { recursive: true })
    appendFileSync(this.files[peer]!, lines.join(''))
    lines.length = 0
    this.pending[peer] = 0
  }
}
