/**
 * The unsigned varint of the multiformats spec (as protobuf encodes lengths): seven bits per
 * byte, least significant first, the high bit set on every byte but the last.
 */
export function unsignedVarint (value: number): Uint8Array {
  const out: number[] = []
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
  return Uint8Array.from(out)
}
