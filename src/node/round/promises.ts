/**
 * The promises a member makes to the swarm, kept on disk before it acts on them (written to a
 * temporary file, fsync'd, renamed, the directory fsync'd), and reloaded on start:
 *  - it sends at most one masked input per round (the attempt it went to), so no aggregator
 *    can collect two sums over the same input and subtract them (the difference attack);
 *  - it signs at most one consistency check per round;
 *  - it never contributes an unchanged input to a second sum: a salted hash of each input it
 *    masked is kept, so the same input is recognised without being stored.
 * Nothing secret is written: attempt numbers, and hashes under a local random salt.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'

export class PromiseStoreError extends Error {
  static override name = 'PromiseStoreError'
  override name = 'PromiseStoreError'
}

interface RoundPromises { masked?: number, signed?: number }
interface StoredPromises { salt: string, rounds: Record<string, RoundPromises>, inputs: string[] }

const KEEP_ROUNDS = 64
const KEEP_INPUTS = 64

export class PromiseStore {
  private readonly path: string
  private data: StoredPromises

  constructor (dir: string) {
    this.path = join(dir, 'promises.json')
    this.data = existsSync(this.path) ? PromiseStore.read(this.path) : { salt: randomBytes(32).toString('hex'), rounds: {}, inputs: [] }
  }

  private static read (path: string): StoredPromises {
    let json: StoredPromises
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as StoredPromises
    } catch (err) {
      throw new PromiseStoreError(`cannot read ${path}: ${(err as Error).message}. It records which rounds this member already sent its input to; restore it from a backup, or delete it only if no round is running`)
    }
    if (typeof json?.salt !== 'string' || typeof json.rounds !== 'object' || json.rounds === null || !Array.isArray(json.inputs)) {
      throw new PromiseStoreError(`${path} is not a promise record (salt, rounds, inputs); restore it from a backup`)
    }
    return json
  }

  /** The attempt of `round` this member sent its masked input to, if any. */
  maskedIn (round: number): number | undefined { return this.data.rounds[String(round)]?.masked }
  /** The attempt of `round` whose U3 this member signed, if any. */
  signedIn (round: number): number | undefined { return this.data.rounds[String(round)]?.signed }

  /**
   * A salted hash of an input as it is summed: its quantized words (w·x clipped, scaled and
   * rounded, then w), so inputs that differ only below the quantization step or beyond the
   * clip range — the same contribution to the sum — hash alike.
   */
  inputHash (words: Uint32Array): string {
    const h = createHash('sha256').update(Buffer.from(this.data.salt, 'hex'))
    h.update(new Uint8Array(words.buffer, words.byteOffset, words.byteLength))
    return h.digest('hex')
  }

  contributed (inputHash: string): boolean { return this.data.inputs.includes(inputHash) }

  /** Records, durably, that the masked input of `round` goes to `attempt` (before it is sent). */
  recordMasked (round: number, attempt: number, inputHash: string): void {
    const r = this.data.rounds[String(round)] ?? {}
    if (r.masked !== undefined) throw new PromiseStoreError(`round ${round}: the masked input already went to attempt ${r.masked}`)
    this.data.rounds[String(round)] = { ...r, masked: attempt }
    this.data.inputs = [...this.data.inputs.filter((h) => h !== inputHash), inputHash].slice(-KEEP_INPUTS)
    this.save(round)
  }

  /** Records, durably, that this member signs U3 of (`round`, `attempt`) (before it is sent). */
  recordSigned (round: number, attempt: number): void {
    const r = this.data.rounds[String(round)] ?? {}
    if (r.signed !== undefined && r.signed !== attempt) throw new PromiseStoreError(`round ${round}: a consistency check was already signed in attempt ${r.signed}`)
    this.data.rounds[String(round)] = { ...r, signed: attempt }
    this.save(round)
  }

  private save (latest: number): void {
    for (const k of Object.keys(this.data.rounds)) if (Number(k) < latest - KEEP_ROUNDS) delete this.data.rounds[k]
    const tmp = `${this.path}.tmp-${process.pid}`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(this.data) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
    const dirFd = openSync(dirname(this.path), 'r')
    try { fsyncSync(dirFd) } finally { closeSync(dirFd) }
  }
}
