/** The readable form of a node's status (`secagg status` without --json). */
import type { LastResult, MemberRef, NodeStatus } from './node-status.ts'

const short = (id: string): string => id.length > 16 ? `…${id.slice(-8)}` : id
const member = (m: MemberRef): string => m.name !== undefined ? `${m.name} (${short(m.peerId)})` : short(m.peerId)

function duration (ms: number): string {
  const s = Math.floor(ms / 1000)
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
  const two = (n: number): string => String(n).padStart(2, '0')
  return h > 0 ? `${h}h ${two(m)}m ${two(sec)}s` : m > 0 ? `${m}m ${two(sec)}s` : `${sec}s`
}

function bytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  return `${v.toFixed(1)} ${units[u]}`
}

function result (r: LastResult, self: string): string {
  const head = `round ${r.round}${r.attempt !== undefined ? ` (attempt ${r.attempt})` : ''}: ${r.outcome}`
  if (r.outcome !== 'completed') return `${head}: ${r.reason ?? 'no reason recorded'}`
  const parts = [
    r.included !== undefined ? `over ${r.included} members` : undefined,
    r.weightSum !== undefined ? `weight sum ${r.weightSum}` : undefined,
    r.includedSelf === undefined ? undefined : r.includedSelf ? 'this node included' : 'this node not included',
    r.aggregator !== undefined ? `aggregator ${r.aggregator === self ? 'this node' : short(r.aggregator)}` : undefined
  ].filter((p) => p !== undefined)
  return `${head} ${parts.join(', ')}`
}

export function formatStatus (s: NodeStatus): string {
  const others = s.members.total - 1
  const c = s.current
  const round = c !== undefined
    ? `${c.round}, attempt ${c.attempt}, ${c.role}, stage ${c.stage ?? 'waiting for input'}${c.aggregatorStage !== undefined ? ` (aggregating: ${c.aggregatorStage})` : ''}; aggregator ${c.aggregator === s.peer ? 'this node' : short(c.aggregator)}; since ${c.since}`
    : s.waiting !== undefined
      ? `waiting for members before round ${s.waiting.round}: ${s.waiting.reachable} reachable, a round needs ${s.waiting.needed}${s.waiting.missing.length > 0 ? `; missing ${s.waiting.missing.map(member).join(', ')}` : ''} (since ${s.waiting.since})`
      : s.nextRound !== undefined ? `between rounds, next ${s.nextRound}` : 'not started yet'
  const k = s.counters
  const lines: Array<[string, string]> = [
    ['peer', s.peer],
    ['consortium', s.consortium],
    ['addresses', s.addresses.length > 0 ? s.addresses.join(' ') : '(not listening yet)'],
    ['uptime', `${duration(s.uptimeMs)} (pid ${s.pid}, since ${s.startedAt})`],
    ['members', `${s.members.connected.length}/${others} connected${s.members.connected.length > 0 ? ': ' + s.members.connected.map(member).join(', ') : ''}`],
    ['round', round],
    ...(s.failed !== undefined ? [['failed', s.failed] as [string, string]] : []),
    ['last result', s.lastResult !== undefined ? result(s.lastResult, s.peer) : 'none yet'],
    ['rounds', `${k.completed} completed, ${k.aborted} aborted, ${k.skipped} skipped; failovers ${k.failovers}, participant aborts ${k.participantAborts}, aggregated here ${k.aggregated} (aborted ${k.aggregationAborts})`],
    ['traffic', `sent ${k.framesSent} frames (${bytes(k.bytesSent)}), received ${k.framesReceived} frames (${bytes(k.bytesReceived)})`]
  ]
  if (s.validation !== undefined) lines.push(['validation', `accuracy ${s.validation.accuracy.toFixed(4)} after round ${s.validation.round}`])
  lines.push(['metrics', s.metrics ?? 'off (secagg start --metrics HOST:PORT)'])
  const width = Math.max(...lines.map(([label]) => label.length))
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')
}
