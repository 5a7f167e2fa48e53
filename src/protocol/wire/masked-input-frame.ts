/**
 * A MASKED_INPUT envelope built in place, so masking an M-word vector costs one M-word buffer:
 * the participant quantizes its input straight into the vector field of the final message,
 * adds the masks there, and sends the same bytes. Encoding through protons would copy the
 * (tens of MB) vector once more.
 *
 * The bytes are exactly what `encodeMessage` produces for the same message: protons writes
 * fields in field-number order, and every field of an Envelope before `vector` (7) is in the
 * header, every field after it is empty (proto3 omits empty fields). A test checks equality.
 */
import { InvalidInputError } from '../errors.ts'
import { headerEnvelope } from './codec.ts'
import { Envelope } from './secagg.generated.ts'
import { unsignedVarint } from './varint.ts'

/** Room before the vector for version, kind, 32-byte binding, round and the vector's tag+length. */
const HEADER_ROOM = 96
/** Field 7, wire type 2 (length-delimited). */
const VECTOR_TAG = (7 << 3) | 2

export class MaskedInputFrame {
  /** The M + 1 words of the vector field, to fill and mask in place. */
  readonly vector: Uint32Array
  private readonly bytes: Uint8Array
  private sealed = false

  constructor (words: number) {
    if (!Number.isSafeInteger(words) || words < 1 || words * 4 > 0xffffffff) throw new InvalidInputError(`masked vector of ${words} words cannot be framed`)
    this.bytes = new Uint8Array(HEADER_ROOM + words * 4)
    this.vector = new Uint32Array(this.bytes.buffer, HEADER_ROOM, words)
  }

  /** Writes the header in front of the vector and returns the finished message (a view, no copy). */
  seal (binding: Uint8Array, round: number): Uint8Array {
    if (this.sealed) throw new InvalidInputError('masked-input frame already sealed')
    this.sealed = true
    const head = Envelope.encode(headerEnvelope('masked-input', binding, round))
    const length = unsignedVarint(this.vector.byteLength)
    const start = HEADER_ROOM - length.length - 1 - head.length
    if (start < 0) throw new InvalidInputError(`masked-input header of ${head.length} bytes does not fit the ${HEADER_ROOM}-byte room`)
    this.bytes.set(head, start)
    this.bytes[start + head.length] = VECTOR_TAG
    this.bytes.set(length, start + head.length + 1)
    return this.bytes.subarray(start)
  }

  /** Zeroes the vector (an unsent frame may still hold the quantized, unmasked input). */
  wipe (): void {
    if (!this.sealed) this.vector.fill(0)
  }
}

