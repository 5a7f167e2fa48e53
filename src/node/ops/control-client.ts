/**
 * `secagg status`'s side of the control socket (control-protocol.ts): one request, one answer.
 */
import { createConnection } from 'node:net'
import { CONTROL_PROTOCOL_VERSION, locateSocket } from './control-protocol.ts'
import type { ControlResponse } from './control-protocol.ts'
import type { NodeStatus } from './node-status.ts'

/** Nothing listens in the member directory. */
export class NoNodeError extends Error {
  static override name = 'NoNodeError'
  override name = 'NoNodeError'
}

/** The node answered, but not with a status (another protocol version, a refused request). */
export class ControlRequestError extends Error {
  static override name = 'ControlRequestError'
  override name = 'ControlRequestError'
}

/** Asks the node running in `dir` for its status. */
export async function requestStatus (dir: string, timeoutMs = 10_000): Promise<NodeStatus> {
  const path = locateSocket(dir)
  if (path === undefined) throw new NoNodeError(`no node is running in ${dir} (no control socket)`)
  const line = await new Promise<string>((resolve, reject) => {
    const socket = createConnection(path)
    let data = ''
    socket.setEncoding('utf8')
    socket.setTimeout(timeoutMs, () => { socket.destroy(); reject(new ControlRequestError(`the node in ${dir} did not answer within ${timeoutMs} ms`)) })
    socket.on('connect', () => socket.write(JSON.stringify({ v: CONTROL_PROTOCOL_VERSION, op: 'status' }) + '\n'))
    socket.on('data', (chunk: string) => { data += chunk })
    socket.on('end', () => resolve(data))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') reject(new NoNodeError(`no node is running in ${dir} (its control socket ${path} does not answer)`))
      else reject(new ControlRequestError(`cannot reach the node in ${dir}: ${err.message}`))
    })
  })
  let response: ControlResponse
  try {
    response = JSON.parse(line) as ControlResponse
  } catch {
    throw new ControlRequestError(`the node in ${dir} sent an answer that is not JSON`)
  }
  if (!response.ok) throw new ControlRequestError(`the node in ${dir} refused the request: ${response.error}`)
  return response.status as NodeStatus
}
