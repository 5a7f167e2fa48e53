/**
 * One node per member directory. Two nodes on one directory would both write state.json,
 * promises.json and node.log — and worse, each keeps its own promise book in memory, so the
 * member could send two masked inputs in one round (the difference attack the promise record
 * exists to stop). `secagg start` takes DIR/node.lock before anything else and releases it on
 * exit; a lock left by a crashed node (its pid no longer runs on this host) is taken over.
 */
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

export class DirLockError extends Error {
  static override name = 'DirLockError'
  override name = 'DirLockError'
}

interface LockRecord { readonly pid: number, readonly host: string, readonly started: string }

export interface DirLock {
  readonly path: string
  /** A stale lock that was taken over (pid of the crashed node), if any. */
  readonly recovered: number | undefined
  release (): void
}

const LOCK_FILE = 'node.lock'

function readLock (path: string): LockRecord | undefined {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>
    if (typeof json.pid === 'number' && typeof json.host === 'string' && typeof json.started === 'string') return json as LockRecord
  } catch {}
  return undefined
}

/** Whether a process with this pid runs here (EPERM: it does, as another user). */
function running (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the member directory's lock, or throws DirLockError naming the node that holds it.
 * The lock file is written complete under a temporary name and hard-linked into place, which
 * fails if it exists: two nodes starting at once never both get it, and nobody ever reads a
 * half-written lock.
 */
export function lockMemberDir (dir: string, now: Date = new Date()): DirLock {
  const path = join(dir, LOCK_FILE)
  const mine: LockRecord = { pid: process.pid, host: hostname(), started: now.toISOString() }
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(mine) + '\n', { mode: 0o600 })
  let recovered: number | undefined
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 2) throw err
      }
      const held = readLock(path)
      if (held !== undefined && held.host !== mine.host) {
        throw new DirLockError(`${dir} is locked by a node on host ${held.host} (pid ${held.pid}, since ${held.started}); a member directory serves one node. Stop that node, or delete ${path} if it is certainly not running`)
      }
      if (held !== undefined && running(held.pid)) {
        throw new DirLockError(`${dir} is in use by another node (pid ${held.pid}, since ${held.started}); a member directory serves one node. Stop it first (kill ${held.pid}), or give this node its own directory with 'secagg init'`)
      }
      // Stale: its node crashed. Remove it only if it is still the same stale file.
      const again = readLock(path)
      if (again?.pid !== held?.pid || again?.started !== held?.started) continue
      recovered = held?.pid ?? -1
      unlinkSync(path)
    }
  } finally {
    unlinkSync(tmp)
  }
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    if (readLock(path)?.pid === process.pid && existsSync(path)) unlinkSync(path)
    process.off('exit', release)
  }
  // A node that exits any other way (an uncaught error) still leaves no lock behind.
  process.on('exit', release)
  return { path, recovered, release }
}
