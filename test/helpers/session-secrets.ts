/**
 * The secrets of a real run, captured as it happens: every member's random source is wrapped
 * to record what its machines draw, and every session message on the wire is recorded. From
 * these the recorder tells which draws are X25519 secret keys (their public keys were
 * advertised), opens every share box with them (the dealt Shamir shares and the box keys),
 * rebuilds each member's self-mask secret b from the shares dealt for it (checked: the masking
 * shares rebuild the captured masking key), and derives the PRG seeds of the masks. Nothing is
 * recomputed from the seed; a draw that matches nothing (a nonce, a polynomial coefficient,
 * the promise book's salt) is not claimed as a secret.
 */
import assert from 'node:assert/strict'
import { aeadOpen, shamirCombine, SHAMIR_SHARE_BYTES, x25519PublicKey } from '../../src/crypto/index.ts'
import type { RandomSource } from '../../src/crypto/index.ts'
import { computeRoundSessionId, decodeMessage } from '../../src/protocol/index.ts'
import { pairwiseMaskSeed, selfMaskSeed, shareBoxAssociatedData, shareEncryptionKey } from '../../src/protocol/transcript.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

interface SeenBox { readonly sessionId: Uint8Array, readonly dealer: string, readonly holder: string, readonly ciphertext: Uint8Array }
interface KeyOwner { readonly member: string, readonly kind: 'encryption' | 'masking' }
interface PublicKeys { readonly encryption: Uint8Array, readonly masking: Uint8Array }

export interface CapturedSecret { readonly label: string, readonly bytes: Uint8Array }

export class SessionSecretRecorder {
  private readonly draws = new Map<string, Uint8Array[]>()
  /** hex(public key) -> whose and which. */
  private readonly publicKeys = new Map<string, KeyOwner>()
  /** hex(session id) -> member -> its public keys in that session (from the key lists). */
  private readonly sessionKeys = new Map<string, Map<string, PublicKeys>>()
  private readonly boxes = new Map<string, SeenBox>()
  private readonly revealed: Array<{ owner: string, from: string, value: Uint8Array }> = []

  constructor (private readonly limits: { maxPeers: number, vectorWords: number }) {}

  /** `rng`, recording a copy of every draw as member `member`'s. */
  random (member: string, rng: RandomSource): RandomSource {
    const mine = this.draws.get(member) ?? []
    this.draws.set(member, mine)
    return (length) => {
      const out = rng(length)
      mine.push(out.slice())
      return out
    }
  }

  /** One session message from `from` to `to`, as it left the sender. */
  message (from: string, to: string, data: Uint8Array): void {
    const decoded = decodeMessage(data, this.limits)
    if (!decoded.ok) return
    const m = decoded.message
    switch (m.kind) {
      case 'advertise-keys': this.keysOf(m.keys); return
      case 'key-list': {
        const sid = hex(computeRoundSessionId(m.binding, m.root))
        const keys = this.sessionKeys.get(sid) ?? new Map<string, PublicKeys>()
        this.sessionKeys.set(sid, keys)
        for (const k of m.keys) {
          this.keysOf(k)
          keys.set(k.peer, { encryption: k.encryptionKey.slice(), masking: k.maskingKey.slice() })
        }
        return
      }
      case 'share-keys': for (const b of m.boxes) this.box(m.binding, from, b.peer, b.ciphertext); return
      case 'share-inbox': for (const b of m.boxes) this.box(m.binding, b.peer, to, b.ciphertext); return
      case 'unmask-shares': for (const s of m.shares) this.revealed.push({ owner: s.owner, from, value: s.value.slice() }); return
    }
  }

  /**
   * Every secret of the run: X25519 secret keys, box keys, dealt and revealed shares, the
   * self-mask secrets b and every mask's PRG seed. `memberIndex` is a member's Shamir index.
   */
  secrets (memberIndex: (member: string) => number, threshold: number): CapturedSecret[] {
    const out: CapturedSecret[] = []
    const secretOf = new Map<string, Uint8Array>() // hex(public key) -> its captured secret key
    for (const [member, draws] of this.draws) {
      for (const d of draws) {
        if (d.length !== 32) continue
        const pub = hex(x25519PublicKey(d))
        const owner = this.publicKeys.get(pub)
        if (owner === undefined || owner.member !== member) continue
        secretOf.set(pub, d)
        out.push({ label: `${member}'s ${owner.kind} secret key`, bytes: d })
      }
    }
    const keysIn = (sessionId: Uint8Array, member: string): PublicKeys => {
      const keys = this.sessionKeys.get(hex(sessionId))?.get(member)
      assert.ok(keys !== undefined, `no key list of session ${hex(sessionId).slice(0, 8)} named ${member}'s keys`)
      return keys
    }
    const dealt = new Map<string, { sessionId: Uint8Array, masking: Array<{ index: number, value: Uint8Array }>, selfMask: Array<{ index: number, value: Uint8Array }> }>()
    for (const box of this.boxes.values()) {
      const { sessionId, dealer, holder } = box
      const dealerKey = keysIn(sessionId, dealer).encryption
      const holderKey = keysIn(sessionId, holder).encryption
      const mine = secretOf.get(hex(dealerKey))
      const theirs = secretOf.get(hex(holderKey))
      assert.ok(mine !== undefined || theirs !== undefined, `the encryption secret key of neither ${dealer} nor ${holder} was captured`)
      // The box key is symmetric in dealer and holder (participant.ts): either secret opens it.
      const key = mine !== undefined
        ? shareEncryptionKey(sessionId, mine, holderKey, dealer, holder)
        : shareEncryptionKey(sessionId, theirs!, dealerKey, holder, dealer)
      const plain = aeadOpen(key, box.ciphertext, shareBoxAssociatedData(sessionId, dealer, holder))
      const masking = plain.slice(0, SHAMIR_SHARE_BYTES)
      const selfMask = plain.slice(SHAMIR_SHARE_BYTES, 2 * SHAMIR_SHARE_BYTES)
      // The same key seals the boxes both ways: one secret per pair.
      const pair = `box key of ${[dealer, holder].sort().join(' and ')} in session ${hex(sessionId).slice(0, 8)}`
      if (!out.some((s) => s.label === pair)) out.push({ label: pair, bytes: key })
      out.push({ label: `${dealer}'s masking-key share held by ${holder}`, bytes: masking })
      out.push({ label: `${dealer}'s self-mask share held by ${holder}`, bytes: selfMask })
      const d = dealt.get(`${hex(sessionId)}/${dealer}`) ?? { sessionId, masking: [], selfMask: [] }
      dealt.set(`${hex(sessionId)}/${dealer}`, d)
      d.masking.push({ index: memberIndex(holder), value: masking })
      d.selfMask.push({ index: memberIndex(holder), value: selfMask })
    }
    for (const r of this.revealed) out.push({ label: `share of ${r.owner} revealed by ${r.from}`, bytes: r.value })
    for (const [key, d] of dealt) {
      const dealer = key.slice(key.indexOf('/') + 1)
      if (d.masking.length < threshold) continue
      const maskingKey = shamirCombine(d.masking, threshold)
      assert.equal(hex(maskingKey), hex(secretOf.get(hex(keysIn(d.sessionId, dealer).masking)) ?? new Uint8Array()), `the masking shares of ${dealer} do not rebuild its captured masking key`)
      const b = shamirCombine(d.selfMask, threshold)
      out.push({ label: `${dealer}'s self-mask secret b`, bytes: b })
      out.push({ label: `${dealer}'s self-mask PRG seed`, bytes: selfMaskSeed(d.sessionId, b, dealer) })
      for (const holder of [...this.boxes.values()].filter((x) => x.dealer === dealer && hex(x.sessionId) === hex(d.sessionId)).map((x) => x.holder)) {
        out.push({ label: `pairwise mask seed ${dealer}/${holder}`, bytes: pairwiseMaskSeed(d.sessionId, maskingKey, keysIn(d.sessionId, holder).masking, dealer, holder) })
      }
    }
    return out
  }

  private keysOf (k: { peer: string, encryptionKey: Uint8Array, maskingKey: Uint8Array }): void {
    this.publicKeys.set(hex(k.encryptionKey), { member: k.peer, kind: 'encryption' })
    this.publicKeys.set(hex(k.maskingKey), { member: k.peer, kind: 'masking' })
  }

  private box (sessionId: Uint8Array, dealer: string, holder: string, ciphertext: Uint8Array): void {
    this.boxes.set(`${hex(sessionId)}/${dealer}/${holder}`, { sessionId: sessionId.slice(), dealer, holder, ciphertext: ciphertext.slice() })
  }
}
