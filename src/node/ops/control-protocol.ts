/**
 * The control socket's protocol and where the socket lives. One JSON request line, one JSON
 * response line, then the node closes the connection:
 *
 *   -> {"v":1,"op":"status"}
 *   <- {"v":1,"ok":true,"status":{...}}      (NodeStatus, node-status.ts)
 *   <- {"v":1,"ok":false,"error":"..."}      (unknown op, other version, bad line)
 *
 * The socket is DIR/control/node.sock, inside a directory only the node's user may enter
 * (0700), so no other user can connect even before the socket's own 0600 mode is set.
 * A unix socket path is limited to 108 bytes on Linux (104 on macOS) with its NUL: when
 * DIR's path is too long the socket goes into a fresh private directory under os.tmpdir()
 * and its path is written to DIR/control/socket-path, where `secagg status` finds it.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

export const CONTROL_PROTOCOL_VERSION = 1
/** Longest request line a node reads (a request is a few dozen bytes). */
export const MAX_REQUEST_BYTES = 4096
/** Longest socket path, in bytes, that fits sun_path on both Linux and macOS. */
export const MAX_SOCKET_PATH_BYTES = 103

export type ControlRequest = { readonly v: number, readonly op: 'status' }
export type ControlResponse =
  | { readonly v: number, readonly ok: true, readonly status: unknown }
  | { readonly v: number, readonly ok: false, readonly error: string }

export function controlDir (dir: string): string { return join(resolve(dir), 'control') }
export function socketPathIn (dir: string): string { return join(controlDir(dir), 'node.sock') }
export function pointerPathIn (dir: string): string { return join(controlDir(dir), 'socket-path') }
export function fitsSocketPath (path: string): boolean { return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES }

/** Prefix of the private directories made under os.tmpdir() for a member directory whose path is too long. */
export const TMP_PREFIX = 'secagg-control-'

/**
 * The socket path recorded in DIR/control/socket-path, if it can be trusted: directly inside
 * a directory under os.tmpdir() named like ours, a real directory (no link) of this user that
 * nobody else may enter. After a reboot empties /tmp another local user could recreate the
 * recorded path and answer `secagg status` — or keep the node from starting — so a record
 * that fails the check is ignored, never connected to or removed.
 */
export function trustedRecordedPath (recorded: string): string | undefined {
  const parent = dirname(recorded)
  if (!recorded.startsWith('/') || resolve(recorded) !== recorded || dirname(parent) !== resolve(tmpdir()) || !parent.slice(dirname(parent).length + 1).startsWith(TMP_PREFIX)) return undefined
  try {
    const st = lstatSync(parent)
    if (!st.isDirectory() || (st.mode & 0o077) !== 0) return undefined
    if (process.getuid !== undefined && st.uid !== process.getuid()) return undefined
  } catch {
    return undefined
  }
  return recorded
}

/** Where a node in `dir` listens: DIR/control/node.sock, or the path recorded beside it. */
export function locateSocket (dir: string): string | undefined {
  const direct = socketPathIn(dir)
  if (existsSync(direct)) return direct
  const pointer = pointerPathIn(dir)
  if (!existsSync(pointer)) return undefined
  return trustedRecordedPath(readFileSync(pointer, 'utf8').trim())
}
