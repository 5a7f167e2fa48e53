/**
 * docs/OPERATIONS.md, "Three members on one machine", run as written: its marked shell
 * blocks in order, with real `secagg` processes on 127.0.0.1 (ports moved to free ones). The
 * test only waits where the doc says to wait and checks what the doc says will be seen.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Walkthrough, walkthroughSteps } from '../helpers/walkthrough.ts'

describe('docs/OPERATIONS.md: three members on one machine, as written', function () {
  this.timeout(300_000)
  const steps = walkthroughSteps('docs/OPERATIONS.md', 'one-machine')
  let walk: Walkthrough
  before(() => { walk = new Walkthrough() })
  after(() => { walk.teardown() })

  const step = (name: string): { out: string, err: string } => {
    const block = steps.get(name)
    assert.ok(block !== undefined, `docs/OPERATIONS.md has no walkthrough step '${name}'`)
    const r = walk.run(block)
    assert.equal(r.code, 0, `step '${name}' failed (exit ${r.code}):\n${r.err}`)
    return r
  }
  const log = (m: string): string => { const p = join(walk.dir, m, 'node.log'); return existsSync(p) ? readFileSync(p, 'utf8') : '' }
  const results = (m: string): Array<Record<string, unknown>> => {
    const dir = join(walk.dir, m, 'rounds')
    if (!existsSync(dir)) return []
    return readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>)
  }
  const sums = (m: string): number => results(m).filter((r) => r.sum !== undefined).length

  it('has the steps the test follows', () => {
    assert.deepEqual([...steps.keys()], ['setup', 'inputs', 'start', 'watch', 'stop-member', 'diagnose', 'restart', 'after'])
  })

  it('set up, start, watch, stop a member, diagnose, restart it', async () => {
    await walk.portMap([4000, 4001, 4002])
    const setup = step('setup')
    assert.match(setup.out, /a round needs all 3 members online/)
    assert.match(setup.out, /consortium\.json: usable/)
    step('inputs')
    step('start')
    assert.equal(walk.pids().length, 3, 'three nodes started in the background')
    await walk.waitFor(() => ['m0', 'm1', 'm2'].every((m) => sums(m) >= 2), 120_000, 'two rounds with a sum on every member')

    const watch = step('watch')
    assert.match(watch.out, /members +2\/2 connected: hospital-[bc] .*, hospital-[bc] /, 'status names the members it is connected to')
    assert.match(watch.out, /^1 +0 +hospital-[abc] +3 +result +3$/m, 'results: the round table')
    assert.match(watch.out, /round 0: aggregator hospital-[abc]; result over 3 members/)

    const before = log('m0').length
    step('stop-member')
    await walk.waitFor(() => /"event":"waiting-for-members"/.test(log('m0').slice(before)), 120_000, 'm0 to wait for the stopped member')
    const skipped = results('m0').filter((r) => /^skipped: waiting for members \(2 of 3 reachable, a round needs 3\)/.test(String(r.reason)))
    assert.ok(skipped.length <= 1, 'at most the round under way is skipped; the others wait instead of burning rounds')
    const diagnose = step('diagnose')
    assert.match(diagnose.out, /waiting for members/)
    assert.match(diagnose.out, /hospital-b|missing/)

    const sumsBefore = ['m0', 'm1', 'm2'].map(sums)
    step('restart')
    await walk.waitFor(() => ['m0', 'm1', 'm2'].every((m, i) => sums(m) > sumsBefore[i]!), 180_000, 'rounds with a sum again on every member after the restart')
    const after = step('after')
    assert.match(after.out, /-- hospital-b restarted at /)
  })
})
