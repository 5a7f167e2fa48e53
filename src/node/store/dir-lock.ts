/**
 * One node per member directory. Two nodes on one directory would both write state.json,
 * promises.json and node.log — and worse, each keeps its own promise book in memory, so the
 * member could send two masked inputs in one round (the difference attack the promise record
 * exists to stop). `secagg start` takes the lock before anything else and releases it on exit.
 *
 * The exclusion itself is a kernel object, not a file: on Linux the node binds a unix socket
 * in the abstract namespace named after the directory's real path. Binding is atomic, and the
 * kernel releases the name the moment the process dies, however it dies — so there is no
 * stale lock to take over and no takeover race (a file lock's "is its pid still running, then
 * remove it" is two steps, and two nodes started at once after a crash both got the
 * directory that way in an attacker review). DIR/node.lock still records who holds the
 * directory (pid, host, start time) for the operator's messages, and refuses a directory
 * another host recorded (a shared volume, where the abstract name does not reach). Elsewhere
 * than Linux only the file is used: created complete by a hard link, taken over when its pid
 * is gone.
 */
import { createHash } from 'node:crypto'
import { existsSync, linkSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { hostname } from 'node:os'
import { join } from 'node:path'

export class DirLockError extends Error {
  static override name = 'DirLockError'
  override name = 'DirLockError'
}

interface LockRecord { readonly pid: number, readonly host: string, readonly started: string }

export interface DirLock {
  readonly path: string
  /** The pid recorded by a node that is gone (crashed, killed) and whose directory this node took, if any. */
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

function inUse (dir: string, held: LockRecord | undefined): DirLockError {
  const who = held === undefined ? 'another node' : `another node (pid ${held.pid}, since ${held.started})`
  const stop = held === undefined ? 'Stop it first' : `Stop it first (kill ${held.pid})`
  return new DirLockError(`${dir} is in use by ${who}; a member directory serves one node. ${stop}, or give this node its own directory with 'secagg init'`)
}

function otherHost (dir: string, path: string, held: LockRecord): DirLockError {
  return new DirLockError(`${dir} is locked by a node on host ${held.host} (pid ${held.pid}, since ${held.started}); a member directory serves one node. Stop that node, or delete ${path} if it is certainly not running`)
}

/** Binds the directory's abstract socket name; undefined where abstract sockets do not exist. */
async function holdName (dir: string): Promise<Server | 'taken' | undefined> {
  if (process.platform !== 'linux') return undefined
  const name = '\0secagg-member-dir-' + createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 48)
  const server = createServer((socket) => socket.destroy())
  return await new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve('taken')
      else if (err.code === 'EINVAL' || err.code === 'ENOENT') resolve(undefined)
      else reject(err)
    })
    server.listen({ path: name }, () => {
      server.unref() // the lock must not keep a finished node running
      resolve(server)
    })
  })
}

/** Writes the record complete under a temporary name, then moves it into place. */
function writeRecord (path: string, record: LockRecord, exclusive: boolean): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(record) + '\n', { mode: 0o600 })
  try {
    if (exclusive) linkSync(tmp, path) // fails if it exists: no two holders, no half-written lock
    else renameSync(tmp, path)
  } finally {
    if (existsSync(tmp)) unlinkSync(tmp)
  }
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
 * Without abstract sockets: the lock file alone, a stale one taken over when its pid is gone.
 * The check and the removal are two steps, so two nodes started at the same moment over a
 * crashed node's lock can both get through here; only Linux has the kernel-held name.
 */
function lockByFile (dir: string, path: string, mine: LockRecord): number | undefined {
  let recovered: number | undefined
  for (let tries = 0; ; tries++) {
    try {
      writeRecord(path, mine, true)
      return recovered
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 2) throw err
    }
    const held = readLock(path)
    if (held !== undefined && held.host !== mine.host) throw otherHost(dir, path, held)
    if (held !== undefined && held.pid !== process.pid && running(held.pid)) throw inUse(dir, held)
    recovered = held?.pid ?? -1
    try { unlinkSync(path) } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err }
  }
}

/** Locks this process holds: a node that exits any other way (an uncaught error) leaves no record behind. */
const heldLocks = new Set<() => void>()
let exitHooked = false
function releaseAll (): void { for (const release of [...heldLocks]) release() }

/** Takes the member directory, or throws DirLockError naming the node that holds it. */
export async function lockMemberDir (dir: string, now: Date = new Date()): Promise<DirLock> {
  const path = join(dir, LOCK_FILE)
  const mine: LockRecord = { pid: process.pid, host: hostname(), started: now.toISOString() }
  const name = await holdName(dir)
  if (name === 'taken') throw inUse(dir, readLock(path))
  let recovered: number | undefined
  try {
    const held = readLock(path)
    if (name === undefined) {
      recovered = lockByFile(dir, path, mine)
    } else {
      // This process holds the directory's name: a record left behind is a dead node's,
      // unless another host wrote it (the name does not reach across a shared volume).
      if (held !== undefined && held.host !== mine.host) throw otherHost(dir, path, held)
      if (existsSync(path)) recovered = held?.pid ?? -1
      writeRecord(path, mine, false)
    }
  } catch (err) {
    if (name !== undefined) name.close()
    throw err
  }
  const release = (): void => {
    if (!heldLocks.delete(release)) return
    const held = readLock(path)
    if (held?.pid === process.pid && held.started === mine.started) unlinkSync(path)
    if (name !== undefined) name.close()
  }
  heldLocks.add(release)
  if (!exitHooked) process.once('exit', releaseAll)
  exitHooked = true
  return { path, recovered, release }
}
