/**
 * The gradient-inversion study's --smoke grid: the attack recovers a member's image from its
 * plain update and nothing from the masked input the aggregator receives in a real round.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runInversionStudy } from '../../simulations/inversion.ts'
import type { InversionResults } from '../../simulations/inversion.ts'
import { runSmoke } from './study-helpers.ts'

/** (a) must beat (b) by at least this much mean SSIM (measured: about 1.0 against about 0.0). */
const SSIM_MARGIN = 0.6

describe('simulations: gradient inversion (--smoke)', () => {
  it('recovers the image from a plain update (SSIM > 0.8) and beats the masked input by a wide SSIM margin', async () => {
    const run = await runSmoke(runInversionStudy)
    try {
      const r = run.results as unknown as InversionResults
      assert.equal(r.study, 'inversion')
      const plain = r.cases.find((c) => c.view === 'plain')!
      const masked = r.cases.find((c) => c.view === 'masked')!
      assert.ok(plain.ssim > 0.8, `plain update: SSIM ${plain.ssim}`)
      assert.ok(plain.ssim - masked.ssim >= SSIM_MARGIN, `plain SSIM ${plain.ssim} vs masked ${masked.ssim}: margin below ${SSIM_MARGIN}`)
      assert.deepEqual(plain.idlg, { trueLabel: plain.idlg!.trueLabel, recovered: plain.idlg!.trueLabel }, 'iDLG reads the label off a plain single-image update')
      for (const c of r.cases) assert.ok(existsSync(join(run.dir, c.grid)), `grid ${c.grid} written`)
      assert.match(readFileSync(join(run.dir, 'summary.md'), 'utf8'), /\(b\) masked input/)
    } finally {
      run.cleanup()
    }
  })
})
