/**
 * `--stage-timeout`: one deadline for every stage (`500`) or per stage
 * (`masked=5000,share=300`; stages not named keep the default).
 */
import { TIMED_STAGES, uniformStageTimeouts } from '../../protocol/index.ts'
import type { StageTimeouts } from '../../protocol/index.ts'
import { UsageError } from './usage-error.ts'

const MAX_MS = 1e9

function parseMs (text: string, what: string): number {
  const ms = Number(text)
  if (text.trim() === '' || !Number.isFinite(ms) || ms < 1 || ms > MAX_MS) throw new UsageError(`--stage-timeout: ${what} must be a number of ms in [1, ${MAX_MS}], got '${text}'`)
  return ms
}

export function parseStageTimeouts (text: string, defaultMs: number): StageTimeouts {
  if (!text.includes('=')) return uniformStageTimeouts(parseMs(text, 'the timeout'))
  const out: Record<string, number> = { ...uniformStageTimeouts(defaultMs) }
  const seen = new Set<string>()
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const [stage, value, extra] = part.split('=')
    if (stage === undefined || value === undefined || extra !== undefined) throw new UsageError(`--stage-timeout: '${part}' is not STAGE=MS`)
    if (!(TIMED_STAGES as readonly string[]).includes(stage)) throw new UsageError(`--stage-timeout: unknown stage '${stage}'; stages are ${TIMED_STAGES.join(', ')}`)
    if (seen.has(stage)) throw new UsageError(`--stage-timeout: stage ${stage} given twice`)
    seen.add(stage)
    out[stage] = parseMs(value, stage)
  }
  return out as unknown as StageTimeouts
}
