/**
 * The progress renderers of `secagg simulate` on a fake clock: the live line is redrawn in
 * place and throttled, cleared before other output and at the end; piped output is one plain
 * line per stage (per round when training), with no carriage return.
 */
import assert from 'node:assert/strict'
import { LiveProgressLine, ProgressLines, besideProgress, progressDisplay } from '../../src/node/cli/progress-display.ts'
import type { ProgressDisplay } from '../../src/node/cli/progress-display.ts'

function fakeTerminal (columns = 80): { writes: string[], write: (t: string) => void, columns: number } {
  const writes: string[] = []
  return { writes, write: (t) => { writes.push(t) }, columns }
}

describe('simulate progress: the live line (terminal)', () => {
  it('redraws one line in place: stage, peers done / peers, elapsed; at most one redraw per interval', () => {
    let now = 1000
    const term = fakeTerminal()
    const line = new LiveProgressLine(term, () => now, 100)
    line.stage('share', 950, 'peers')
    for (let done = 1; done <= 950; done++) {
      line.advance(done)
      now += 1 // 950 steps over 0.95 s of fake time
    }
    // One draw when the stage began, then at most one per 100 ms: 10 for 0.95 s.
    assert.ok(term.writes.length >= 9 && term.writes.length <= 11, `${term.writes.length} redraws`)
    for (const w of term.writes) {
      assert.ok(w.startsWith('\r') && w.endsWith('\x1b[K'), JSON.stringify(w))
      assert.ok(!w.includes('\n'), 'the live line never scrolls')
    }
    assert.equal(term.writes[0], '\rshare 0/950 peers · 0.0 s\x1b[K')
    assert.match(term.writes.at(-1)!, /^\rshare 9\d\d\/950 peers · 0\.9 s\x1b\[K$/)
  })

  it('shows the training round, the note (epoch and loss), and fits the terminal width', () => {
    let now = 0
    const term = fakeTerminal(40)
    const line = new LiveProgressLine(term, () => now, 100)
    line.round(1, 5)
    now += 200
    line.stage('train', 4, 'members')
    now += 200
    line.note('member 3 epoch 1 loss 0.2345')
    assert.equal(term.writes.at(-1), `\r${'round 2/5 · train 0/4 members · member 3 epoch 1 loss 0.2345 · 0.4 s'.slice(0, 39)}\x1b[K`)
    const unknownWidth = fakeTerminal(0) // a pseudo-terminal that reports no size
    const wide = new LiveProgressLine(unknownWidth, () => now, 100)
    wide.stage('x'.repeat(200), 0)
    assert.equal(unknownWidth.writes[0], `\r${'x'.repeat(79)}\x1b[K`)
  })

  it('clears itself before another line is printed and at the end, then redraws on the next step', () => {
    const now = 0
    const term = fakeTerminal()
    const line = new LiveProgressLine(term, () => now, 100)
    const printed: string[] = []
    const io = besideProgress({ stdout: (t) => { printed.push(`${term.writes.length}:${t}`) }, stderr: () => {} }, line)
    line.stage('masked', 10)
    io.stdout('round 0: secure aggregation ...')
    assert.equal(term.writes.at(-1), '\r\x1b[K', 'cleared before stdout')
    assert.deepEqual(printed, [`${term.writes.length}:round 0: secure aggregation ...`])
    line.advance(3) // same instant: redrawn anyway, the line was cleared
    assert.equal(term.writes.at(-1), '\rmasked 3/10 peers · 0.0 s\x1b[K')
    line.end()
    assert.equal(term.writes.at(-1), '\r\x1b[K')
    const count = term.writes.length
    line.end()
    assert.equal(term.writes.length, count, 'nothing left to clear')
  })
  it('with refreshMs, redraws on its own while nothing reports (a deadline waited out on the wall clock)', async () => {
    let now = 0
    let redrawn!: (text: string) => void
    const next = new Promise<string>((resolve) => { redrawn = resolve })
    const writes: string[] = []
    const line = new LiveProgressLine({ write: (t) => { writes.push(t); if (writes.length === 2) redrawn(t) }, columns: 80 }, () => now, 100, 5)
    try {
      line.stage('masked', 9)
      line.advance(9)
      now = 3000 // three seconds pass with no step reported
      assert.equal(await next, '\rmasked 9/9 peers · 3.0 s\x1b[K')
    } finally {
      line.end()
    }
  })
})

/** Plain progress lines on a clock that moves only when the test says. */
function recordedLines (): { p: ProgressDisplay, lines: string[], wait: (ms: number) => void } {
  let now = 0
  const lines: string[] = []
  return { p: new ProgressLines((t) => { lines.push(t) }, () => now), lines, wait: (ms) => { now += ms } }
}

describe('simulate progress: piped (no terminal, or CI)', () => {
  it('one plain line per finished stage, with peers done / expected and times', () => {
    const { p, lines, wait } = recordedLines()
    p.stage('setup', 50)
    p.advance(50)
    wait(300)
    p.stage('masked', 47)
    for (let i = 1; i <= 47; i++) { p.advance(i); p.note('ignored') }
    wait(1200)
    p.stage('report', 0)
    wait(100)
    p.end()
    p.end()
    assert.deepEqual(lines, [
      'setup: 50/50 peers in 0.3 s (elapsed 0.3 s)',
      'masked: 47/47 peers in 1.2 s (elapsed 1.5 s)',
      'report in 0.1 s (elapsed 1.6 s)'
    ])
  })

  it('training: a line per round (its stages are many and short), stages before the first round on their own', () => {
    const { p, lines, wait } = recordedLines()
    p.stage('load data', 0)
    wait(2000)
    for (let r = 0; r < 2; r++) {
      p.round(r, 2)
      for (const s of ['train', 'setup', 'advertise', 'share', 'masked', 'consistency', 'unmask', 'report', 'evaluate']) { p.stage(s, 4); wait(500) }
    }
    p.end()
    assert.deepEqual(lines, [
      'load data in 2.0 s (elapsed 2.0 s)',
      'round 1/2 done in 4.5 s (elapsed 6.5 s)',
      'round 2/2 done in 4.5 s (elapsed 11.0 s)'
    ])
  })

  it('progressDisplay: the live line only on a terminal outside CI; nothing with --quiet', () => {
    const stderr: string[] = []
    const term = fakeTerminal()
    const io = { stdout: () => {}, stderr: (t: string) => { stderr.push(t) }, terminal: term }
    const live = progressDisplay(io, { quiet: false, env: {} })
    live.end() // stops its refresh timer
    assert.ok(live instanceof LiveProgressLine)
    assert.ok(progressDisplay(io, { quiet: false, env: { CI: 'true' } }) instanceof ProgressLines)
    assert.ok(progressDisplay({ ...io, terminal: undefined }, { quiet: false, env: {} }) instanceof ProgressLines)
    const quiet = progressDisplay(io, { quiet: true, env: {} })
    quiet.stage('share', 3)
    quiet.advance(3)
    quiet.end()
    assert.deepEqual([stderr, term.writes], [[], []])
  })
})
