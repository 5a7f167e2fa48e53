/**
 * The aggregator ("server") role of Bonawitz et al. (CCS 2017), Figure 4, played for one
 * session by one member. It is untrusted: it only collects, forwards and sums, and every
 * secret it could misuse is protected by the participants' checks. Like fcp's server states,
 * it accumulates messages per stage and advances when every expected peer has answered or the
 * stage deadline passes; too few peers at any step aborts with a typed reason.
 *
 * An honest aggregator also keeps misbehaving *members* from spoiling the round: it refuses
 * low-order or copied keys, share messages that skip a neighbour, and revealed shares whose
 * dealer signature fails (naming the holder); and it never announces a result outside the
 * bounds every honest sum obeys. It never stores an individual masked input.
 */
import { addVectorInPlace, bytesEqual, ed25519Verify, isLowOrderX25519Point, toHex } from '../crypto/index.ts'
import type { Ed25519Signer, Share } from '../crypto/index.ts'
import { InvalidStateError } from './errors.ts'
import { commitKeys } from './key-commitment.ts'
import { MachineBase } from './machine-io.ts'
import type { SansIoMachine } from './machine-io.ts'
import type { AbortReason } from './reasons.ts'
import { resultBoundsViolation } from './result-bounds.ts'
import { openSession } from './session-config.ts'
import type { Session, SessionConfig } from './session-config.ts'
import { advertisedKeysMessage, computeRoundSessionId, consistencyMessage, keyRootMessage, shareRootMessage } from './transcript.ts'
import { ShareVerifier } from './share-commitment.ts'
import { memberBitmap, packSignatures } from './member-bitmap.ts'
import type { AdvertisedKeys } from './transcript.ts'
import { unmaskSum } from './unmask.ts'
import { decodeMessage, encodeMessage } from './wire/codec.ts'
import type { Box, Message, RevealedShare } from './wire/codec.ts'

export interface AggregatorIdentity {
  readonly id: string
  readonly signer: Ed25519Signer
}

export class Aggregator extends MachineBase implements SansIoMachine {
  private readonly session: Session
  private readonly config: SessionConfig
  private readonly signer: Ed25519Signer
  private readonly keys = new Map<string, AdvertisedKeys>()             // U1
  private readonly advertisedKeyHex = new Set<string>()
  private readonly boxes = new Map<string, readonly Box[]>()            // U2: sender -> boxes (emptied once forwarded)
  private readonly maskedFrom = new Set<string>()                       // U3
  private readonly consistency = new Map<string, Uint8Array>()          // U4: signer -> signature
  private readonly answered = new Set<string>()                         // U5: holders that revealed shares
  /**
   * owner -> its secret's valid shares so far, values copied out of the messages (which are
   * then garbage: at n = 10,000, keeping every decoded share with its proof held ~400 MB).
   */
  private readonly sharesByOwner = new Map<string, Share[]>()
  private readonly shareCounts = new Map<string, number>()
  /** Per dealer: the first share root (and its signature) verified this session. */
  private readonly verifiedRoots = new Map<string, { root: Uint8Array, signature: Uint8Array }>()
  /** Share proofs checked so far, per dealer's tree (created in the unmask stage). */
  private verifier: ShareVerifier | undefined
  /** Owners in U2 whose secret (b or s^SK) already has t valid shares. */
  private secretsReady = 0
  private sum: Uint32Array
  private sessionId: Uint8Array | undefined
  private keysRoot: Uint8Array | undefined
  private survivors: readonly string[] = []
  /** U3 as sent: a bitmap over the sorted members. */
  private survivorBits: Uint8Array | undefined
  /** What each survivor signs in step 3, built once per session, not once per signature. */
  private consistencyBytes: Uint8Array | undefined
  private started = false

  constructor (config: SessionConfig, identity: AggregatorIdentity) {
    super()
    this.session = openSession(config)
    this.config = this.session.config // the validated snapshot, never the caller's object
    if (identity.id !== config.aggregator) throw new InvalidStateError(`${identity.id} is not the aggregator of this session (${config.aggregator} is)`)
    if (!bytesEqual(this.session.signingKeys.get(identity.id)!, identity.signer.publicKey)) throw new InvalidStateError(`aggregator ${identity.id}: signer does not match the member's signing key`)
    this.signer = identity.signer
    this.sum = new Uint32Array(config.vectorLength + 1)
  }

  start (now: number): void {
    if (this.started) throw new InvalidStateError('aggregator already started')
    this.started = true
    this.enterStage('advertise', now, this.config.stageTimeouts.advertise)
  }

  protected onReceive (from: string, data: Uint8Array, now: number): void {
    if (!this.session.memberIndex.has(from)) return this.reject(from, 'non-member', `${from} is not a consortium member`)
    const decoded = decodeMessage(data, { maxPeers: this.session.memberIds.length, vectorWords: this.config.vectorLength + 1 })
    if (!decoded.ok) return this.reject(from, decoded.reason, decoded.detail)
    const msg = decoded.message
    const binding = msg.kind === 'advertise-keys' ? this.session.preSessionId : this.sessionId
    if (msg.round !== this.config.round || binding === undefined || !bytesEqual(msg.binding, binding)) {
      return this.reject(from, binding === undefined ? 'unexpected-message' : 'session-mismatch', `${msg.kind} is not bound to this session`)
    }
    const expected: Partial<Record<Message['kind'], string>> = {
      'advertise-keys': 'advertise', 'share-keys': 'share', 'masked-input': 'masked', 'consistency-signature': 'consistency', 'unmask-shares': 'unmask'
    }
    if (expected[msg.kind] !== this.stage) return this.reject(from, 'unexpected-message', `${msg.kind} in stage ${this.stage}`)
    switch (msg.kind) {
      case 'advertise-keys': this.onAdvertise(from, msg.keys, now); break
      case 'share-keys': this.onShareKeys(from, msg.boxes, now); break
      case 'masked-input': this.onMaskedInput(from, msg.vector, now); break
      case 'consistency-signature': this.onConsistency(from, msg.signature, now); break
      case 'unmask-shares': this.onUnmaskShares(from, msg.shares, now); break
      default: break
    }
  }

  protected onTimeout (now: number): void {
    this.advance(now)
  }

  private onAdvertise (from: string, keys: AdvertisedKeys, now: number): void {
    if (keys.peer !== from) return this.reject(from, 'malformed', `advertised keys name ${keys.peer}, sent by ${from}`)
    if (this.keys.has(from)) return this.reject(from, 'duplicate', 'keys already advertised')
    if (!ed25519Verify(this.session.signingKeys.get(from)!, advertisedKeysMessage(this.session.preSessionId, from, keys.encryptionKey, keys.maskingKey), keys.signature)) {
      return this.reject(from, 'invalid-signature', 'advertised keys are not signed by the member\'s identity')
    }
    const hex = [toHex(keys.encryptionKey), toHex(keys.maskingKey)]
    if (isLowOrderX25519Point(keys.encryptionKey) || isLowOrderX25519Point(keys.maskingKey)) return this.reject(from, 'invalid-key', 'an advertised key is a low-order X25519 point')
    if (hex[0] === hex[1] || hex.some((h) => this.advertisedKeyHex.has(h))) return this.reject(from, 'invalid-key', 'an advertised key repeats a key already advertised')
    for (const h of hex) this.advertisedKeyHex.add(h)
    this.keys.set(from, keys)
    if (this.keys.size === this.session.memberIds.length) this.advance(now)
  }

  /** A member must send a box to every neighbour in U1, or its neighbours could not check U3. */
  private onShareKeys (from: string, boxes: readonly Box[], now: number): void {
    if (!this.keys.has(from)) return this.reject(from, 'not-expected-sender', 'did not advertise keys (not in U1)')
    if (this.boxes.has(from)) return this.reject(from, 'duplicate', 'shares already sent')
    const neighbours = this.session.graph.neighbours(from)
    const bad = boxes.find((b) => !neighbours.has(b.peer) || !this.keys.has(b.peer))
    if (bad !== undefined) return this.reject(from, 'malformed', `share box addressed to ${bad.peer}, not a neighbour in U1`)
    const due = [...neighbours].filter((v) => this.keys.has(v))
    if (boxes.length !== due.length) {
      const missing = due.filter((v) => !boxes.some((b) => b.peer === v))
      return this.reject(from, 'missing-boxes', `no share box for ${missing.length} neighbour(s) in U1 (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`)
    }
    this.boxes.set(from, boxes)
    if (this.boxes.size === this.keys.size) this.advance(now)
  }

  private onMaskedInput (from: string, vector: Uint32Array, now: number): void {
    if (!this.boxes.has(from)) return this.reject(from, 'not-expected-sender', 'did not share keys (not in U2)')
    if (this.maskedFrom.has(from)) return this.reject(from, 'duplicate', 'masked input already sent')
    addVectorInPlace(this.sum, vector) // the individual y_u is not kept
    this.maskedFrom.add(from)
    if (this.maskedFrom.size === this.boxes.size) this.advance(now)
  }

  private onConsistency (from: string, signature: Uint8Array, now: number): void {
    if (!this.maskedFrom.has(from)) return this.reject(from, 'not-expected-sender', 'not in U3')
    if (this.consistency.has(from)) return this.reject(from, 'duplicate', 'consistency signature already sent')
    if (!ed25519Verify(this.session.signingKeys.get(from)!, this.consistencyBytes!, signature)) {
      return this.reject(from, 'invalid-signature', 'consistency signature does not verify over U3')
    }
    this.consistency.set(from, signature)
    if (this.consistency.size === this.maskedFrom.size) this.advance(now)
  }

  /** Keeps each share whose dealer signature verifies; a bad one is dropped, its holder named. */
  private onUnmaskShares (from: string, shares: readonly RevealedShare[], now: number): void {
    if (!this.consistency.has(from)) return this.reject(from, 'not-expected-sender', 'not in U4')
    if (this.answered.has(from)) return this.reject(from, 'duplicate', 'shares already sent')
    const valid: RevealedShare[] = []
    const t = this.config.threshold
    for (const s of shares) {
      const kind = s.selfMask ? 'self-mask' : 'masking'
      // A secret with t valid shares is rebuilt from those: more of its shares are not checked.
      if ((this.shareCounts.get(s.owner) ?? 0) >= t) continue
      if (!this.boxes.has(s.owner) || s.owner === from || !this.session.graph.neighbours(s.owner).has(from)) {
        this.reject(from, 'invalid-share', `share of ${s.owner}, which ${from} cannot hold`)
      } else if (s.selfMask !== this.maskedFrom.has(s.owner)) {
        this.reject(from, 'invalid-share', `wrong kind of share for ${s.owner}`)
      } else {
        const root = this.rootStatus(s)
        if (root === 'second-root') {
          this.reject(s.owner, 'invalid-share', `${s.owner} signed two different share roots (it dealt two sets of shares); the share ${from} revealed under the second is dropped`)
        } else if (root === 'unsigned' || !this.shareVerifier().verify(s.owner, from, kind, s.value, s.root, s.proof)) {
          this.reject(from, 'invalid-share', `${from} revealed a ${kind} share of ${s.owner} that ${s.owner} did not commit to`)
        } else {
          valid.push(s)
        }
      }
    }
    this.answered.add(from)
    const index = this.session.memberIndex.get(from)!
    // Copies (the message buffer is not kept), all of one message's shares in one buffer:
    // a backing store per share was ~k allocations per member. forgetShares wipes every view.
    const copies = new Uint8Array(valid.reduce((sum, s) => sum + s.value.length, 0))
    let offset = 0
    for (const s of valid) {
      let list = this.sharesByOwner.get(s.owner)
      if (list === undefined) this.sharesByOwner.set(s.owner, list = [])
      const value = copies.subarray(offset, offset + s.value.length)
      value.set(s.value)
      offset += s.value.length
      list.push({ index, value })
      const count = (this.shareCounts.get(s.owner) ?? 0) + 1
      this.shareCounts.set(s.owner, count)
      if (count === t) this.secretsReady++
    }
    // Done when everyone answered, or as soon as every secret to rebuild has t valid shares.
    if (this.answered.size === this.consistency.size || this.secretsReady === this.boxes.size) this.advance(now)
  }

  /**
   * Whether the share's root is signed by its dealer. Every holder of one dealer forwards the
   * same root and signature, so the first verified root is remembered per dealer for the
   * session instead of being checked k times. A second, different root that the dealer also
   * signed proves the dealer dealt two sets of shares: only shares under the first count.
   */
  private rootStatus (s: RevealedShare): 'signed' | 'unsigned' | 'second-root' {
    const known = this.verifiedRoots.get(s.owner)
    if (known !== undefined && bytesEqual(known.root, s.root) && bytesEqual(known.signature, s.signature)) return 'signed'
    if (!ed25519Verify(this.session.signingKeys.get(s.owner)!, shareRootMessage(this.sessionId!, s.owner, s.root), s.signature)) return 'unsigned'
    if (known === undefined) this.verifiedRoots.set(s.owner, { root: s.root.slice(), signature: s.signature.slice() })
    return known === undefined || bytesEqual(known.root, s.root) ? 'signed' : 'second-root'
  }

  private shareVerifier (): ShareVerifier {
    return this.verifier ??= new ShareVerifier(this.session, this.sessionId!)
  }

  /** Revealed shares rebuild members' secrets: zeroed once used or once the session aborts. */
  private forgetShares (): void {
    this.verifier = undefined
    for (const list of this.sharesByOwner.values()) for (const share of list) share.value.fill(0)
    this.sharesByOwner.clear()
  }

  /** Closes the current stage with what arrived; moves on if enough, aborts otherwise. */
  private advance (now: number): void {
    const t = this.config.threshold
    const round = this.config.round
    switch (this.stage) {
      case 'advertise': {
        // Every participant needs t shareholders besides itself.
        if (this.keys.size < t + 1) return this.abort('not-enough-peers', `${this.keys.size} members advertised keys (U1), each needs t = ${t} others`, now)
        const commitment = commitKeys(this.session, this.keys)
        const signature = this.signer.sign(keyRootMessage(this.session.preSessionId, commitment.root))
        this.sessionId = computeRoundSessionId(this.session.preSessionId, commitment.root)
        this.keysRoot = commitment.root
        // Each participant gets its own entry and its neighbours' in U1 only (Bell et al. 2020).
        for (const u of this.keys.keys()) {
          const entries = [u, ...this.session.graph.neighbours(u)].filter((v) => this.keys.has(v)).map((v) => commitment.entry(v))
          this.sendMessage(u, { kind: 'key-list', binding: this.session.preSessionId, round, keys: entries, root: commitment.root, signature })
        }
        return this.enterStage('share', now, this.config.stageTimeouts.share)
      }
      case 'share': {
        if (this.boxes.size < t + 1) return this.abort('not-enough-peers', `${this.boxes.size} members shared keys (U2), each needs t = ${t} others`, now)
        const inbox = new Map<string, Box[]>([...this.boxes.keys()].map((v) => [v, []]))
        for (const [from, boxes] of this.boxes) {
          for (const b of boxes) inbox.get(b.peer)?.push({ peer: from, ciphertext: b.ciphertext })
        }
        for (const [to, boxes] of inbox) this.sendMessage(to, { kind: 'share-inbox', binding: this.sessionId!, round, boxes })
        // Forwarded: U2 stays as the map's keys, the boxes are never read again. Each is a view
        // into its sender's share-keys message, so keeping them held all n messages (about
        // 26 kB each at n = 10,000, k = 62) for the rest of the session.
        for (const from of this.boxes.keys()) this.boxes.set(from, [])
        return this.enterStage('masked', now, this.config.stageTimeouts.masked)
      }
      case 'masked': {
        const least = Math.max(t + 1, this.session.minSurvivors, this.session.consistencyQuorum)
        if (this.maskedFrom.size < least) {
          return this.abort(this.maskedFrom.size < this.session.minSurvivors ? 'too-few-survivors' : 'not-enough-peers',
            `${this.maskedFrom.size} masked inputs arrived (U3), a sum needs at least ${least}`, now)
        }
        this.survivors = [...this.maskedFrom].sort()
        this.survivorBits = memberBitmap(this.session.memberIds, this.survivors)
        this.consistencyBytes = consistencyMessage(this.sessionId!, this.survivorBits)
        this.broadcast(this.survivors, { kind: 'survivor-list', binding: this.sessionId!, round, survivors: this.survivorBits })
        return this.enterStage('consistency', now, this.config.stageTimeouts.consistency)
      }
      case 'consistency': {
        const quorum = this.session.consistencyQuorum
        if (this.consistency.size < quorum) return this.abort('not-enough-signatures', `${this.consistency.size} consistency signatures (U4), ${quorum} needed`, now)
        const packed = packSignatures(this.session.memberIds, [...this.consistency].map(([peer, signature]) => ({ peer, signature })))
        this.broadcast(this.consistency.keys(), { kind: 'unmask-request', binding: this.sessionId!, round, survivors: this.survivorBits!, signers: packed.signers, signatures: packed.signatures })
        return this.enterStage('unmask', now, this.config.stageTimeouts.unmask)
      }
      case 'unmask': {
        const outcome = unmaskSum({
          session: this.session, sessionId: this.sessionId!, graph: this.session.graph, sum: this.sum, keys: this.keys,
          sharers: new Set(this.boxes.keys()), survivors: this.survivors, shares: this.sharesByOwner
        })
        this.forgetShares()
        if (!outcome.ok) return this.abort(outcome.reason, outcome.detail, now)
        const violation = resultBoundsViolation(this.config.quantization, this.survivors.length, outcome.result.sum, outcome.result.weightSum)
        if (violation !== undefined) return this.abort('result-out-of-bounds', `the unmasked sum cannot be honest: ${violation}`, now)
        this.enterStage('done', now, undefined)
        const signatures = [...this.consistency].map(([peer, signature]) => ({ peer, signature }))
        this.emit({ type: 'result', result: { ...outcome.result, keysRoot: this.keysRoot!, signatures }, at: now })
        return
      }
      default:
        throw new InvalidStateError(`cannot advance from stage ${this.stage}`)
    }
  }

  private sendMessage (to: string, msg: Message): void {
    this.send(to, encodeMessage(msg))
  }

  /** One encoding, many recipients. */
  private broadcast (to: Iterable<string>, msg: Message): void {
    const data = encodeMessage(msg)
    for (const peer of to) this.send(peer, data)
  }

  protected abort (reason: AbortReason, detail: string, now: number): void {
    const binding = this.sessionId ?? this.session.preSessionId
    this.broadcast(this.keys.keys(), { kind: 'abort', binding, round: this.config.round, reason })
    this.sum.fill(0)
    this.forgetShares()
    this.enterStage('aborted', now, undefined)
    this.emit({ type: 'aborted', reason, detail, at: now })
  }
}
