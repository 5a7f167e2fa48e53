/**
 * `secagg consortium add FILE --member DIR`: lists a member from its own directory — the
 * peer id from DIR/identity.key, the addresses from DIR/config.json — so nothing is copied
 * by hand. A member is recognised by its Ed25519 key, not by how its peer id is spelt.
 */
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { consortiumDraftSchema, issueLines, memberKeyOf } from '../config/consortium.ts'
import { loadConsortiumDraft, saveConsortiumDraft } from '../config/consortium-draft.ts'
import { loadIdentity } from '../config/identity.ts'
import { tcpMultiaddrProblem, undialableReason } from '../config/multiaddr-text.ts'
import { loadNodeConfig } from '../config/node-dir.ts'
import { requirementLines } from './consortium-report.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const CONSORTIUM_ADD_HELP = `Usage: secagg consortium add FILE --member DIR [--address MULTIADDR ...] [--name NAME]

Lists the member whose directory is DIR (made by 'secagg init') in the consortium file FILE:
its peer id from DIR/identity.key, the addresses the other members dial from DIR/config.json
"listen" (or --address), its name from --name or DIR/config.json "name". Refuses a member
already listed (the same key, however its peer id is written) and a name already taken.
FILE is replaced atomically, and only if nothing else changed it meanwhile.

  --member DIR          the member's directory
  --address MULTIADDR   where the other members dial this one (repeatable); required when
                        it listens on 0.0.0.0, :: or port 0, which nobody else can dial
  --name NAME           a readable name (default: DIR/config.json "name")
`

/** Loading errors that name a file and the fix: bad usage (exit 2), not a crash. */
const INPUT_ERRORS = ['ConsortiumFileError', 'IdentityError', 'NodeDirError']

/** A --address: a TCP multiaddr the other members can dial. */
function dialAddressProblem (text: string): string | undefined {
  const problem = tcpMultiaddrProblem(text)
  if (problem !== undefined) return problem
  const why = undialableReason(text)
  return why === undefined ? undefined : `'${text}': ${why}; give the address the other members reach this one at`
}

/** The listen addresses, when every one of them can be dialled by the other members. */
function listenAddresses (listen: readonly string[], configPath: string): string[] {
  if (listen.length === 0) throw new UsageError(`${configPath} has no "listen" address; give the address the other members dial with --address, e.g. --address /ip4/<this machine's IP>/tcp/4001`)
  for (const text of listen) {
    const why = undialableReason(text)
    if (why === undefined) continue
    const port = multiaddr(text).getComponents().find((c) => c.name === 'tcp')?.value
    throw new UsageError(`${configPath} listens on '${text}': ${why}. Give the address the other members should dial with --address, ` +
      `e.g. --address /ip4/<this machine's IP>/tcp/${port === undefined || port === '0' ? '<a fixed listen port>' : port}`)
  }
  return [...listen]
}

export async function runConsortiumAdd (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    member: { type: 'string' }, address: { type: 'string', multiple: true }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' }
  }, 'consortium add', { words: true, check: { address: dialAddressProblem } })
  if (values.help === true) { io.stdout(CONSORTIUM_ADD_HELP); return 0 }
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0 || values.member === undefined) throw new UsageError('give the consortium FILE and --member DIR. Run \'secagg consortium add --help\'.')
  const dir = values.member
  let loaded, identity, config
  try {
    loaded = loadConsortiumDraft(file)
    identity = loadIdentity(dir)
    config = loadNodeConfig(dir)
  } catch (err) {
    if (isErrorNamed(err, ...INPUT_ERRORS)) throw new UsageError(err.message)
    throw err
  }
  const addresses = values.address !== undefined ? [...new Set(values.address)] : listenAddresses(config.listen, join(dir, 'config.json'))
  const members = loaded.draft.members
  const key = memberKeyOf(identity.peerId)
  const listed = members.findIndex((m) => memberKeyOf(m.peerId) === key)
  if (listed >= 0) {
    const as = members[listed]!.peerId === identity.peerId ? '' : ` (written as ${members[listed]!.peerId})`
    throw new UsageError(`${dir}'s peer ${identity.peerId} is already listed in ${file} as members.${listed}${as}; nothing was changed`)
  }
  const name = values.name ?? config.name
  if (name !== undefined && members.some((m) => m.name === name)) throw new UsageError(`${file} already lists a member named '${name}'; give this one another --name`)
  const entry = { peerId: identity.peerId, ...(name !== undefined ? { name } : {}), addresses }
  const json = { ...loaded.json, members: [...loaded.json.members, entry] }
  const parsed = consortiumDraftSchema.safeParse(json)
  if (!parsed.success) throw new UsageError(`the new member entry is invalid: ${issueLines(parsed.error.issues).join('; ')}`)
  try {
    saveConsortiumDraft(loaded, json)
  } catch (err) {
    if (isErrorNamed(err, ...INPUT_ERRORS)) throw new UsageError(err.message)
    throw err
  }
  io.stdout(`added ${name !== undefined ? `'${name}' ` : ''}${identity.peerId} to ${file} as members.${members.length}, dialled at ${addresses.join(' ')}`)
  const problems: string[] = []
  const lines = requirementLines(parsed.data, (p) => problems.push(p))
  for (const line of [...problems, ...lines]) io.stdout(`${file}: ${line}`)
  if (problems.length === 0) io.stdout(`copy ${file} to every member: all must start with the same file (its SHA-256 binds every session)`)
  return 0
}
