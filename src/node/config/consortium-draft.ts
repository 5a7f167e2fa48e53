/**
 * Reading and rewriting a consortium file that is still being assembled (`secagg consortium
 * new`, `add`): validated as a draft (any number of members), and rewritten from its own
 * JSON, so fields the operator wrote stay as written and no defaults are filled in. Every
 * member must run with the very same bytes (their SHA-256 binds each session), so the file
 * is replaced atomically and only if nobody changed it since it was read.
 */
import { readFileSync } from 'node:fs'
import { consortiumDraftSchema, ConsortiumFileError, issueLines, parseConsortiumJson, readConsortiumBytes } from './consortium.ts'
import type { ConsortiumDraft } from './consortium.ts'
import { writeAtomic } from './node-dir.ts'

export interface LoadedDraft {
  readonly path: string
  /** The bytes read: the file is rewritten only while it still holds them. */
  readonly bytes: Buffer
  /** The JSON as written, to be edited and written back. */
  readonly json: Record<string, unknown> & { members: unknown[] }
  /** The same, validated, with defaults filled in. */
  readonly draft: ConsortiumDraft
}

/** A ConsortiumFileError names the file and, for each invalid field, its path. */
export function loadConsortiumDraft (path: string): LoadedDraft {
  const bytes = readConsortiumBytes(path)
  const json = parseConsortiumJson(bytes, path)
  const parsed = consortiumDraftSchema.safeParse(json)
  if (!parsed.success) throw new ConsortiumFileError(`${path}: invalid consortium file\n${issueLines(parsed.error.issues).map((l) => `  ${l}`).join('\n')}`)
  return { path, bytes, json: json as LoadedDraft['json'], draft: parsed.data }
}

/** The file's text as `secagg consortium` writes it. */
export function consortiumText (json: object): string {
  return JSON.stringify(json, null, 2) + '\n'
}

/** Replaces the file with `json` (temp file + rename); refuses if it changed since `loaded` was read. */
export function saveConsortiumDraft (loaded: LoadedDraft, json: object): void {
  let now: Buffer
  try { now = readFileSync(loaded.path) } catch { now = Buffer.alloc(0) }
  if (!now.equals(loaded.bytes)) throw new ConsortiumFileError(`${loaded.path} changed while it was being edited; nothing was written — run the command again`)
  writeAtomic(loaded.path, consortiumText(json))
}
