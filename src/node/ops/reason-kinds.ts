/**
 * Free-text reasons (round records, failover `why`s) mapped to a few kinds, so that metric
 * labels stay a small fixed set however the wording of a reason changes or whatever a log
 * field holds: Prometheus keeps one time series per label value. Anything not recognised is
 * `other`; the full text stays in node.log and rounds/<r>.json.
 */
import type { AbortReason } from '../../protocol/reasons.ts'

export type RoundOutcomeKind = 'completed' | 'skipped' | 'aborted'

/** How a round ended here, and why (bounded). */
export interface RoundEnd { readonly outcome: RoundOutcomeKind, readonly reason: RoundEndReason }

export const ROUND_END_REASONS = [
  'none', 'input-unchanged', 'input-already-sent', 'no-result', 'waiting-for-members', 'moved-on', 'input-unavailable',
  'promise-not-recorded', 'not-applied', 'unconfirmed', 'given-up', 'not-in-session', 'other'
] as const
export type RoundEndReason = typeof ROUND_END_REASONS[number]

/** Ordered: the first pattern that matches names the kind (texts of src/round/coordinator.ts). */
const ROUND_END_PATTERNS: ReadonlyArray<readonly [RegExp, RoundEndReason, RoundOutcomeKind]> = [
  [/^sat out: input unchanged|already contributed to an earlier sum/, 'input-unchanged', 'skipped'],
  [/^skipped: input already sent|masked input already went to attempt/, 'input-already-sent', 'skipped'],
  [/^skipped: no result/, 'no-result', 'skipped'],
  [/^skipped: waiting for members/, 'waiting-for-members', 'skipped'],
  [/^skipped: the members moved on/, 'moved-on', 'skipped'],
  [/^skipped:/, 'other', 'skipped'],
  [/^input-unavailable$/, 'input-unavailable', 'aborted'],
  [/^could not record a promise/, 'promise-not-recorded', 'aborted'],
  [/^result could not be applied/, 'not-applied', 'aborted'],
  [/members echoed it$/, 'unconfirmed', 'aborted'],
  [/^given up after/, 'given-up', 'aborted']
]

/**
 * The outcome of a round record (rounds/<r>.json): a result (applied, or recorded when this
 * member was not in its session) is `completed`; an aborted record is `skipped` when this
 * member sat the round out on purpose, else `aborted`.
 */
export function roundEndOf (record: { readonly aborted?: unknown, readonly reason?: unknown, readonly applied?: unknown }): RoundEnd {
  if (record.aborted !== true) return { outcome: 'completed', reason: record.applied === false ? 'not-in-session' : 'none' }
  const text = typeof record.reason === 'string' ? record.reason : ''
  for (const [pattern, reason, outcome] of ROUND_END_PATTERNS) if (pattern.test(text)) return { outcome, reason }
  return { outcome: 'aborted', reason: 'other' }
}

export const FAILOVER_REASONS = ['timeout', 'aggregator-aborted', 'no-result', 'sat-out', 'other'] as const
export type FailoverReason = typeof FAILOVER_REASONS[number]

/** The kind of an `aggregator-failover` event's `why` (a deadline, an ABORT, no result). */
export function failoverReasonOf (why: unknown): FailoverReason {
  const text = typeof why === 'string' ? why : ''
  if (/^sat out/.test(text)) return 'sat-out'
  if (/^no result/.test(text)) return 'no-result'
  if (/^aggregator aborted/.test(text)) return 'aggregator-aborted'
  if (/deadline|timed? ?out/.test(text)) return 'timeout'
  return 'other'
}

/** Every typed abort reason (src/protocol/reasons.ts); a Record, so a new reason fails to compile until listed. */
const ABORT_REASONS: Record<AbortReason, true> = {
  'not-enough-peers': true, 'not-enough-signatures': true, 'not-enough-shares': true, 'invalid-signature': true,
  'inconsistent-survivor-list': true, 'both-shares-requested': true, 'invalid-key-list': true, 'decryption-failed': true,
  'not-included': true, 'reconstruction-mismatch': true, 'too-few-survivors': true, 'invalid-share': true,
  'result-out-of-bounds': true, 'internal-error': true, 'aggregator-aborted': true, timeout: true
}

/** A session abort's typed reason as a label: one of the protocol's reasons, or `other`. */
export function abortReasonOf (reason: unknown): AbortReason | 'other' {
  return typeof reason === 'string' && Object.hasOwn(ABORT_REASONS, reason) ? reason as AbortReason : 'other'
}
