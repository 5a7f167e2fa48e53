/**
 * The echoes of recent rounds' results (result-echo.ts): at most one per member and round,
 * the first one kept. A second, different echo from one member is reported — an honest
 * member never sends one — and not counted.
 */
import { bytesEqual, toHex } from '../crypto/index.ts'
import type { ResultEcho } from './wire/round.generated.ts'

export interface TalliedEcho { readonly attempt: number, readonly echo: ResultEcho }

export class EchoTally {
  private readonly rounds = new Map<number, Map<string, TalliedEcho>>()

  /** 'new', 'duplicate' (the same echo again) or 'conflict' (another digest from the same member). */
  add (round: number, attempt: number, echo: ResultEcho): 'new' | 'duplicate' | 'conflict' {
    const byPeer = this.rounds.get(round) ?? new Map<string, TalliedEcho>()
    this.rounds.set(round, byPeer)
    const had = byPeer.get(echo.peer)
    if (had !== undefined) return had.attempt === attempt && bytesEqual(had.echo.digest, echo.digest) ? 'duplicate' : 'conflict'
    byPeer.set(echo.peer, { attempt, echo })
    return 'new'
  }

  /** The echoes of `round` for (attempt, digest). */
  matching (round: number, attempt: number, digest: Uint8Array): ResultEcho[] {
    const out: ResultEcho[] = []
    for (const t of this.rounds.get(round)?.values() ?? []) if (t.attempt === attempt && bytesEqual(t.echo.digest, digest)) out.push(t.echo)
    return out
  }

  /** The digests echoed for `round`, with how many members echoed each (for logs). */
  summary (round: number): Record<string, number> {
    const out: Record<string, number> = {}
    for (const t of this.rounds.get(round)?.values() ?? []) {
      const k = `${t.attempt}:${toHex(t.echo.digest).slice(0, 16)}`
      out[k] = (out[k] ?? 0) + 1
    }
    return out
  }

  /** Forgets every round before `round`. */
  prune (round: number): void {
    for (const r of this.rounds.keys()) if (r < round) this.rounds.delete(r)
  }
}
