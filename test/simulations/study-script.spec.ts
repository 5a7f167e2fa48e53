/** A study run as a script (`npm run sim:…`): bad flags exit 2 with one line; --help exits 0. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

function runScript (script: string, ...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'simulations', script), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('simulations: the study scripts', () => {
  it('exit 2 with one line naming the bad flag and the help', () => {
    const r = runScript('communication.ts', '--dim', '5')
    assert.equal(r.status, 2, r.stderr)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /'--dim'.*npm run sim:communication -- --help/)
  })

  it('print the help and exit 0 without measuring anything', () => {
    const r = runScript('scaling.ts', '--help')
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Usage: npm run sim:scaling/)
    assert.equal(r.stderr, '')
  })
})
