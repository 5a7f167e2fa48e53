/**
 * The participant role of Bonawitz et al. (CCS 2017), Figure 4, active-adversary variant,
 * with SecAgg+ neighbourhoods (Bell et al. 2020). One object per session; it holds that
 * session's secrets only and erases them when the session ends (PROTOCOL-NOTES, invariant 5).
 *
 * Checks that make an untrusted aggregator harmless, each an abort with a typed reason:
 * forwarded keys must be signed by members and distinct; every step needs ≥ t live
 * shareholders in this peer's neighbourhood; U3 must come back with ≥ t valid signatures over
 * the exact list this peer signed; and no request can make it release both the b-share and
 * the s-share of one peer (invariant 1), whatever it is asked, across retries.
 */
import {
  aeadOpen, aeadSeal, addMasks, assertEd25519Signature, bytesEqual, concatBytes, ed25519Verify, forgetX25519Secret, shamirSplitAt, x25519KeyPair, SHAMIR_SHARE_BYTES
} from '../crypto/index.ts'
import type { Ed25519Signer, MaskTerm, RandomSource, X25519KeyPair } from '../crypto/index.ts'
import { InvalidInputError, InvalidStateError } from './errors.ts'
import { MachineBase } from './machine-io.ts'
import type { SansIoMachine } from './machine-io.ts'
import { encodeInput } from './quantize.ts'
import type { AbortReason } from './reasons.ts'
import { openSession, pairSign, sessionGraph } from './session-config.ts'
import type { Session, SessionConfig, StageTimeouts } from './session-config.ts'
import {
  advertisedKeysMessage, computeRoundSessionId, consistencyMessage, pairwiseMaskSeed, selfMaskSeed, shareBoxAssociatedData, shareEncryptionKey
} from './transcript.ts'
import type { AdvertisedKeys } from './transcript.ts'
import { decodeMessage, encodeMessage } from './wire/codec.ts'
import { MaskedInputFrame } from './wire/masked-input-frame.ts'
import type { Box, Message, RevealedShare } from './wire/codec.ts'
import type { NeighbourGraph } from './neighbour-graph.ts'

export interface ParticipantIdentity {
  readonly id: string
  readonly signer: Ed25519Signer
}

interface HeldShares { readonly masking: Uint8Array, readonly selfMask: Uint8Array }

export class Participant extends MachineBase implements SansIoMachine {
  private readonly session: Session
  private readonly config: SessionConfig
  private readonly id: string
  private readonly rng: RandomSource
  private readonly signer: Ed25519Signer
  private encryptionKeys: X25519KeyPair | undefined
  private maskingKeys: X25519KeyPair | undefined
  private selfMaskSecret: Uint8Array | undefined
  private sessionId: Uint8Array | undefined
  private graph: NeighbourGraph | undefined
  private keysByPeer = new Map<string, AdvertisedKeys>()
  /** Shares this peer holds, by owner (including its own), from U2 ∩ H(u). */
  private held = new Map<string, HeldShares>()
  /** Owners of the shares held (kept after the share values are erased, for retries). */
  private heldOwners: readonly string[] = []
  /** The quantized input, encoded straight into the outgoing message; masked in place. */
  private input: MaskedInputFrame | undefined
  private inputSet = false
  private signedSurvivors: readonly string[] | undefined
  /** Invariant 1: the one kind of share released per owner, kept across retries. */
  private readonly released = new Map<string, 'self-mask' | 'masking'>()
  private releasedMessage: Uint8Array | undefined
  private started = false
  /** Coordinates clipped when encoding the input: local only, never sent. */
  clippedCoordinates = 0

  constructor (config: SessionConfig, identity: ParticipantIdentity, rng: RandomSource) {
    super()
    this.session = openSession(config)
    this.config = config
    this.id = identity.id
    this.signer = identity.signer
    this.rng = rng
    const own = this.session.signingKeys.get(this.id)
    if (own === undefined) throw new InvalidStateError(`participant ${this.id} is not a member of the session`)
    if (!bytesEqual(own, identity.signer.publicKey)) throw new InvalidStateError(`participant ${this.id}: signer does not match the member's signing key`)
  }

  /** The session id once the key list arrived (public: it hashes public keys only). */
  get roundSessionId (): Uint8Array | undefined { return this.sessionId }

  /** Step 0: fresh key pairs, signed, sent to the aggregator. */
  start (now: number): void {
    if (this.started) throw new InvalidStateError('participant already started')
    this.started = true
    this.encryptionKeys = x25519KeyPair(this.rng)
    this.maskingKeys = x25519KeyPair(this.rng)
    const { preSessionId } = this.session
    const signature = this.signer.sign(advertisedKeysMessage(preSessionId, this.id, this.encryptionKeys.publicKey, this.maskingKeys.publicKey))
    this.toAggregator({
      kind: 'advertise-keys', binding: preSessionId, round: this.config.round,
      keys: { peer: this.id, encryptionKey: this.encryptionKeys.publicKey, maskingKey: this.maskingKeys.publicKey, signature }
    })
    this.enterStage('advertise', now, this.waitFor('advertise'))
  }

  /** The float update x and its weight (sample count). Needed before step 2. */
  setInput (x: ArrayLike<number>, weight: number, now: number): void {
    if (this.inputSet) throw new InvalidStateError('input already set for this session')
    if (x.length !== this.config.vectorLength) throw new InvalidInputError(`input has ${x.length} coordinates, the session expects ${this.config.vectorLength}`)
    const frame = new MaskedInputFrame(x.length + 1)
    try {
      this.clippedCoordinates = encodeInput(this.config.quantization, x, weight, frame.vector).clipped
    } catch (err) {
      frame.wipe() // a NaN halfway through leaves a partial plaintext encoding behind
      throw err
    }
    this.input = frame
    this.inputSet = true
    if (this.stage === 'share' && this.held.size > 0 && !this.finished) this.sendMaskedInput(now)
  }

  receive (from: string, data: Uint8Array, now: number): void {
    if (this.finished) return
    if (from !== this.config.aggregator) return this.reject(from, 'not-from-aggregator', 'participants only take messages from the session aggregator')
    const decoded = decodeMessage(data, { maxPeers: this.session.memberIds.length, vectorWords: this.config.vectorLength + 1 })
    if (!decoded.ok) return this.reject(from, decoded.reason, decoded.detail)
    const msg = decoded.message
    if (msg.round !== this.config.round) return this.reject(from, 'session-mismatch', `round ${msg.round}, expected ${this.config.round}`)
    const expectedBinding = msg.kind === 'key-list' ? this.session.preSessionId : this.sessionId
    if (msg.kind !== 'abort' && (expectedBinding === undefined || !bytesEqual(msg.binding, expectedBinding))) {
      return this.reject(from, msg.kind === 'key-list' || expectedBinding !== undefined ? 'session-mismatch' : 'unexpected-message', `${msg.kind} bound to another session`)
    }
    switch (msg.kind) {
      case 'key-list': return this.stage === 'advertise' ? this.onKeyList(msg.keys, now) : this.reject(from, 'unexpected-message', `key-list in stage ${this.stage}`)
      case 'share-inbox': return this.stage === 'share' && this.held.size === 0 ? this.onShareInbox(msg.boxes, now) : this.reject(from, 'unexpected-message', `share-inbox in stage ${this.stage}`)
      case 'survivor-list': return this.stage === 'masked' ? this.onSurvivorList(msg.peers, now) : this.reject(from, 'unexpected-message', `survivor-list in stage ${this.stage}`)
      case 'unmask-request': return this.stage === 'consistency' || this.stage === 'unmask' ? this.onUnmaskRequest(msg.peers, msg.signatures, now) : this.reject(from, 'unexpected-message', `unmask-request in stage ${this.stage}`)
      case 'abort': return this.abort('aggregator-aborted', `aggregator aborted: ${msg.reason}`, now)
      default: return this.reject(from, 'unexpected-message', `${msg.kind} is not sent to participants`)
    }
  }

  handleTimeout (now: number): void {
    if (this.finished || this.deadline === undefined || now < this.deadline) return
    if (this.stage === 'unmask') {
      // Our shares are out and our secrets erased: the session is over for us.
      this.finish(now)
      return
    }
    this.abort('timeout', `no message from the aggregator before the ${this.stage} deadline`, now)
  }

  private holders (): Set<string> {
    const set = new Set(this.graph!.neighbours(this.id))
    set.add(this.id)
    return set
  }

  private onKeyList (keys: readonly AdvertisedKeys[], now: number): void {
    const own = keys.find((k) => k.peer === this.id)
    if (own === undefined || !bytesEqual(own.encryptionKey, this.encryptionKeys!.publicKey) || !bytesEqual(own.maskingKey, this.maskingKeys!.publicKey)) {
      return this.abort('invalid-key-list', 'the key list omits or alters this peer\'s own keys', now)
    }
    const seen = new Set<string>()
    for (const k of keys) {
      if (!this.session.memberIndex.has(k.peer)) return this.abort('invalid-key-list', `the key list names non-member ${k.peer}`, now)
      for (const key of [k.encryptionKey, k.maskingKey]) {
        const hex = Buffer.from(key).toString('hex')
        if (seen.has(hex)) return this.abort('invalid-key-list', `public key of ${k.peer} appears twice in the key list`, now)
        seen.add(hex)
      }
    }
    this.sessionId = computeRoundSessionId(this.session.preSessionId, keys)
    this.graph = sessionGraph(this.session, this.sessionId)
    this.keysByPeer = new Map(keys.map((k) => [k.peer, k]))
    const holders = [...this.holders()].filter((v) => this.keysByPeer.has(v))
    if (holders.length < this.config.threshold) {
      return this.abort('not-enough-peers', `${holders.length} of this peer's shareholders advertised keys, threshold is ${this.config.threshold}`, now)
    }
    for (const v of holders) {
      const k = this.keysByPeer.get(v)!
      if (!ed25519Verify(this.session.signingKeys.get(v)!, advertisedKeysMessage(this.session.preSessionId, v, k.encryptionKey, k.maskingKey), k.signature)) {
        return this.abort('invalid-signature', `keys of ${v} are not signed by ${v}'s identity`, now)
      }
    }
    // Step 1: Shamir-share s^SK and a fresh b among the shareholders, at their member indices.
    this.selfMaskSecret = this.rng(32)
    const indices = holders.map((v) => this.session.memberIndex.get(v)!)
    const maskingShares = shamirSplitAt(this.maskingKeys!.secretKey, this.config.threshold, indices, this.rng)
    const selfShares = shamirSplitAt(this.selfMaskSecret, this.config.threshold, indices, this.rng)
    const boxes: Box[] = []
    holders.forEach((v, i) => {
      const shares = { masking: maskingShares[i]!.value, selfMask: selfShares[i]!.value }
      if (v === this.id) { this.ownShares = shares; return }
      const key = shareEncryptionKey(this.sessionId!, this.encryptionKeys!.secretKey, this.keysByPeer.get(v)!.encryptionKey, this.id, v)
      boxes.push({ peer: v, ciphertext: aeadSeal(key, concatBytes(shares.masking, shares.selfMask), shareBoxAssociatedData(this.sessionId!, this.id, v), this.rng) })
    })
    this.toAggregator({ kind: 'share-keys', binding: this.sessionId, round: this.config.round, boxes })
    this.enterStage('share', now, this.waitFor('share'))
  }

  private ownShares: HeldShares | undefined

  private onShareInbox (boxes: readonly Box[], now: number): void {
    const neighbours = this.graph!.neighbours(this.id)
    const held = new Map<string, HeldShares>([[this.id, this.ownShares!]])
    for (const box of boxes) {
      const sender = this.keysByPeer.get(box.peer)
      if (sender === undefined || !neighbours.has(box.peer)) return this.abort('invalid-key-list', `share box from ${box.peer}, who is not a neighbour in U1`, now)
      const key = shareEncryptionKey(this.sessionId!, this.encryptionKeys!.secretKey, sender.encryptionKey, this.id, box.peer)
      let plain: Uint8Array
      try {
        plain = aeadOpen(key, box.ciphertext, shareBoxAssociatedData(this.sessionId!, box.peer, this.id))
      } catch {
        return this.abort('decryption-failed', `share box from ${box.peer} failed authentication`, now)
      }
      held.set(box.peer, { masking: plain.subarray(0, SHAMIR_SHARE_BYTES), selfMask: plain.subarray(SHAMIR_SHARE_BYTES) })
    }
    if (held.size < this.config.threshold) {
      return this.abort('not-enough-peers', `${held.size} shareholders of this peer's neighbourhood sent shares (U2), threshold is ${this.config.threshold}`, now)
    }
    this.held = held
    this.heldOwners = [...held.keys()]
    if (this.input !== undefined) this.sendMaskedInput(now)
    else this.deadline = now + this.config.stageTimeouts.masked // waiting for local training
  }

  /**
   * Step 2: y = x + PRG(b) + Σ_{v ∈ U2 ∩ N(u)} sign(u,v)·PRG(s_uv) mod 2^32, computed in the
   * message buffer itself so masking needs no second copy of the vector.
   */
  private sendMaskedInput (now: number): void {
    const frame = this.input!
    const terms: MaskTerm[] = [{ seed: selfMaskSeed(this.sessionId!, this.selfMaskSecret!, this.id), sign: 1 }]
    for (const v of this.held.keys()) {
      if (v === this.id) continue
      terms.push({ seed: pairwiseMaskSeed(this.sessionId!, this.maskingKeys!.secretKey, this.keysByPeer.get(v)!.maskingKey, this.id, v), sign: pairSign(this.id, v) })
    }
    addMasks(frame.vector, terms)
    this.input = undefined // the buffer is the outgoing message now: never wipe it
    this.send(this.config.aggregator, frame.seal(this.sessionId!, this.config.round))
    this.enterStage('masked', now, this.waitFor('masked'))
  }

  /** Step 3: sign U3 after checking it against what this peer saw. */
  private onSurvivorList (survivors: readonly string[], now: number): void {
    const set = new Set(survivors)
    if (!set.has(this.id)) return this.abort('not-included', 'this peer\'s masked input is not in U3', now)
    for (const v of survivors) {
      if (!this.keysByPeer.has(v)) return this.abort('inconsistent-survivor-list', `U3 lists ${v}, who is not in U1`, now)
      if (this.graph!.neighbours(this.id).has(v) && !this.held.has(v)) return this.abort('inconsistent-survivor-list', `U3 lists neighbour ${v}, who never sent shares (U3 ⊄ U2)`, now)
    }
    const live = [...this.held.keys()].filter((v) => set.has(v)).length
    if (live < this.config.threshold) return this.abort('not-enough-peers', `${live} shareholders of this peer survive in U3, threshold is ${this.config.threshold}`, now)
    this.signedSurvivors = [...survivors].sort()
    const signature = this.signer.sign(consistencyMessage(this.sessionId!, this.signedSurvivors))
    this.toAggregator({ kind: 'consistency-signature', binding: this.sessionId!, round: this.config.round, signature })
    this.enterStage('consistency', now, this.waitFor('consistency'))
  }

  /** Step 4: b-shares of survivors, s-shares of peers that dropped after sharing; never both. */
  private onUnmaskRequest (survivors: readonly string[], signatures: ReadonlyArray<{ peer: string, signature: Uint8Array }>, now: number): void {
    const u3 = new Set(survivors)
    const wanted: Array<[string, 'self-mask' | 'masking']> = this.heldOwners.map((v) => [v, u3.has(v) ? 'self-mask' : 'masking'])
    const conflict = wanted.find(([v, kind]) => this.released.has(v) && this.released.get(v) !== kind)
    if (conflict !== undefined) {
      return this.abort('both-shares-requested', `asked for the ${conflict[1]} share of ${conflict[0]} after releasing its ${this.released.get(conflict[0])} share`, now)
    }
    const sorted = [...survivors].sort()
    if (sorted.length !== this.signedSurvivors!.length || sorted.some((v, i) => v !== this.signedSurvivors![i])) {
      return this.abort('inconsistent-survivor-list', 'the unmask request\'s U3 differs from the list this peer signed', now)
    }
    if (this.stage === 'unmask') { // an identical retry: send the same shares again
      this.send(this.config.aggregator, this.releasedMessage!)
      return
    }
    const message = consistencyMessage(this.sessionId!, sorted)
    let valid = 0
    for (const { peer, signature } of signatures) {
      if (!u3.has(peer)) return this.abort('invalid-signature', `consistency signature from ${peer}, who is not in U3`, now)
      try {
        assertEd25519Signature(this.session.signingKeys.get(peer)!, message, signature, `consistency signature of ${peer}`)
      } catch (err) {
        return this.abort('invalid-signature', (err as Error).message, now)
      }
      // t valid signatures over this exact list suffice (invariant 3); skip checking the rest.
      if (++valid >= this.config.threshold) break
    }
    if (valid < this.config.threshold) return this.abort('not-enough-signatures', `${valid} valid consistency signatures, threshold is ${this.config.threshold}`, now)
    const shares: RevealedShare[] = wanted.map(([owner, kind]) => {
      this.released.set(owner, kind)
      const held = this.held.get(owner)!
      return { owner, selfMask: kind === 'self-mask', value: kind === 'self-mask' ? held.selfMask : held.masking }
    })
    this.releasedMessage = encodeMessage({ kind: 'unmask-shares', binding: this.sessionId!, round: this.config.round, shares })
    this.send(this.config.aggregator, this.releasedMessage)
    this.erase()
    // Stay in 'unmask' until the deadline only to answer an identical retry (lost message)
    // and to refuse a conflicting one; every secret is already erased.
    this.enterStage('unmask', now, this.waitFor('unmask'))
    this.emit({ type: 'completed', at: now })
  }

  /**
   * How long to wait for the aggregator's next message: it may itself wait a full stage
   * timeout for stragglers before answering, so a participant allows two.
   */
  private waitFor (stage: keyof StageTimeouts): number {
    return 2 * this.config.stageTimeouts[stage]
  }

  private toAggregator (msg: Message): void {
    this.send(this.config.aggregator, encodeMessage(msg))
  }

  private finish (now: number): void {
    this.releasedMessage = undefined
    this.enterStage('done', now, undefined)
  }

  private abort (reason: AbortReason, detail: string, now: number): void {
    this.erase()
    this.enterStage('aborted', now, undefined)
    this.emit({ type: 'aborted', reason, detail, at: now })
  }

  /** Invariant 5: per-session secrets do not outlive the session. */
  private erase (): void {
    for (const pair of [this.encryptionKeys, this.maskingKeys]) {
      if (pair === undefined) continue
      forgetX25519Secret(pair.secretKey)
      pair.secretKey.fill(0)
    }
    this.selfMaskSecret?.fill(0)
    this.input?.wipe()
    this.input = undefined
    for (const h of this.held.values()) { h.masking.fill(0); h.selfMask.fill(0) }
    this.held.clear()
  }
}
