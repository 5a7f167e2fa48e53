/**
 * Several members' logs read as one: each member directory's node.log and round records,
 * labelled with the member's name in the consortium file (or its directory's name), and the
 * records of all of them in one time order. Times come from each member's own clock, so
 * across machines the order is only as good as their clock sync.
 */
import { readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { LogRecord } from '../logger.ts'
import { parseLogLines } from './log-file.ts'
import { readRoundRecords } from './round-records.ts'
import type { RoundView } from './round-records.ts'
import { selfPeer } from './round-summary.ts'

export const logPath = (dir: string): string => join(dir, 'node.log')

export interface MemberLog {
  readonly dir: string
  readonly label: string
  readonly path: string
  /** This member's peer id, from its `node-started` record (undefined if the log has none). */
  readonly peer?: string
  readonly records: LogRecord[]
  /** Bytes of node.log read (complete lines only when following from there). */
  readonly offset: number
  readonly rounds: RoundView[]
}

export interface Problem { readonly where: string, readonly why: string }

/** Members' names in the consortium file, by peer id. */
export type MemberNames = ReadonlyMap<string, string>

/**
 * Reads each directory's node.log (the caller checked it exists) and rounds/. A torn line or
 * an unreadable round record is a problem to report; the rest is read.
 */
export function readMemberLogs (dirs: readonly string[], names: MemberNames, completeLinesOnly: boolean): { members: MemberLog[], problems: Problem[] } {
  const problems: Problem[] = []
  const bases = dirs.map((d) => basename(resolve(d)))
  const members = dirs.map((dir, i) => {
    const path = logPath(dir)
    const bytes = readFileSync(path)
    const offset = completeLinesOnly ? bytes.lastIndexOf(0x0a) + 1 : bytes.length
    const { records, bad } = parseLogLines(bytes.subarray(0, offset).toString('utf8'))
    for (const b of bad) problems.push({ where: `${path}:${b.line}`, why: b.why })
    const rounds = readRoundRecords(dir)
    for (const b of rounds.bad) problems.push({ where: b.path, why: `not a readable round record (${b.why})` })
    const peer = selfPeer(records)
    // Two directories with the same name (a/m0, b/m0) keep their paths apart.
    const fallback = bases.filter((b) => b === bases[i]).length > 1 ? dir : bases[i]!
    const label = (peer !== undefined ? names.get(peer) : undefined) ?? fallback
    return { dir, label, path, records, offset, rounds: rounds.rounds, ...(peer !== undefined ? { peer } : {}) }
  })
  return { members, problems }
}

/** Every member's records in time order (a stable merge: ties keep member order, then line order). */
export function mergeByTime (members: ReadonlyArray<Pick<MemberLog, 'label' | 'records'>>): Array<{ label: string, record: LogRecord }> {
  const all = members.flatMap((m) => m.records.map((record) => ({ label: m.label, record })))
  return all.sort((a, b) => a.record.time < b.record.time ? -1 : a.record.time > b.record.time ? 1 : 0)
}
