/**
 * ATTACK (an attacker review): two nodes on one member directory. lockMemberDir takes over a
 * stale lock (its pid no longer runs) by re-reading it and unlinking DIR/node.lock — but the
 * check ("still the same stale file") and the unlink are two steps. Node B can remove the
 * stale lock and link its own between node C's check and C's unlink: C then unlinks B's live
 * lock and links its own, and both run (src/node/store/dir-lock.ts, the `again` re-read and
 * `unlinkSync(path)`). Two nodes on one directory each keep their own promise book in memory,
 * so the member can send two masked inputs in one round (the difference attack).
 *
 * This happens after a crash (a stale lock is left) when the node is started twice at once
 * (a supervisor restart plus an operator's manual start, two systemd units, a cron retry).
 * The test races 4 real processes over many directories, each holding a stale lock.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'

const DIRS = 400
const RACERS = 4
const INTERVAL_MS = 12

describe('attack (review): a stale lock taken over at once by several nodes', function () {
  this.timeout(120_000)
  let root: string | undefined
  afterEach(() => { if (root !== undefined) rmSync(root, { recursive: true, force: true }) })

  it('racers starting at once over a stale lock: one holds each directory, the others get DirLockError', async () => {
    root = mkdtempSync(join(tmpdir(), 'secagg-lock-race-'))
    const dead = spawnSync('true').pid! // a pid that no longer runs: the crashed node's
    for (let i = 0; i < DIRS; i++) {
      mkdirSync(join(root, `d${i}`))
      writeFileSync(join(root, `d${i}`, 'node.lock'), JSON.stringify({ pid: dead, host: hostname(), started: new Date(0).toISOString() }) + '\n')
    }
    const start = Date.now() + 4_000 // time for the racers to load
    const racers = Array.from({ length: RACERS }, () => spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'helpers', 'dir-lock-racer.ts'), root!, String(DIRS), String(start), String(INTERVAL_MS)], { stdio: 'inherit' }))
    try {
      await Promise.all(racers.map(async (p) => await new Promise((resolve) => p.on('exit', resolve))))
    } finally {
      for (const p of racers) if (p.exitCode === null) p.kill('SIGKILL')
    }
    let doubled = 0
    let crashed = 0
    const errors = new Map<string, number>()
    for (let i = 0; i < DIRS; i++) {
      const files = readdirSync(join(root, `d${i}`))
      if (files.filter((f) => f.startsWith('got.')).length >= 2) doubled++
      for (const f of files.filter((f) => f.startsWith('err.'))) {
        const text = (await import('node:fs')).readFileSync(join(root, `d${i}`, f), 'utf8').replace(/\d+/g, 'N').replace(/\/\S+/g, 'PATH').slice(0, 90)
        errors.set(text, (errors.get(text) ?? 0) + 1)
        if (!text.startsWith('DirLockError')) crashed++
      }
    }
    console.log(`      ${DIRS} directories, ${RACERS} racers: two lock holders in ${doubled}; other errors than DirLockError in ${crashed}`)
    for (const [text, k] of errors) console.log(`        ${k} × ${text}`)
    assert.equal(doubled, 0, `ATTACK succeeded: two processes held one member directory's lock in ${doubled} of ${DIRS} directories`)
  })
})
