/**
 * The `secagg logs --summary` text: one line per round, merged over the members whose logs
 * were given, with the failovers under it, and a marker where a member restarted, all in time
 * order. One member: its own view (`this node`); several: who is absent from each result and
 * how each member that has no result saw the round.
 */
import type { Restart, RoundSummary } from './round-summary.ts'

export interface MemberView {
  readonly label: string
  readonly peer?: string
  readonly rounds: readonly RoundSummary[]
  readonly restarts: readonly Restart[]
}

export interface Roster {
  /** The consortium's members (from --consortium), when known: the absent are those not included. */
  readonly members?: readonly string[]
  /** Peer id -> the name to show (consortium names, member labels). */
  readonly names: ReadonlyMap<string, string>
}

export const shortId = (id: string): string => id.length > 16 ? `…${id.slice(-8)}` : id

/** Stages at which the aggregator saw members drop after their masked input counted (coordinator.ts, `aggregated`). */
const IN_THE_SUM = new Set(['consistency'])

/** rank: at the same time a restart comes before a round (a restart's "next round R" precedes round R's line). */
interface Item { readonly time: string, readonly rank: number, readonly order: number, readonly lines: string[] }

function outcomeText (s: Pick<RoundSummary, 'outcome' | 'reason'>): string {
  if (s.outcome === 'unfinished') return 'not finished'
  return s.outcome === 'result' ? 'result' : `${s.outcome}: ${s.reason ?? 'no reason logged'}`
}

function plural (n: number, what: string): string { return `${n} ${what}${n === 1 ? '' : 's'}` }

export function formatTimeline (members: readonly MemberView[], roster: Roster): string {
  const single = members.length === 1
  const name = (peer: string): string => roster.names.get(peer) ?? shortId(peer)
  const fullName = (peer: string): string => roster.names.get(peer) ?? peer
  const roundNumbers = [...new Set(members.flatMap((m) => m.rounds.map((s) => s.round)))].sort((a, b) => a - b)
  if (roundNumbers.length === 0 && members.every((m) => m.restarts.length === 0)) return 'no rounds in this log yet'
  // Who could have been in a sum: the consortium, else every member given (a member down for
  // a whole round has no record of it, yet is absent from it).
  const universe = roster.members ?? members.map((m) => m.peer).filter((p): p is string => p !== undefined)
  const items: Item[] = []
  let lastTime = ''
  for (const round of roundNumbers) {
    const views = members.flatMap((m) => { const s = m.rounds.find((x) => x.round === round); return s === undefined ? [] : [{ m, s }] })
    const first = views.map((v) => v.s.firstTime).filter((t): t is string => t !== undefined).sort()[0]
    // A round known from a round record only sits after the round before it.
    lastTime = first ?? lastTime
    items.push({ time: lastTime, rank: 1, order: items.length, lines: roundLines(round, views, single, universe, name, fullName) })
  }
  for (const m of members) {
    for (const r of m.restarts) {
      const details = [r.pid !== undefined ? `pid ${r.pid}` : undefined, ...r.addresses, r.resumeRound !== undefined ? `next round ${r.resumeRound}` : undefined].filter((d) => d !== undefined)
      items.push({ time: r.time, rank: 0, order: items.length, lines: [`-- ${m.label} restarted at ${r.time}${details.length > 0 ? ` (${details.join(', ')})` : ''} --`] })
    }
  }
  items.sort((a, b) => a.time < b.time ? -1 : a.time > b.time ? 1 : a.rank - b.rank || a.order - b.order)
  return items.flatMap((i) => i.lines).join('\n')
}

function roundLines (round: number, views: ReadonlyArray<{ m: MemberView, s: RoundSummary }>, single: boolean, universe: readonly string[], name: (p: string) => string, fullName: (p: string) => string): string[] {
  const attempts = new Map<number, { aggregator: string, self: boolean }>()
  for (const { m, s } of views) {
    for (const a of s.attempts) {
      const known = attempts.get(a.attempt)
      // A round record does not say the role: the aggregator being this member's peer id does.
      attempts.set(a.attempt, { aggregator: a.aggregator, self: (known?.self ?? false) || a.role === 'aggregator' || a.aggregator === m.peer })
    }
  }
  const withResult = views.filter((v) => v.s.outcome === 'result')
  const result = withResult[0]?.s
  // No round start logged (a log that begins mid-round): the result names its aggregator.
  const aggregators = [...attempts.entries()].sort((a, b) => a[0] - b[0])
    .map(([, a]) => `${name(a.aggregator)}${single && a.self ? ' (this node)' : ''}`).join(' → ') || (result?.aggregatedBy !== undefined ? name(result.aggregatedBy) : '?')
  const parts = [`round ${round}: aggregator ${aggregators}`]
  if (single) {
    const s = views[0]!.s
    let text = outcomeText(s)
    if (s.outcome === 'result') text = `result over ${s.included ?? '?'} members${s.includedSelf === true ? ', this node included' : ', this node NOT included'}`
    parts.push(`${text}${s.fromRecord !== undefined ? ` (from ${s.fromRecord})` : ''}`)
  } else {
    parts.push(result === undefined ? 'no result' : `result over ${withResult.map((v) => v.s.included).find((n) => n !== undefined) ?? '?'} members`)
  }
  if (result !== undefined) {
    const weightSum = withResult.map((v) => v.s.weightSum).find((w) => w !== undefined)
    if (weightSum !== undefined) parts.push(`weight sum ${weightSum}`)
    const accuracies = withResult.filter((v) => v.s.accuracy !== undefined).map((v) => single ? v.s.accuracy!.toFixed(3) : `${v.m.label} ${v.s.accuracy!.toFixed(3)}`)
    if (accuracies.length > 0) parts.push(`accuracy ${accuracies.join(', ')}`)
    parts.push(...droppedParts(views, single, universe, name))
  }
  const warnings = views.reduce((n, v) => n + v.s.warnings, 0)
  if (warnings > 0) parts.push(plural(warnings, 'warning'))
  const lines = [parts.join('; ')]
  const failovers = new Map<string, { text: string, seenBy: string[] }>()
  for (const { m, s } of views) {
    for (const f of s.failovers) {
      const key = `${f.attempt}/${f.silent}/${f.next}`
      const entry = failovers.get(key) ?? { text: `  failover attempt ${f.attempt}: ${fullName(f.silent)} → ${fullName(f.next)} (${f.why})`, seenBy: [] }
      entry.seenBy.push(m.label)
      failovers.set(key, entry)
    }
  }
  for (const f of failovers.values()) lines.push(single ? f.text : `${f.text} [${f.seenBy.join(', ')}]`)
  if (!single) {
    for (const { m, s } of views) {
      if (s.outcome === 'result') continue
      lines.push(`  ${m.label}: ${outcomeText(s)}${s.fromRecord !== undefined ? ` (from its ${s.fromRecord})` : ''}`)
    }
  }
  return lines
}

/**
 * Who is missing from the result: the consortium's members (or, without the consortium
 * file, the members given) not in its included list, with the stage the aggregator's
 * `aggregated` record names for each, and members it saw drop after their input was summed.
 */
function droppedParts (views: ReadonlyArray<{ m: MemberView, s: RoundSummary }>, single: boolean, universe: readonly string[], name: (p: string) => string): string[] {
  const stageOf = new Map<string, string>()
  for (const { s } of views) for (const [stage, peers] of Object.entries(s.droppedAt ?? {})) for (const p of peers) stageOf.set(p, stage)
  const self = single ? views[0]!.m.peer : undefined
  const absent = new Set<string>()
  const includedIds = views.map((v) => v.s.includedIds).find((ids) => ids !== undefined)
  if (includedIds !== undefined) for (const p of universe) if (!includedIds.includes(p)) absent.add(p)
  for (const { m, s } of views) if (s.outcome === 'result' && s.includedSelf === false && m.peer !== undefined) absent.add(m.peer)
  for (const [p, stage] of stageOf) if (!IN_THE_SUM.has(stage)) absent.add(p)
  if (self !== undefined) absent.delete(self) // said already: "this node NOT included"
  const parts: string[] = []
  if (absent.size > 0) parts.push(`absent: ${[...absent].map((p) => `${name(p)}${stageOf.has(p) ? ` (${stageOf.get(p)!})` : ''}`).join(', ')}`)
  const late = [...stageOf].filter(([, stage]) => IN_THE_SUM.has(stage))
  if (late.length > 0) parts.push(`dropped after masking (input in the sum): ${late.map(([p, stage]) => `${name(p)} (${stage})`).join(', ')}`)
  return parts
}

