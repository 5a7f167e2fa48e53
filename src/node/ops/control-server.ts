/**
 * The node's side of the control socket (control-protocol.ts): it answers `status` with the
 * monitor's snapshot. Only the node's own user can connect: the socket sits in a 0700
 * directory that is checked (a directory, not a link, ours) before anything is created in it,
 * so there is no moment when another user could reach it, and the socket itself is chmod 0600
 * right after listen. A socket left by a crashed node is removed, but only when nothing
 * answers on it: one that answers belongs to a node still running in this directory.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { writeAtomic } from '../config/node-dir.ts'
import { CONTROL_PROTOCOL_VERSION, controlDir, fitsSocketPath, MAX_REQUEST_BYTES, MAX_SOCKET_PATH_BYTES, pointerPathIn, socketPathIn, TMP_PREFIX, trustedRecordedPath } from './control-protocol.ts'
import type { ControlResponse } from './control-protocol.ts'

export class ControlSocketError extends Error {
  static override name = 'ControlSocketError'
  override name = 'ControlSocketError'
}


function ensurePrivateDir (path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 })
  const st = lstatSync(path)
  if (!st.isDirectory()) throw new ControlSocketError(`${path} is not a directory (a file or a link); remove it so the node can make its control socket there`)
  if (process.getuid !== undefined && st.uid !== process.getuid()) throw new ControlSocketError(`${path} belongs to another user (uid ${st.uid}); remove it`)
  chmodSync(path, 0o700)
}

/** Whether a node listens on `path` (a connection is accepted). A refused or missing socket is stale. */
async function answers (path: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection(path)
    // A live node accepts at once; one that does not within the wait is busy, not gone.
    const timer = setTimeout(() => { socket.destroy(); resolve(true) }, 2_000)
    socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve(true) })
    socket.once('error', () => { clearTimeout(timer); resolve(false) })
  })
}

/** Removes a socket a crashed node left at `path`; refuses if a node answers there or it is no socket. */
async function removeStale (path: string, dir: string): Promise<void> {
  if (!existsSync(path)) return
  if (!lstatSync(path).isSocket()) throw new ControlSocketError(`${path} is not a socket; remove it so the node can make its control socket`)
  if (await answers(path)) throw new ControlSocketError(`a node is already running in ${dir} (its control socket ${path} answers); stop it first`)
  unlinkSync(path)
}

export class ControlServer {
  private constructor (private readonly server: Server, readonly path: string, private readonly cleanup: () => void) {}

  /** Listens in `dir` and answers each request with `status()`. */
  static async open (dir: string, status: () => unknown): Promise<ControlServer> {
    ensurePrivateDir(controlDir(dir))
    const pointer = pointerPathIn(dir)
    const recorded = existsSync(pointer) ? trustedRecordedPath(readFileSync(pointer, 'utf8').trim()) : undefined
    await removeStale(socketPathIn(dir), dir)
    if (recorded !== undefined) {
      await removeStale(recorded, dir)
      rmSync(dirname(recorded), { recursive: true, force: true })
    }
    rmSync(pointer, { force: true })

    let path = socketPathIn(dir)
    let privateTmp: string | undefined
    if (!fitsSocketPath(path)) {
      // mkdtemp makes the directory 0700: the same guarantee as DIR/control.
      privateTmp = mkdtempSync(join(tmpdir(), TMP_PREFIX))
      path = join(privateTmp, 'node.sock')
      if (!fitsSocketPath(path)) {
        rmSync(privateTmp, { recursive: true, force: true })
        throw new ControlSocketError(`the control socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; use a shorter --dir or TMPDIR`)
      }
    }
    const server = createServer((socket) => serve(socket, status))
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => {
        if (privateTmp !== undefined) rmSync(privateTmp, { recursive: true, force: true })
        reject(new ControlSocketError(`cannot listen on the control socket ${path}: ${err.message}`))
      }
      server.once('error', failed)
      server.listen(path, () => { server.off('error', failed); resolve() })
    })
    chmodSync(path, 0o600)
    if (privateTmp !== undefined) writeAtomic(pointer, path + '\n')
    const tmp = privateTmp
    return new ControlServer(server, path, () => {
      rmSync(path, { force: true })
      if (tmp !== undefined) { rmSync(pointer, { force: true }); rmSync(tmp, { recursive: true, force: true }) }
    })
  }

  /** Stops listening and removes the socket (and the recorded path). */
  async close (): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.cleanup()
  }
}

function reply (socket: Socket, response: ControlResponse): void {
  socket.end(JSON.stringify(response) + '\n')
}

/** Reads one request line, answers it, closes. */
function serve (socket: Socket, status: () => unknown): void {
  let buffered = ''
  socket.setEncoding('utf8')
  socket.setTimeout(5_000, () => socket.destroy())
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk: string) => {
    buffered += chunk
    const end = buffered.indexOf('\n')
    if (end < 0 && buffered.length <= MAX_REQUEST_BYTES) return
    socket.removeAllListeners('data')
    reply(socket, end < 0
      ? { v: CONTROL_PROTOCOL_VERSION, ok: false, error: `request line longer than ${MAX_REQUEST_BYTES} bytes` }
      : answer(buffered.slice(0, end), status))
  })
}

function answer (line: string, status: () => unknown): ControlResponse {
  const v = CONTROL_PROTOCOL_VERSION
  let request: unknown
  try {
    request = JSON.parse(line)
  } catch {
    return { v, ok: false, error: 'request is not JSON' }
  }
  const r = request as { v?: unknown, op?: unknown } | null
  if (typeof r !== 'object' || r === null) return { v, ok: false, error: 'request is not a JSON object' }
  if (r.v !== v) return { v, ok: false, error: `protocol version ${String(r.v)}; this node speaks ${v}` }
  if (r.op !== 'status') return { v, ok: false, error: `unknown op ${JSON.stringify(r.op)}; this node answers "status"` }
  return { v, ok: true, status: status() }
}
