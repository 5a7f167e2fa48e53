/**
 * `secagg consortium check FILE [--dir DIR ...]`: what the file implies for its rounds and
 * what would stop them — before any node starts. Exit 0 when it is usable, 2 with one line
 * per problem otherwise.
 */
import { createHash } from 'node:crypto'
import { canonicalPeerId, consortiumSchema, issueLines, memberKeyOf } from '../config/consortium.ts'
import type { ConsortiumDraft } from '../config/consortium.ts'
import { loadConsortiumDraft } from '../config/consortium-draft.ts'
import { loadIdentity } from '../config/identity.ts'
import { undialableReason } from '../config/multiaddr-text.ts'
import { loadNodeConfig } from '../config/node-dir.ts'
import { requirementLines } from './consortium-report.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const CONSORTIUM_CHECK_HELP = `Usage: secagg consortium check FILE [--dir DIR ...]

Validates the consortium file FILE and prints what it implies: n, maxCorrupt c, threshold
t, the graph and how many members must be online for a round. Problems — fewer than 3
members, a key listed twice, a member with no address or one nobody can dial (0.0.0.0,
::, port 0), a peer id not written the way 'secagg init' prints it — are printed one per
line on stderr, and the exit code is 2; 0 when the file is usable.

  --dir DIR   also check that the member in DIR is listed and that its identity.key
              and config.json load (repeatable)
`

function memberProblems (draft: ConsortiumDraft): string[] {
  const problems: string[] = []
  draft.members.forEach((m, i) => {
    const who = `members.${i}${m.name !== undefined ? ` ('${m.name}')` : ''}`
    if (m.addresses.length === 0) problems.push(`${who}: no addresses, so the other members cannot dial it; list where it listens`)
    m.addresses.forEach((a, j) => {
      const why = undialableReason(a)
      if (why !== undefined) problems.push(`members.${i}.addresses.${j}: '${a}': ${why}; write the address the other members reach it at`)
    })
    // Nodes match connections and signatures to members by the peer id as written.
    const canonical = canonicalPeerId(m.peerId)
    if (canonical !== undefined && canonical !== m.peerId) problems.push(`members.${i}.peerId: write it as ${canonical} (as 'secagg init' prints it); nodes compare peer ids as written`)
  })
  return problems
}

/** A member directory given with --dir: listed, and its identity and config load. */
function memberDirProblem (dir: string, draft: ConsortiumDraft, file: string): { problem: string } | { ok: string } {
  let peerId
  try {
    peerId = loadIdentity(dir).peerId
    loadNodeConfig(dir)
  } catch (err) {
    if (isErrorNamed(err, 'IdentityError', 'NodeDirError')) return { problem: `${dir}: ${err.message}` }
    throw err
  }
  const key = memberKeyOf(peerId)
  const i = draft.members.findIndex((m) => memberKeyOf(m.peerId) === key)
  if (i < 0) return { problem: `${dir}: its peer ${peerId} is not listed in ${file}; add it with 'secagg consortium add ${file} --member ${dir}'` }
  const name = draft.members[i]!.name
  return { ok: `members.${i}${name !== undefined ? ` ('${name}')` : ''}; identity.key and config.json load` }
}

export async function runConsortiumCheck (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, { dir: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, 'consortium check', { words: true })
  if (values.help === true) { io.stdout(CONSORTIUM_CHECK_HELP); return 0 }
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0) throw new UsageError('give one consortium FILE. Run \'secagg consortium check --help\'.')
  let loaded
  try {
    loaded = loadConsortiumDraft(file)
  } catch (err) {
    if (!isErrorNamed(err, 'ConsortiumFileError')) throw err
    io.stderr(err.message)
    return 2
  }
  const { draft } = loaded
  const problems: string[] = []
  const inFile = (p: string): void => { problems.push(`${file}: ${p}`) }
  const task = draft.task.type === 'vector-sum' ? `vector-sum (dim ${draft.task.dim})` : `train (${draft.task.classes.join(', ')})`
  io.stdout(`${file}: consortium '${draft.consortium}', task ${task}`)
  // Every member must run the very same bytes (the hash binds every session): on several
  // machines the members compare this line before they start.
  io.stdout(`  sha256 ${createHash('sha256').update(loaded.bytes).digest('hex')} (compare it on every member's copy)`)
  for (const line of requirementLines(draft, inFile)) io.stdout(`  ${line}`)
  memberProblems(draft).forEach(inFile)
  for (const dir of values.dir ?? []) {
    const status = memberDirProblem(dir, draft, file)
    if ('problem' in status) problems.push(status.problem)
    else io.stdout(`  ${dir}: ${status.ok}`)
  }
  // Whatever the checks above missed, start would refuse: report it the same way.
  if (problems.length === 0) {
    const full = consortiumSchema.safeParse(loaded.json)
    if (!full.success) issueLines(full.error.issues).forEach(inFile)
  }
  if (problems.length === 0) { io.stdout(`${file}: usable`); return 0 }
  for (const p of problems) io.stderr(p)
  return 2
}
