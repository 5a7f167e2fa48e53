import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { MerkleTree, MerkleVerifier, merkleLeaf, verifyMerkleProof, MERKLE_HASH_BYTES, seededRandom } from '../../src/crypto/index.ts'

const SLOT_COUNTS = [1, 2, 3, 5, 8, 1000] as const

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const PADDING = sha256(Uint8Array.of(2), enc('merkle/padding'))

/** The padded width (next power of two) and proof length of a tree over `slots` slots. */
const widthOf = (slots: number): number => 2 ** Math.ceil(Math.log2(slots))
const depthOf = (slots: number): number => Math.log2(widthOf(slots))

function contents (slots: number, tag = 'slot'): Uint8Array[] {
  return Array.from({ length: slots }, (_, i) => enc(`${tag}/${i}`))
}

function build (slots: number, tag = 'slot'): { leaves: Uint8Array[], tree: MerkleTree } {
  const leaves = contents(slots, tag).map(merkleLeaf)
  return { leaves, tree: new MerkleTree(leaves) }
}

function flipByte (b: Uint8Array, at = 0): Uint8Array {
  const c = b.slice()
  c[at] = c[at]! ^ 0x01
  return c
}

/** A handful of slots to exercise per tree: all of them for small trees, a spread for 1000. */
function sampleSlots (slots: number): number[] {
  if (slots <= 8) return Array.from({ length: slots }, (_, i) => i)
  return [0, 1, 2, 511, 512, 513, 767, 998, slots - 1]
}

describe('crypto/merkle', () => {
  it('pins the exact construction on a 3-slot tree recomputed by hand', () => {
    const [a, b, c] = [enc('alpha'), enc('beta'), enc('gamma')]
    const la = sha256(Uint8Array.of(0), a)
    const lb = sha256(Uint8Array.of(0), b)
    const lc = sha256(Uint8Array.of(0), c)
    assert.deepEqual(merkleLeaf(a), la)
    const left = sha256(Uint8Array.of(1), la, lb)
    const right = sha256(Uint8Array.of(1), lc, PADDING)
    const top = sha256(Uint8Array.of(1), left, right)
    const root = sha256(Uint8Array.of(3), Uint8Array.of(0, 0, 0, 3), top) // the slot count is bound in

    const tree = new MerkleTree([la, lb, lc])
    assert.deepEqual(tree.root, root)
    assert.deepEqual(tree.proof(0), [lb, right])
    assert.deepEqual(tree.proof(1), [la, right])
    assert.deepEqual(tree.proof(2), [PADDING, left])
    assert.throws(() => tree.proof(3), { name: 'InvalidCryptoInputError' }, 'a padding position is not a slot')
    assert.equal(MERKLE_HASH_BYTES, 32)

    // A single slot: the root hashes the count and the leaf; the proof is empty.
    const one = new MerkleTree([la])
    const oneRoot = sha256(Uint8Array.of(3), Uint8Array.of(0, 0, 0, 1), la)
    assert.deepEqual(one.root, oneRoot)
    assert.deepEqual(one.proof(0), [])
    assert.ok(verifyMerkleProof(la, 0, 1, [], oneRoot))
  })

  for (const slots of SLOT_COUNTS) {
    describe(`${slots} slot${slots === 1 ? '' : 's'}`, () => {
      const { leaves, tree } = build(slots)
      const other = build(slots, 'other').tree
      const depth = depthOf(slots)

      it('every slot\'s proof verifies against the root and has log2(width) siblings', () => {
        for (let i = 0; i < slots; i++) {
          const proof = tree.proof(i)
          assert.equal(proof.length, depth)
          assert.ok(verifyMerkleProof(leaves[i]!, i, slots, proof, tree.root), `slot ${i}`)
        }
      })

      it('a proof fails for another slot index or another leaf', () => {
        for (const i of sampleSlots(slots)) {
          const proof = tree.proof(i)
          for (const j of sampleSlots(slots)) {
            if (j !== i) assert.ok(!verifyMerkleProof(leaves[i]!, j, slots, proof, tree.root), `leaf ${i} at slot ${j}`)
            if (j !== i) assert.ok(!verifyMerkleProof(leaves[j]!, i, slots, proof, tree.root), `leaf ${j} with proof of ${i}`)
          }
          assert.ok(!verifyMerkleProof(merkleLeaf(enc(`forged/${i}`)), i, slots, proof, tree.root))
          assert.ok(!verifyMerkleProof(flipByte(leaves[i]!, 31), i, slots, proof, tree.root))
          // The raw content is not its own leaf hash.
          assert.ok(!verifyMerkleProof(enc(`slot/${i}`), i, slots, proof, tree.root))
          // Slot indices that are out of range for this count.
          assert.ok(!verifyMerkleProof(leaves[i]!, i + widthOf(slots), slots, proof, tree.root))
          assert.ok(!verifyMerkleProof(leaves[i]!, slots, slots, proof, tree.root))
        }
      })

      it('a proof fails with any one sibling tampered', () => {
        for (const i of sampleSlots(slots)) {
          const proof = tree.proof(i)
          for (let k = 0; k < proof.length; k++) {
            for (const at of [0, 17, 31]) {
              const bad = proof.slice()
              bad[k] = flipByte(proof[k]!, at)
              assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, bad, tree.root), `slot ${i} sibling ${k} byte ${at}`)
            }
          }
          if (proof.length >= 2) {
            const swapped = proof.slice()
            ;[swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!]
            assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, swapped, tree.root), `slot ${i} siblings reordered`)
          }
        }
      })

      it('a proof fails for a slot count of another padded width', () => {
        // Counts with the same power-of-two width are NOT rejected by verifyMerkleProof
        // (see the pending test below); these all change the width, hence the proof length.
        const wrong = [slots * 2 + 1, widthOf(slots) + 1, Math.floor(widthOf(slots) / 2), 1, 1 << 20].filter((n) => widthOf(n) !== widthOf(slots))
        assert.ok(wrong.length > 0)
        for (const i of sampleSlots(slots)) {
          const proof = tree.proof(i)
          for (const n of wrong) assert.ok(!verifyMerkleProof(leaves[i]!, i, n, proof, tree.root), `slot ${i} claimed in a ${n}-slot tree`)
        }
      })

      it('a proof fails when truncated or extended', () => {
        for (const i of sampleSlots(slots)) {
          const proof = tree.proof(i)
          const v = (p: Uint8Array[]): boolean => verifyMerkleProof(leaves[i]!, i, slots, p, tree.root)
          if (proof.length > 0) {
            assert.ok(!v(proof.slice(0, -1)))
            assert.ok(!v(proof.slice(1)))
            assert.ok(!v([]))
            assert.ok(!v([...proof, ...proof]))
          }
          assert.ok(!v([...proof, tree.root]))
          assert.ok(!v([...proof, PADDING]))
          assert.ok(!v([leaves[i]!, ...proof]))
        }
      })

      it('a proof fails against the root of another tree', () => {
        assert.notDeepEqual(other.root, tree.root)
        for (const i of sampleSlots(slots)) {
          assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, tree.proof(i), other.root))
          assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, other.proof(i), other.root))
          assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, other.proof(i), tree.root) || slots === 1)
        }
      })

      it('changing any one leaf changes the root', () => {
        const seen = new Set([Buffer.from(tree.root).toString('hex')])
        for (let i = 0; i < slots; i++) {
          const changed = leaves.slice()
          changed[i] = merkleLeaf(enc(`changed/${i}`))
          const root = new MerkleTree(changed).root
          const key = Buffer.from(root).toString('hex')
          assert.ok(!seen.has(key), `changing slot ${i} left the root unchanged or collided`)
          seen.add(key)
        }
        // Swapping two different leaves also changes the root (positions are bound).
        if (slots >= 2) {
          const swapped = leaves.slice()
          ;[swapped[0], swapped[slots - 1]] = [swapped[slots - 1]!, swapped[0]!]
          assert.notDeepEqual(new MerkleTree(swapped).root, tree.root)
        }
      })

      it('a padding slot cannot be proved to hold real content', () => {
        const width = widthOf(slots)
        for (let p = slots; p < Math.min(width, slots + 4); p++) {
          const proof = tree.proof((p ^ 1) < slots ? p ^ 1 : 0)
          for (const leaf of [PADDING, merkleLeaf(PADDING), merkleLeaf(enc('merkle/padding')), merkleLeaf(new Uint8Array(0)), merkleLeaf(enc(`slot/${p}`)), leaves[0]!]) {
            assert.ok(!verifyMerkleProof(leaf, p, slots, proof, tree.root), `padding slot ${p}`)
          }
        }
        // No real content hashes to the padding leaf: merkleLeaf's 0x00 prefix vs the 0x02 prefix.
        assert.notDeepEqual(merkleLeaf(enc('merkle/padding')), PADDING)
        assert.notDeepEqual(merkleLeaf(Uint8Array.of(2, ...enc('merkle/padding'))), PADDING)
      })
    })
  }

  // The root binds the slot count: a proof made in an n-slot tree fails when the verifier is
  // told another count with the same power-of-two width, so a padding position can never be
  // "proved" to be a slot.
  it('a proof fails for a wrong slot count of the same padded width', () => {
    const { leaves, tree } = build(5)
    for (const n of [6, 7, 8]) assert.ok(!verifyMerkleProof(leaves[0]!, 0, n, tree.proof(0), tree.root), `5-slot proof accepted with slots = ${n}`)
    const three = build(3)
    const siblings = [three.leaves[2]!, three.tree.proof(0)[1]!]
    assert.ok(!verifyMerkleProof(PADDING, 3, 4, siblings, three.tree.root), 'padding slot 3 of a 3-slot tree accepted with slots = 4')
  })

  it('property: random trees verify every sampled slot and reject a tampered one', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 70 }),
      fc.nat(),
      fc.nat(),
      (items, a, b) => {
        const slots = items.length
        const leaves = items.map(merkleLeaf)
        const tree = new MerkleTree(leaves)
        const i = a % slots
        const proof = tree.proof(i)
        assert.ok(verifyMerkleProof(leaves[i]!, i, slots, proof, tree.root))
        assert.ok(verifyMerkleProof(merkleLeaf(items[i]!), i, slots, proof, tree.root))
        const j = b % slots
        if (!Buffer.from(leaves[j]!).equals(Buffer.from(leaves[i]!))) {
          assert.ok(!verifyMerkleProof(leaves[j]!, i, slots, proof, tree.root))
        }
        if (j !== i && !Buffer.from(leaves[j]!).equals(Buffer.from(leaves[i]!))) {
          // Same content at another position cannot reuse the proof.
          assert.ok(!verifyMerkleProof(leaves[i]!, j, slots, proof, tree.root))
        }
        if (proof.length > 0) {
          const k = b % proof.length
          const bad = proof.slice()
          bad[k] = flipByte(proof[k]!, b % MERKLE_HASH_BYTES)
          assert.ok(!verifyMerkleProof(leaves[i]!, i, slots, bad, tree.root))
        }
        const changed = items.slice()
        changed[i] = Uint8Array.of(...items[i]!, 0)
        assert.notDeepEqual(new MerkleTree(changed.map(merkleLeaf)).root, tree.root)
      }
    ), { numRuns: 200 })
  })

  it('property: verifyMerkleProof (one proof, nothing remembered) answers as a fresh MerkleVerifier does', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 40 }),
      fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 }),
      (items, a, b, tamper) => {
        const leaves = items.map(merkleLeaf)
        const tree = new MerkleTree(leaves)
        const i = a % items.length
        let leaf = leaves[i]!
        let slot = i
        let slots = items.length
        let proof = tree.proof(i)
        if (tamper === 1) leaf = leaves[b % items.length]!
        if (tamper === 2) slot = b % (items.length + 2)
        if (tamper === 3) slots = 1 + (b % 80)
        if (tamper === 4 && proof.length > 0) proof = proof.map((p, k) => (k === b % proof.length ? flipByte(p, b % MERKLE_HASH_BYTES) : p))
        if (tamper === 5) proof = proof.slice(0, b % (proof.length + 1))
        assert.equal(verifyMerkleProof(leaf, slot, slots, proof, tree.root), new MerkleVerifier(tree.root, slots).verify(leaf, slot, proof))
      }
    ), { numRuns: 300 })
  })

  it('verifyMerkleProof never throws on garbage and returns false', () => {
    const { leaves, tree } = build(5)
    const proof = tree.proof(2)
    const leaf = leaves[2]!
    const root = tree.root
    const cases: Array<[string, () => boolean]> = [
      ['negative slot', () => verifyMerkleProof(leaf, -1, 5, proof, root)],
      ['negative zero-ish slot -0.5', () => verifyMerkleProof(leaf, -0.5, 5, proof, root)],
      ['fractional slot', () => verifyMerkleProof(leaf, 2.5, 5, proof, root)],
      ['NaN slot', () => verifyMerkleProof(leaf, Number.NaN, 5, proof, root)],
      ['Infinity slot', () => verifyMerkleProof(leaf, Infinity, 5, proof, root)],
      ['huge slot', () => verifyMerkleProof(leaf, 2 ** 53, 5, proof, root)],
      ['NaN slot count', () => verifyMerkleProof(leaf, 2, Number.NaN, proof, root)],
      ['zero slot count', () => verifyMerkleProof(leaf, 0, 0, [], root)],
      ['negative slot count', () => verifyMerkleProof(leaf, 2, -5, proof, root)],
      ['fractional slot count', () => verifyMerkleProof(leaf, 2, 5.5, proof, root)],
      ['huge slot count', () => verifyMerkleProof(leaf, 2, 2 ** 53, proof, root)],
      ['slot count just over the limit', () => verifyMerkleProof(leaf, 2, (1 << 20) + 1, proof, root)],
      ['Infinity slot count', () => verifyMerkleProof(leaf, 2, Infinity, proof, root)],
      ['short sibling', () => verifyMerkleProof(leaf, 2, 5, [proof[0]!.subarray(0, 31), proof[1]!, proof[2]!], root)],
      ['long sibling', () => verifyMerkleProof(leaf, 2, 5, [proof[0]!, Uint8Array.of(...proof[1]!, 0), proof[2]!], root)],
      ['empty siblings', () => verifyMerkleProof(leaf, 2, 5, [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)], root)],
      ['empty leaf', () => verifyMerkleProof(new Uint8Array(0), 2, 5, proof, root)],
      ['long leaf', () => verifyMerkleProof(new Uint8Array(64), 2, 5, proof, root)],
      ['empty root', () => verifyMerkleProof(leaf, 2, 5, proof, new Uint8Array(0))],
      ['short root', () => verifyMerkleProof(leaf, 2, 5, proof, root.subarray(0, 31))],
      ['long root', () => verifyMerkleProof(leaf, 2, 5, proof, Uint8Array.of(...root, 0))],
      ['zero root', () => verifyMerkleProof(leaf, 2, 5, proof, new Uint8Array(32))],
      ['empty proof', () => verifyMerkleProof(leaf, 2, 5, [], root)]
    ]
    for (const [what, run] of cases) {
      let result: boolean | undefined
      assert.doesNotThrow(() => { result = run() }, what)
      assert.equal(result, false, what)
    }
    // A fuzz over random garbage of all shapes.
    const rng = seededRandom('merkle/garbage')
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 48 }),
      fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN)),
      fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 40)),
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 25 }),
      fc.uint8Array({ maxLength: 40 }),
      (l, s, n, p, r) => {
        let ok: boolean | undefined
        assert.doesNotThrow(() => { ok = verifyMerkleProof(l, s, n, p, r) })
        assert.equal(typeof ok, 'boolean')
        // A garbage leaf in a real tree's proof never verifies.
        assert.ok(!verifyMerkleProof(l.length === 32 && Buffer.from(l).equals(Buffer.from(leaf)) ? rng(32) : l, 2, 5, proof, root))
      }
    ), { numRuns: 300 })
  })

  it('MerkleTree rejects bad construction input and out-of-range proof slots', () => {
    const throwsInput = (fn: () => unknown): void => { assert.throws(fn, (e: Error) => e.name === 'InvalidCryptoInputError') }
    throwsInput(() => new MerkleTree([]))
    throwsInput(() => new MerkleTree([new Uint8Array(31)]))
    throwsInput(() => new MerkleTree([merkleLeaf(enc('a')), new Uint8Array(33)]))
    const { tree } = build(5)
    for (const bad of [-1, 8, 1.5, Number.NaN, Infinity]) throwsInput(() => tree.proof(bad))
    // Padding positions inside the width are not slots.
    for (const p of [5, 6, 7]) throwsInput(() => tree.proof(p))
  })

  describe('MerkleVerifier (remembers verified nodes across proofs)', () => {
    it('accepts every slot\'s proof, in any order, and rejects tampered leaves after the tree is fully known', () => {
      for (const slots of SLOT_COUNTS) {
        const { leaves, tree } = build(slots)
        const verifier = new MerkleVerifier(tree.root, slots)
        const order = Array.from({ length: slots }, (_, i) => i).sort((a, b) => ((a * 7919) % slots) - ((b * 7919) % slots))
        for (const i of order) assert.ok(verifier.verify(leaves[i]!, i, tree.proof(i)), `slot ${i} of ${slots}`)
        for (const i of sampleSlots(slots)) {
          assert.ok(!verifier.verify(flipByte(leaves[i]!), i, tree.proof(i)), `tampered leaf, slot ${i} of ${slots}`)
          if (slots > 1) assert.ok(!verifier.verify(leaves[i]!, (i + 1) % slots, tree.proof((i + 1) % slots)), `leaf moved to another slot, ${i} of ${slots}`)
        }
      }
    })

    it('property: accepts only leaves committed at their slot, whatever was verified before and whatever the proof', () => {
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.record({ slot: fc.nat(), tamper: fc.constantFrom('none', 'leaf', 'sibling', 'other-tree'), at: fc.nat() }), { minLength: 1, maxLength: 60 }),
        (slots, steps) => {
          const { leaves, tree } = build(slots)
          const other = build(slots, 'other')
          const verifier = new MerkleVerifier(tree.root, slots)
          for (const step of steps) {
            const slot = step.slot % slots
            let leaf = leaves[slot]!
            let proof = tree.proof(slot)
            if (step.tamper === 'leaf') leaf = flipByte(leaf, step.at % MERKLE_HASH_BYTES)
            if (step.tamper === 'other-tree') { leaf = other.leaves[slot]!; proof = other.tree.proof(slot) }
            if (step.tamper === 'sibling' && proof.length > 0) proof = proof.map((h, l) => l === step.at % proof.length ? flipByte(h) : h)
            const committed = leaf.every((b, k) => b === leaves[slot]![k])
            const got = verifier.verify(leaf, slot, proof)
            // Never accepts content the root does not commit at that slot (soundness) ...
            if (!committed) assert.equal(got, false)
            // ... and always accepts a genuine proof (what verifyMerkleProof accepts).
            if (verifyMerkleProof(leaf, slot, slots, proof, tree.root)) assert.equal(got, true)
          }
        }), { numRuns: 150 })
    })

    it('keeps its own copies: wiping a verified proof afterwards changes nothing', () => {
      const { leaves, tree } = build(16)
      const verifier = new MerkleVerifier(tree.root, 16)
      const proof = tree.proof(3).map((h) => h.slice())
      const leaf = leaves[3]!.slice()
      assert.ok(verifier.verify(leaf, 3, proof))
      for (const h of proof) h.fill(0)
      leaf.fill(0)
      assert.ok(verifier.verify(leaves[2]!, 2, tree.proof(2)))
      assert.ok(!verifier.verify(new Uint8Array(MERKLE_HASH_BYTES), 3, tree.proof(3)))
    })

    it('keeps its own copy of the root: a caller reusing the root\'s buffer cannot switch trees', () => {
      const real = build(8, 'real')
      const forged = build(8, 'forged')
      const root = real.tree.root.slice()
      const verifier = new MerkleVerifier(root, 8)
      assert.equal(verifier.verify(forged.leaves[3]!, 3, forged.tree.proof(3)), false)
      root.set(forged.tree.root)
      assert.equal(verifier.verify(forged.leaves[3]!, 3, forged.tree.proof(3)), false)
      assert.ok(verifier.verify(real.leaves[3]!, 3, real.tree.proof(3)))
    })

    it('never throws on garbage and returns false', () => {
      const { leaves, tree } = build(8)
      for (const slots of [0, -1, 1.5, Number.NaN, (1 << 20) + 1]) assert.equal(new MerkleVerifier(tree.root, slots).verify(leaves[0]!, 0, tree.proof(0)), false)
      const verifier = new MerkleVerifier(tree.root, 8)
      for (const slot of [-1, 8, 1.5, Number.NaN]) assert.equal(verifier.verify(leaves[0]!, slot, tree.proof(0)), false)
      assert.equal(verifier.verify(leaves[0]!.subarray(1), 0, tree.proof(0)), false)
      assert.equal(verifier.verify(leaves[0]!, 0, tree.proof(0).slice(1)), false)
      assert.equal(verifier.verify(leaves[0]!, 0, [...tree.proof(0).slice(1), new Uint8Array(5)]), false)
    })
  })
})
