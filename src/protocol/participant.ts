/**
 * The participant role of Bonawitz et al. (CCS 2017), Figure 4, active-adversary variant,
 * with SecAgg+ neighbourhoods (Bell et al., CCS 2020). One object per session; it holds that
 * session's secrets only and erases them when the session ends.
 *
 * The checks that make an untrusted aggregator harmless, each an abort with a typed reason
 * (docs/PROTOCOL.md, "What each check defends against"):
 *   - every key entry it receives is a neighbour's, signed by that member, committed under the
 *     root the aggregator signed, and neither a low-order point nor a key seen twice;
 *   - a peer never holds, counts or releases shares of its own secrets: every step needs
 *     ≥ t live shareholders among its *other* neighbours (Fig. 4: |N(u) ∩ U_i| ≥ t, v ≠ u);
 *   - each share it receives carries its dealer's signature, checked before use;
 *   - U3 must hold at least c + 3 members and come back with Q > (n + c + 1)/2 (and ≥ t)
 *     valid signatures over the exact list this peer signed, so every honest member that
 *     reveals shares saw the same U3;
 *   - no request makes it release both the b-share and the s-share of one peer.
 */
import {
  aeadOpen, aeadSeal, addMasks, bytesEqual, concatBytes, ed25519Verify, forgetX25519Secret, isLowOrderX25519Point, shamirSplitAt, toHex,
  x25519KeyPair
} from '../crypto/index.ts'
import type { Ed25519Signer, MaskTerm, RandomSource, X25519KeyPair } from '../crypto/index.ts'
import { InvalidInputError, InvalidStateError } from './errors.ts'
import { verifyConsistencyCertificate } from './consistency-certificate.ts'
import { KeyEntryVerifier } from './key-commitment.ts'
import { MachineBase } from './machine-io.ts'
import type { SansIoMachine } from './machine-io.ts'
import { addEncodedInput, encodeInput } from './quantize.ts'
import type { AbortReason } from './reasons.ts'
import { openSession, pairSign } from './session-config.ts'
import { bitmapCount, bitmapPositions, bitmapProblem, hasMember, isSubset } from './member-bitmap.ts'
import type { Session, SessionConfig, StageTimeouts } from './session-config.ts'
import {
  advertisedKeysMessage, computeRoundSessionId, consistencyMessage, keyRootMessage, pairwiseMaskSeed, selfMaskSeed, shareBoxAssociatedData,
  shareEncryptionKey, shareRootMessage
} from './transcript.ts'
import { commitShares, shareProof, shareProofLength, verifyShare } from './share-commitment.ts'
import { HeldShareTable } from './held-shares.ts'
import type { ShareKind } from './transcript.ts'
import { decodeMessage, encodeMessage, shareBoxPlaintextBytes } from './wire/codec.ts'
import { MaskedInputFrame } from './wire/masked-input-frame.ts'
import type { Box, Message, ProvenKeys, RevealedShare } from './wire/codec.ts'

export interface ParticipantIdentity {
  readonly id: string
  readonly signer: Ed25519Signer
}

/** A neighbour's two public keys, views into one buffer per key list. */
interface NeighbourKeys {
  readonly encryptionKey: Uint8Array
  readonly maskingKey: Uint8Array
}

export class Participant extends MachineBase implements SansIoMachine {
  private readonly session: Session
  private readonly config: SessionConfig
  private readonly id: string
  private readonly index: number
  private readonly rng: RandomSource
  private readonly signer: Ed25519Signer
  /** N(u): fixed by the pre-session id, never includes this peer. */
  private readonly neighbours: ReadonlySet<string>
  private encryptionKeys: X25519KeyPair | undefined
  private maskingKeys: X25519KeyPair | undefined
  private selfMaskSecret: Uint8Array | undefined
  private sessionId: Uint8Array | undefined
  /** N(u) ∩ U1: the neighbours' keys, the only ones this peer ever sees. */
  private neighbourKeys = new Map<string, NeighbourKeys>()
  /**
   * The AEAD key of each neighbour's box pair, agreed once in step 1 and reused to open that
   * neighbour's box to this peer (the key is symmetric in u and v): one X25519 per neighbour,
   * not two. Secret; erased once the inbox is opened or the session ends.
   */
  private readonly boxKeys = new Map<string, Uint8Array>()
  /** Shares this peer holds, by owner: N(u) ∩ U2, never itself. */
  private held = new HeldShareTable(0, 0)
  /** Owners of the shares held (kept after the share values are erased, for retries). */
  private heldOwners: readonly string[] = []
  /** The quantized input, encoded straight into the outgoing message; masked in place. */
  private input: MaskedInputFrame | undefined
  private inputSet = false
  /** Whether `input` already carries the masks (put on before the input existed). */
  private inputMasked = false
  /**
   * The mask sum, computed when the shares arrived before the input (the member still
   * training): setInput adds the input onto it, so masking is off the path from a finished
   * update to the masked input. As secret as the seeds; wiped with them.
   */
  private premasked: MaskedInputFrame | undefined
  /** U3 as signed in step 3 (a member bitmap), to compare the unmask request against. */
  private signedSurvivors: Uint8Array | undefined
  /** The one kind of share released per owner, kept across retries. */
  private readonly released = new Map<string, ShareKind>()
  private releasedMessage: Uint8Array | undefined
  private started = false
  /** Coordinates clipped when encoding the input: local only, never sent. */
  clippedCoordinates = 0

  constructor (config: SessionConfig, identity: ParticipantIdentity, rng: RandomSource) {
    super()
    this.session = openSession(config)
    this.config = this.session.config // the validated snapshot, never the caller's object
    this.id = identity.id
    this.signer = identity.signer
    this.rng = rng
    const own = this.session.signingKeys.get(this.id)
    if (own === undefined) throw new InvalidStateError(`participant ${this.id} is not a member of the session`)
    if (!bytesEqual(own, identity.signer.publicKey)) throw new InvalidStateError(`participant ${this.id}: signer does not match the member's signing key`)
    this.index = this.session.memberIndex.get(this.id)!
    this.neighbours = this.session.graph.neighbours(this.id)
  }

  /** The session id once the key list arrived (public: it hashes public values only). */
  get roundSessionId (): Uint8Array | undefined { return this.sessionId }

  /**
   * Keys exchanged and neighbours' shares held, only the input missing: the session started
   * before local training finished, and masking starts the moment setInput is called.
   */
  get waitingForInput (): boolean {
    return this.stage === 'share' && this.held.size > 0 && !this.inputSet && !this.finished
  }

  /** Step 0: fresh key pairs, signed, sent to the aggregator. */
  start (now: number): void {
    if (this.started || this.finished) throw new InvalidStateError(this.started ? 'participant already started' : 'participant session already ended')
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

  /** The float update x, its weight (sample count) and, under DP, its noise share. Needed before step 2. */
  setInput (x: ArrayLike<number>, weight: number, now: number, noise?: Int32Array): void {
    if (this.inputSet) throw new InvalidStateError('input already set for this session')
    if (x.length !== this.config.vectorLength) throw new InvalidInputError(`input has ${x.length} coordinates, the session expects ${this.config.vectorLength}`)
    const premasked = this.premasked
    this.premasked = undefined
    const frame = premasked ?? new MaskedInputFrame(x.length + 1)
    try {
      this.clippedCoordinates = (premasked !== undefined ? addEncodedInput : encodeInput)(this.config.quantization, x, weight, frame.vector, noise).clipped
    } catch (err) {
      frame.wipe() // a NaN halfway through leaves a partial plaintext encoding behind
      throw err
    }
    if (this.finished) { // the session ended while the input was being computed: keep nothing
      frame.wipe()
      this.inputSet = true
      return
    }
    this.input = frame
    this.inputMasked = premasked !== undefined
    this.inputSet = true
    if (this.stage === 'share' && this.held.size > 0 && !this.finished) this.guard(now, () => this.sendMaskedInput(now))
  }

  protected onReceive (from: string, data: Uint8Array, now: number): void {
    if (from !== this.config.aggregator) return this.reject(from, 'not-from-aggregator', 'participants only take messages from the session aggregator')
    if (!this.started) return this.reject(from, 'unexpected-message', 'the participant has not advertised its keys yet')
    const decoded = decodeMessage(data, { maxPeers: this.session.memberIds.length, vectorWords: this.config.vectorLength + 1 })
    if (!decoded.ok) return this.reject(from, decoded.reason, decoded.detail)
    const msg = decoded.message
    if (msg.round !== this.config.round) return this.reject(from, 'session-mismatch', `round ${msg.round}, expected ${this.config.round}`)
    if (msg.kind === 'abort') {
      // An abort counts only with this session's binding (either id), from its aggregator.
      const bound = bytesEqual(msg.binding, this.session.preSessionId) || (this.sessionId !== undefined && bytesEqual(msg.binding, this.sessionId))
      return bound ? this.abort('aggregator-aborted', `aggregator aborted: ${msg.reason}`, now) : this.reject(from, 'session-mismatch', 'abort bound to another session')
    }
    const expectedBinding = msg.kind === 'key-list' ? this.session.preSessionId : this.sessionId
    if (expectedBinding === undefined || !bytesEqual(msg.binding, expectedBinding)) {
      return this.reject(from, msg.kind === 'key-list' || expectedBinding !== undefined ? 'session-mismatch' : 'unexpected-message', `${msg.kind} bound to another session`)
    }
    switch (msg.kind) {
      case 'key-list': return this.stage === 'advertise' ? this.onKeyList(msg, now) : this.reject(from, 'unexpected-message', `key-list in stage ${this.stage}`)
      case 'share-inbox': return this.stage === 'share' && this.held.size === 0 ? this.onShareInbox(msg.boxes, now) : this.reject(from, 'unexpected-message', `share-inbox in stage ${this.stage}`)
      case 'survivor-list': return this.stage === 'masked' ? this.onSurvivorList(msg.survivors, now) : this.reject(from, 'unexpected-message', `survivor-list in stage ${this.stage}`)
      case 'unmask-request': return this.stage === 'consistency' || this.stage === 'unmask' ? this.onUnmaskRequest(msg, now) : this.reject(from, 'unexpected-message', `unmask-request in stage ${this.stage}`)
      default: return this.reject(from, 'unexpected-message', `${msg.kind} is not sent to participants`)
    }
  }

  protected onTimeout (now: number): void {
    if (this.stage === 'unmask') {
      // Our shares are out and our secrets erased: the session is over for us.
      this.finish(now)
      return
    }
    this.abort('timeout', `no message from the aggregator before the ${this.stage} deadline`, now)
  }

  /** Checks one neighbour's entry: committed, signed, a usable and unique key pair. */
  private entryProblem (k: ProvenKeys, entries: KeyEntryVerifier, seen: Set<string>): [AbortReason, string] | undefined {
    if (!this.neighbours.has(k.peer)) return ['invalid-key-list', `the key list holds an entry for ${k.peer}, who is not a neighbour of this peer`]
    if (!entries.verify(k)) return ['invalid-key-list', `the entry of ${k.peer} is not committed under the key list's root`]
    if (!ed25519Verify(this.session.signingKeys.get(k.peer)!, advertisedKeysMessage(this.session.preSessionId, k.peer, k.encryptionKey, k.maskingKey), k.signature)) {
      return ['invalid-signature', `keys of ${k.peer} are not signed by ${k.peer}'s identity`]
    }
    for (const key of [k.encryptionKey, k.maskingKey]) {
      if (isLowOrderX25519Point(key)) return ['invalid-key-list', `a key of ${k.peer} is a low-order X25519 point`]
      const hex = toHex(key)
      if (seen.has(hex)) return ['invalid-key-list', `a key of ${k.peer} repeats a key already in the list (possibly this peer's own)`]
      seen.add(hex)
    }
    return undefined
  }

  private onKeyList (msg: Extract<Message, { kind: 'key-list' }>, now: number): void {
    const { preSessionId, signingKeys } = this.session
    if (!ed25519Verify(signingKeys.get(this.config.aggregator)!, keyRootMessage(preSessionId, msg.root), msg.signature)) {
      return this.abort('invalid-signature', 'the key list\'s root is not signed by the aggregator', now)
    }
    const own = msg.keys.find((k) => k.peer === this.id)
    const entries = new KeyEntryVerifier(this.session, msg.root)
    if (own === undefined || !bytesEqual(own.encryptionKey, this.encryptionKeys!.publicKey) || !bytesEqual(own.maskingKey, this.maskingKeys!.publicKey) ||
      !entries.verify(own)) {
      return this.abort('invalid-key-list', 'the key list omits, alters or does not commit this peer\'s own keys', now)
    }
    const seen = new Set([toHex(this.encryptionKeys!.publicKey), toHex(this.maskingKeys!.publicKey)])
    const keys = new Map<string, NeighbourKeys>()
    // Copies, since a view would keep the whole key-list message alive for the session; all
    // in one buffer, since 2k small buffers each cost a backing store, and the signatures,
    // checked here, are not kept.
    const slab = new Uint8Array(msg.keys.reduce((sum, k) => sum + k.encryptionKey.length + k.maskingKey.length, 0))
    let offset = 0
    const copy = (key: Uint8Array): Uint8Array => {
      slab.set(key, offset)
      offset += key.length
      return slab.subarray(offset - key.length, offset)
    }
    for (const k of msg.keys) {
      if (k.peer === this.id) continue
      const problem = this.entryProblem(k, entries, seen)
      if (problem !== undefined) return this.abort(problem[0], problem[1], now)
      keys.set(this.memberId(k.peer), { encryptionKey: copy(k.encryptionKey), maskingKey: copy(k.maskingKey) })
    }
    const t = this.config.threshold
    if (keys.size < t) return this.abort('not-enough-peers', `${keys.size} of this peer's neighbours advertised keys (U1, others only), threshold is ${t}`, now)
    this.neighbourKeys = keys
    this.sessionId = computeRoundSessionId(preSessionId, msg.root)
    this.sendShareBoxes(now)
  }

  /**
   * The session's own string for a member id read from a message. Every decoded message
   * carries fresh copies of the ids; kept as map keys for the whole session, they were ~185
   * strings per participant at n = 3,000 (a heap snapshot: 554,100 "peer-…" strings, 17.7 MB).
   * Called only with ids already checked to be neighbours; a non-member throws (an
   * internal-error abort) rather than filing secrets under an undefined key.
   */
  private memberId (peer: string): string {
    const index = this.session.memberIndex.get(peer)
    if (index === undefined) throw new InvalidStateError(`${peer} is not a member of this session`)
    return this.session.memberIds[index - 1]!
  }

  /** Step 1: Shamir-share s^SK and a fresh b among the neighbours in U1, never itself. */
  private sendShareBoxes (now: number): void {
    const sid = this.sessionId!
    const holders = [...this.neighbourKeys.keys()]
    const indices = holders.map((v) => this.session.memberIndex.get(v)!)
    this.selfMaskSecret = this.rng(32)
    const maskingShares = shamirSplitAt(this.maskingKeys!.secretKey, this.config.threshold, indices, this.rng)
    const selfShares = shamirSplitAt(this.selfMaskSecret, this.config.threshold, indices, this.rng)
    // One signature over a commitment to every share dealt (share-commitment.ts), not one per share.
    const commitment = commitShares(this.session, sid, this.id, new Map(holders.map((v, i) => [v, { masking: maskingShares[i]!.value, selfMask: selfShares[i]!.value }])))
    const rootSignature = this.signer.sign(shareRootMessage(sid, this.id, commitment.root))
    const boxes: Box[] = holders.map((v, i) => {
      const masking = maskingShares[i]!.value
      const selfMask = selfShares[i]!.value
      const plain = concatBytes(masking, selfMask, commitment.root, rootSignature, ...commitment.pairPath(v))
      const key = shareEncryptionKey(sid, this.encryptionKeys!.secretKey, this.neighbourKeys.get(v)!.encryptionKey, this.id, v)
      this.boxKeys.set(v, key)
      const box = { peer: v, ciphertext: aeadSeal(key, plain, shareBoxAssociatedData(sid, this.id, v), this.rng) }
      plain.fill(0); masking.fill(0); selfMask.fill(0)
      return box
    })
    this.toAggregator({ kind: 'share-keys', binding: sid, round: this.config.round, boxes })
    this.enterStage('share', now, this.waitFor('share'))
  }

  private onShareInbox (boxes: readonly Box[], now: number): void {
    const sid = this.sessionId!
    const held = new HeldShareTable(boxes.length, Math.max(0, ...boxes.map((b) => b.ciphertext.length)))
    const wipe = (): void => held.wipe()
    for (const box of boxes) {
      const sender = this.neighbourKeys.get(box.peer)
      if (sender === undefined) { wipe(); return this.abort('invalid-key-list', `share box from ${box.peer}, who is not a neighbour in U1`, now) }
      const key = this.boxKeys.get(box.peer) ?? shareEncryptionKey(sid, this.encryptionKeys!.secretKey, sender.encryptionKey, this.id, box.peer)
      let plain: Uint8Array
      try {
        plain = aeadOpen(key, box.ciphertext, shareBoxAssociatedData(sid, box.peer, this.id))
      } catch {
        wipe()
        return this.abort('decryption-failed', `share box from ${box.peer} failed authentication`, now)
      }
      const depth = shareProofLength(this.session, box.peer) - 1
      if (plain.length !== shareBoxPlaintextBytes(depth)) {
        plain.fill(0); wipe()
        return this.abort('invalid-share', `the box from ${box.peer} holds a path of the wrong depth for its commitment (${depth} hashes expected)`, now)
      }
      held.add(this.memberId(box.peer), plain)
      plain.fill(0)
      const shares = held.get(box.peer)!
      // The masking share's proof starts with the leaf hashed from the b share: one check binds both.
      if (!ed25519Verify(this.session.signingKeys.get(box.peer)!, shareRootMessage(sid, box.peer, shares.root), shares.rootSignature) ||
        !verifyShare(this.session, sid, box.peer, this.id, 'masking', shares.masking, shares.root,
          shareProof(this.session, sid, box.peer, this.id, 'masking', shares.selfMask, shares.path))) {
        wipe()
        return this.abort('invalid-share', `the shares from ${box.peer} are not committed under a root signed by ${box.peer}`, now)
      }
    }
    if (held.size < this.config.threshold) {
      wipe()
      return this.abort('not-enough-peers', `${held.size} neighbours of this peer sent shares (U2, others only), threshold is ${this.config.threshold}`, now)
    }
    this.forgetBoxKeys()
    this.held = held
    this.heldOwners = [...held.owners()]
    if (this.input !== undefined) return this.sendMaskedInput(now)
    this.deadline = now + this.config.stageTimeouts.masked // waiting for local training
    const premasked = new MaskedInputFrame(this.config.vectorLength + 1)
    try {
      addMasks(premasked.vector, this.maskTerms())
    } catch (err) {
      premasked.wipe() // part of a mask sum (an allocation failing at a large M): not left to the collector
      throw err
    }
    this.premasked = premasked
  }

  /**
   * Step 2: y = x + PRG(b) + Σ_{v ∈ U2 ∩ N(u)} sign(u,v)·PRG(s_uv) mod 2^32, computed in the
   * message buffer itself so masking needs no second copy of the vector.
   */
  private sendMaskedInput (now: number): void {
    const frame = this.input!
    if (!this.inputMasked) addMasks(frame.vector, this.maskTerms())
    this.input = undefined // the buffer is the outgoing message now: never wipe it
    this.send(this.config.aggregator, frame.seal(this.sessionId!, this.config.round))
    this.enterStage('masked', now, this.waitFor('masked'))
  }

  /** PRG(b) and ±PRG(s_uv) for every neighbour holding this peer's shares (U2 ∩ N(u)). */
  private maskTerms (): MaskTerm[] {
    const terms: MaskTerm[] = [{ seed: selfMaskSeed(this.sessionId!, this.selfMaskSecret!, this.id), sign: 1 }]
    for (const v of this.held.owners()) {
      terms.push({ seed: pairwiseMaskSeed(this.sessionId!, this.maskingKeys!.secretKey, this.neighbourKeys.get(v)!.maskingKey, this.id, v), sign: pairSign(this.id, v) })
    }
    return terms
  }

  /** Position of a member in the session's sorted member list (its bit in a member set). */
  private position (id: string): number {
    return this.session.memberIndex.get(id)! - 1
  }

  /** Step 3: sign U3 after checking it against what this peer saw. */
  private onSurvivorList (survivors: Uint8Array, now: number): void {
    const problem = bitmapProblem(this.session.memberIds.length, survivors)
    if (problem !== undefined) return this.abort('inconsistent-survivor-list', `U3 is not a set of this session's members: ${problem}`, now)
    if (!hasMember(survivors, this.index - 1)) return this.abort('not-included', 'this peer\'s masked input is not in U3', now)
    const count = bitmapCount(survivors)
    if (count < this.session.minSurvivors) {
      return this.abort('too-few-survivors', `U3 holds ${count} members; a sum over fewer than ${this.session.minSurvivors} (maxCorrupt + 3) could expose an input`, now)
    }
    for (const v of this.neighbours) {
      if (hasMember(survivors, this.position(v)) && !this.held.has(v)) return this.abort('inconsistent-survivor-list', `U3 lists neighbour ${v}, who never sent this peer shares (U3 ⊄ U2)`, now)
    }
    const live = this.heldOwners.filter((v) => hasMember(survivors, this.position(v))).length
    if (live < this.config.threshold) return this.abort('not-enough-peers', `${live} of this peer's shareholders survive in U3, threshold is ${this.config.threshold}`, now)
    this.signedSurvivors = survivors.slice()
    const signature = this.signer.sign(consistencyMessage(this.sessionId!, this.signedSurvivors))
    this.toAggregator({ kind: 'consistency-signature', binding: this.sessionId!, round: this.config.round, signature })
    this.enterStage('consistency', now, this.waitFor('consistency'))
  }

  /** Step 4: b-shares of survivors, s-shares of neighbours that dropped after sharing; never both. */
  private onUnmaskRequest (msg: Extract<Message, { kind: 'unmask-request' }>, now: number): void {
    const { survivors, signers, signatures } = msg
    const wanted: Array<[string, ShareKind]> = this.heldOwners.map((v) => [v, hasMember(survivors, this.position(v)) ? 'self-mask' : 'masking'])
    const conflict = wanted.find(([v, kind]) => this.released.has(v) && this.released.get(v) !== kind)
    if (conflict !== undefined) {
      return this.abort('both-shares-requested', `asked for the ${conflict[1]} share of ${conflict[0]} after releasing its ${this.released.get(conflict[0])} share`, now)
    }
    if (!bytesEqual(survivors, this.signedSurvivors!)) {
      return this.abort('inconsistent-survivor-list', 'the unmask request\'s U3 differs from the list this peer signed', now)
    }
    if (this.stage === 'unmask') { // an identical retry: send the same shares again
      if (this.releasedMessage !== undefined) this.send(this.config.aggregator, this.releasedMessage)
      return
    }
    const { memberIds } = this.session
    const problem = bitmapProblem(memberIds.length, signers)
    if (problem !== undefined) return this.abort('invalid-signature', `the signers are not a set of this session's members: ${problem}`, now)
    if (!isSubset(signers, survivors)) {
      const outsider = bitmapPositions(signers).find((p) => !hasMember(survivors, p))!
      return this.abort('invalid-signature', `consistency signature from ${memberIds[outsider]}, who is not in U3`, now)
    }
    // Q valid signatures over this exact U3 make it the only set any honest member reveals
    // shares for (threshold.ts, consistencyQuorum); checked in member order, the rest skipped.
    const quorum = this.session.consistencyQuorum
    const checked = verifyConsistencyCertificate(this.session, consistencyMessage(this.sessionId!, survivors), signers, signatures, quorum)
    if (checked.failedAt >= 0) return this.abort('invalid-signature', `consistency signature of ${memberIds[bitmapPositions(signers)[checked.failedAt]!]} does not verify`, now)
    if (checked.valid < quorum) return this.abort('not-enough-signatures', `${checked.valid} valid consistency signatures over this U3, ${quorum} needed (more than (n + c + 1)/2, at least t)`, now)
    const shares: RevealedShare[] = wanted.map(([owner, kind]) => {
      this.released.set(owner, kind)
      const held = this.held.get(owner)!
      // The proof of each kind starts with the other kind's leaf: a hash, never the share itself.
      const [value, other] = kind === 'self-mask' ? [held.selfMask, held.masking] : [held.masking, held.selfMask]
      const proof = shareProof(this.session, this.sessionId!, owner, this.id, kind, other, held.path)
      return { owner, selfMask: kind === 'self-mask', value: value.slice(), signature: held.rootSignature.slice(), root: held.root.slice(), proof }
    })
    this.releasedMessage = encodeMessage({ kind: 'unmask-shares', binding: this.sessionId!, round: this.config.round, shares })
    for (const s of shares) s.value.fill(0)
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

  /**
   * Ends the session from outside (the driver moved on: another attempt's result, a resync,
   * shutdown): every secret is erased now, not left to the garbage collector, and nothing
   * more is sent or released.
   */
  close (now: number): void {
    this.erase()
    this.releasedMessage = undefined
    if (!this.finished) this.enterStage('aborted', now, undefined)
  }

  protected abort (reason: AbortReason, detail: string, now: number): void {
    this.erase()
    this.releasedMessage = undefined
    this.enterStage('aborted', now, undefined)
    this.emit({ type: 'aborted', reason, detail, at: now })
  }

  private forgetBoxKeys (): void {
    for (const key of this.boxKeys.values()) key.fill(0)
    this.boxKeys.clear()
  }

  /** Per-session secrets do not outlive the session (docs/PROTOCOL.md, "Fresh secrets"). */
  private erase (): void {
    for (const pair of [this.encryptionKeys, this.maskingKeys]) {
      if (pair === undefined) continue
      forgetX25519Secret(pair.secretKey)
      pair.secretKey.fill(0)
    }
    this.selfMaskSecret?.fill(0)
    this.forgetBoxKeys()
    this.input?.wipe()
    this.input = undefined
    this.premasked?.wipe()
    this.premasked = undefined
    this.held.wipe()
  }
}
