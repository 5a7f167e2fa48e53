/**
 * Keeping members in phase. Each member moves through attempts on its own deadlines, so an
 * event only some members see (an ABORT sent to one member, a partition) leaves groups that
 * walk through attempts at the same pace but out of step — and when a session needs nearly
 * every member, no round completes again. Every member therefore announces each session it
 * begins (a POSITION frame; the transport authenticates the sender), and two rules bring the
 * groups back together, both moving forward only (backward moves on stale views thrash):
 *
 *  - catch up: a member follows to the latest session (this round or the next) that at least
 *    k = max(c + 1, n − t) other members have reached or passed — at least one honest member
 *    got there on its own deadline, and so many that the members behind could not complete a
 *    session alone;
 *  - wait: a member whose attempt ran out while fewer than k − 1 others had reached it does
 *    not run further ahead; it begins the same attempt again (fresh keys) until others
 *    arrive. The member furthest behind always advances, so the groups meet.
 *
 * Moving is safe for privacy: a member never sends a second masked input in a round (the
 * coordinator sits the round out instead), so another attempt only means fresh keys. A later
 * round is followed at most one round ahead at a time (claims further ahead count as the
 * next round's attempt 0: O(1) work, and the c corrupt members alone can move no one).
 */
export interface Position { readonly round: number, readonly attempt: number }

export const comparePositions = (a: Position, b: Position): number => a.round - b.round || a.attempt - b.attempt

export class Alignment {
  private readonly seen = new Map<string, Position & { at: number }>()

  constructor (private readonly self: string, private readonly quorum: number) {}

  /** A member's announced position; `at` (its own clock) orders its announcements. */
  observe (from: string, position: Position, at: number): boolean {
    const had = this.seen.get(from)
    if (from === this.self || (had !== undefined && had.at >= at)) return false
    this.seen.set(from, { ...position, at })
    return true
  }

  /**
   * The later session (in this round or the next) this member at `own` should move to, or
   * undefined: the latest one that at least `quorum` other members have reached or passed
   * (claims further ahead than the next round count as its attempt 0).
   */
  target (own: Position): Position | undefined {
    const ahead = this.others(own).filter((p) => comparePositions(p, own) > 0).sort((a, b) => comparePositions(b, a))
    return ahead.length >= this.quorum ? ahead[this.quorum - 1] : undefined
  }

  /**
   * Whether this member's attempt that ran out really had its chance: at least quorum − 1
   * other members reached it or passed it. Otherwise it is ahead of nearly everyone and waits
   * (the member furthest behind always advances, so they meet).
   */
  mayAdvance (own: Position): boolean {
    return this.others(own).filter((p) => comparePositions(p, own) >= 0).length >= this.quorum - 1
  }

  private others (own: Position): Position[] {
    return [...this.seen.values()].map((p) => (p.round > own.round + 1 ? { round: own.round + 1, attempt: 0 } : { round: p.round, attempt: p.attempt }))
  }
}
