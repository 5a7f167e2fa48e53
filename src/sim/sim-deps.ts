/** The crypto the simulator driver itself uses (identities, seeded randomness, hashing). */
export { createEd25519Signer, encodeFields, randomInt, randomUnitSignedInto, seededRandom } from '../crypto/index.ts'
export type { RandomSource } from '../crypto/index.ts'
export { createHash } from 'node:crypto'
