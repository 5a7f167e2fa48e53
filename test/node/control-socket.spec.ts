/**
 * The control socket without a node: owner-only, a crashed node's socket replaced, a live
 * one refused, a member directory too long for a socket path, and the one-line protocol.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requestStatus } from '../../src/node/ops/control-client.ts'
import { MAX_SOCKET_PATH_BYTES, pointerPathIn, socketPathIn } from '../../src/node/ops/control-protocol.ts'
import { ControlServer } from '../../src/node/ops/control-server.ts'

async function exchange (path: string, line: string): Promise<Record<string, unknown>> {
  return await new Promise((resolve, reject) => {
    const socket = createConnection(path)
    let data = ''
    socket.on('connect', () => socket.write(line))
    socket.on('data', (chunk) => { data += String(chunk) })
    socket.on('end', () => resolve(JSON.parse(data) as Record<string, unknown>))
    socket.on('error', reject)
  })
}

describe('control socket', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'secagg-ctl-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('answers status in a 0700 directory with a 0600 socket, and removes it on close', async () => {
    const server = await ControlServer.open(root, () => ({ peer: 'me', uptimeMs: 1 }))
    try {
      assert.equal(server.path, socketPathIn(root))
      assert.equal(statSync(server.path).mode & 0o777, 0o600)
      assert.equal(statSync(join(root, 'control')).mode & 0o777, 0o700)
      assert.deepEqual(await requestStatus(root), { peer: 'me', uptimeMs: 1 })
      assert.deepEqual(await exchange(server.path, '{"v":2,"op":"status"}\n'), { v: 1, ok: false, error: 'protocol version 2; this node speaks 1' })
      assert.deepEqual(await exchange(server.path, '{"v":1,"op":"shutdown"}\n'), { v: 1, ok: false, error: 'unknown op "shutdown"; this node answers "status"' })
      assert.deepEqual(await exchange(server.path, 'hello\n'), { v: 1, ok: false, error: 'request is not JSON' })
      assert.deepEqual(await exchange(server.path, 'x'.repeat(5000)), { v: 1, ok: false, error: 'request line longer than 4096 bytes' })
    } finally {
      await server.close()
    }
    assert.equal(existsSync(socketPathIn(root)), false)
    await assert.rejects(requestStatus(root), { name: 'NoNodeError', message: `no node is running in ${root} (no control socket)` })
  })

  it('replaces the socket of a crashed node, and refuses to start beside a live one', async () => {
    // A node killed with SIGKILL leaves its socket file behind, with nothing listening.
    mkdirSync(join(root, 'control'), { mode: 0o700 })
    const path = socketPathIn(root)
    const crashed = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise((resolve) => crashed.stdout!.once('data', resolve))
      await assert.rejects(ControlServer.open(root, () => ({})), { name: 'ControlSocketError', message: new RegExp(`^a node is already running in ${root} \\(its control socket .* answers\\); stop it first$`) })
      crashed.kill('SIGKILL')
      await new Promise((resolve) => crashed.once('exit', resolve))
    } finally {
      crashed.kill('SIGKILL')
    }
    assert.ok(existsSync(path), 'the crashed process left its socket')
    await assert.rejects(requestStatus(root), { name: 'NoNodeError', message: /does not answer/ })
    const server = await ControlServer.open(root, () => ({ fresh: true }))
    try {
      assert.deepEqual(await requestStatus(root), { fresh: true })
    } finally {
      await server.close()
    }
  })

  it('two nodes starting at once in one directory: one listens, the other gets a clear error', async () => {
    const opened = await Promise.allSettled([ControlServer.open(root, () => ({ n: 1 })), ControlServer.open(root, () => ({ n: 2 }))])
    const servers = opened.flatMap((o) => o.status === 'fulfilled' ? [o.value] : [])
    try {
      assert.equal(servers.length, 1)
      const failed = opened.find((o) => o.status === 'rejected')
      assert.match(String(failed?.reason), /^ControlSocketError: cannot listen on the control socket .*node\.sock: .*EADDRINUSE/)
    } finally {
      for (const s of servers) await s.close()
    }
  })

  it('refuses a file that is not a socket where the socket goes', async () => {
    mkdirSync(join(root, 'control'), { mode: 0o700 })
    writeFileSync(socketPathIn(root), 'not a socket')
    await assert.rejects(ControlServer.open(root, () => ({})), { name: 'ControlSocketError', message: /is not a socket; remove it/ })
  })

  it('a member directory too long for a socket path: the socket goes under the temporary directory, recorded in DIR/control', async () => {
    const dir = join(root, 'd'.repeat(MAX_SOCKET_PATH_BYTES))
    const server = await ControlServer.open(dir, () => ({ long: true }))
    let recorded: string
    try {
      recorded = readFileSync(pointerPathIn(dir), 'utf8').trim()
      assert.equal(recorded, server.path)
      assert.ok(server.path.startsWith(join(tmpdir(), 'secagg-control-')), server.path)
      assert.equal(statSync(server.path).mode & 0o777, 0o600)
      assert.deepEqual(await requestStatus(dir), { long: true })
    } finally {
      await server.close()
    }
    assert.equal(existsSync(pointerPathIn(dir)), false)
    assert.equal(existsSync(recorded), false)
  })
})
