/**
 * A process that races for member-directory locks (attack-dir-lock-race.spec.ts): for each
 * directory i it sleeps until `start + i * interval` ms (epoch), then calls lockMemberDir
 * once and records the outcome as DIR/got.<pid> (it holds the lock) or DIR/err.<pid>.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lockMemberDir } from '../../src/node/store/dir-lock.ts'

const [root, count, start, interval] = process.argv.slice(2) as [string, string, string, string]
const sleeper = new Int32Array(new SharedArrayBuffer(4))
for (let i = 0; i < Number(count); i++) {
  const dir = join(root, `d${i}`)
  const wait = Number(start) + i * Number(interval) - Date.now()
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait)
  try {
    await lockMemberDir(dir)
    writeFileSync(join(dir, `got.${process.pid}`), '')
  } catch (err) {
    writeFileSync(join(dir, `err.${process.pid}`), `${(err as Error).name}: ${(err as Error).message}`)
  }
}
process.exit(0)
