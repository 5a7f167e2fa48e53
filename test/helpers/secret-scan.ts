/**
 * Finds known secrets in text, in every encoding a log line or a JSON file could hold them:
 * hex (lower, upper, or bytes separated by spaces or colons), base64 and base64url, decimal
 * byte lists (`[12,34,...]`, `12, 34, ...`, a typed array's JSON `{"0":12,...}`), and numbers
 * as the decimal strings JavaScript prints them as (for individual inputs).
 *
 * Byte secrets are matched by every WINDOW-byte slice at every offset, so a leak of part of a
 * secret counts: 9 bytes are 18 hex or 12 base64 characters (72 bits — a chance match in a
 * few MB of logs is below 2^-40), and any leaked run of 11 or more bytes holds a 9-byte
 * window that is aligned to a base64 group wherever the leak starts.
 */
export const WINDOW = 9
/** Shorter secrets say nothing when found (see WINDOW); numbers shorter than this print too often. */
export const MIN_SECRET_BYTES = 16
export const MIN_NUMBER_CHARS = 8
/** A run of this many of a number's significant digits counts as the number, leaked in part. */
export const DIGIT_WINDOW = 8

export type Encoding = 'hex' | 'HEX' | 'spaced-hex' | 'base64' | 'base64url' | 'decimal-bytes' | 'indexed-bytes' | 'decimal-number' | 'decimal-digits'

export interface Finding { readonly label: string, readonly encoding: Encoding, readonly match: string }

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

export class SecretScanner {
  /** Lower-case hex of every window -> what it is part of. */
  private readonly hexWindows = new Map<string, string>()
  /** Standard base64 of every window -> what it is part of. */
  private readonly base64Windows = new Map<string, string>()
  private readonly numbers = new Map<string, string>()
  /** Every DIGIT_WINDOW significant digits of a number -> which number. */
  private readonly digitWindows = new Map<string, string>()
  private secretCount = 0

  get size (): number { return this.secretCount }

  addBytes (label: string, secret: Uint8Array): void {
    if (secret.length < MIN_SECRET_BYTES) throw new Error(`${label}: ${secret.length} bytes; secrets shorter than ${MIN_SECRET_BYTES} bytes are not meaningful to scan for`)
    if (secret.every((b) => b === 0)) throw new Error(`${label}: all zero (erased before it was captured?)`)
    this.secretCount++
    for (let o = 0; o + WINDOW <= secret.length; o++) {
      const w = secret.subarray(o, o + WINDOW)
      this.hexWindows.set(hexOf(w), label)
      this.base64Windows.set(Buffer.from(w).toString('base64'), label)
    }
  }

  /** An individual input coordinate; only its distinctive decimal strings are scanned for. */
  addNumber (label: string, x: number): boolean {
    const text = String(x)
    if (text.replace('-', '').length < MIN_NUMBER_CHARS) return false
    this.numbers.set(text, label)
    // A quoted snippet (a parser's error message) may cut the number: its digits still count.
    const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '')
    for (let o = 0; o + DIGIT_WINDOW <= digits.length; o++) this.digitWindows.set(digits.slice(o, o + DIGIT_WINDOW), label)
    this.secretCount++
    return true
  }

  scan (text: string): Finding[] {
    const found: Finding[] = []
    const hexAt = (hex: string, encoding: Encoding, match: string): void => {
      for (let k = 0; k + 2 * WINDOW <= hex.length; k++) {
        const label = this.hexWindows.get(hex.slice(k, k + 2 * WINDOW).toLowerCase())
        if (label !== undefined) { found.push({ label, encoding, match }); return }
      }
    }
    const bytesAt = (values: number[], encoding: Encoding, match: string): void => {
      if (values.every((v) => v <= 255)) hexAt(hexOf(Uint8Array.from(values)), encoding, match)
    }
    for (const [run] of text.matchAll(/[0-9a-fA-F]{18,}/g)) hexAt(run, /[A-F]/.test(run) && !/[a-f]/.test(run) ? 'HEX' : 'hex', run)
    for (const [run] of text.matchAll(/(?:[0-9a-fA-F]{2}[ :]){8,}[0-9a-fA-F]{2}/g)) hexAt(run.replace(/[ :]/g, ''), 'spaced-hex', run)
    for (const [run] of text.matchAll(/[A-Za-z0-9+/_-]{12,}/g)) {
      const std = run.replace(/-/g, '+').replace(/_/g, '/')
      for (let k = 0; k + 12 <= std.length; k++) {
        const label = this.base64Windows.get(std.slice(k, k + 12))
        if (label !== undefined) { found.push({ label, encoding: /[-_]/.test(run) ? 'base64url' : 'base64', match: run }); break }
      }
    }
    for (const [run] of text.matchAll(/\d{1,3}(?:\s*,\s*\d{1,3}){8,}/g)) bytesAt(run.split(',').map((v) => Number(v.trim())), 'decimal-bytes', run)
    // A typed array through JSON.stringify, possibly itself escaped inside a JSON string.
    for (const [run] of text.matchAll(/\\?"\d+\\?"\s*:\s*\d{1,3}(?:\s*,\s*\\?"\d+\\?"\s*:\s*\d{1,3}){8,}/g)) {
      bytesAt([...run.matchAll(/"\s*:\s*(\d{1,3})/g)].map((m) => Number(m[1])), 'indexed-bytes', run)
    }
    for (const [token] of text.matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
      const label = this.numbers.get(token)
      if (label !== undefined) found.push({ label, encoding: 'decimal-number', match: token })
    }
    for (const [run] of text.matchAll(new RegExp(`\\d{${DIGIT_WINDOW},}`, 'g'))) {
      for (let k = 0; k + DIGIT_WINDOW <= run.length; k++) {
        const label = this.digitWindows.get(run.slice(k, k + DIGIT_WINDOW))
        if (label !== undefined) { found.push({ label, encoding: 'decimal-digits', match: run }); break }
      }
    }
    return found
  }
}

/** A secret written in `encoding`, as a careless log line would hold it (for the scanner's self-check). */
export type ByteEncoding = Exclude<Encoding, 'decimal-number' | 'decimal-digits'>

export function encodeAs (encoding: ByteEncoding, bytes: Uint8Array): string {
  const buf = Buffer.from(bytes)
  switch (encoding) {
    case 'hex': return buf.toString('hex')
    case 'HEX': return buf.toString('hex').toUpperCase()
    case 'spaced-hex': return `<Buffer ${[...buf].map((b) => b.toString(16).padStart(2, '0')).join(' ')}>`
    case 'base64': return buf.toString('base64')
    case 'base64url': return buf.toString('base64url')
    case 'decimal-bytes': return `[${[...buf].join(',')}]`
    case 'indexed-bytes': return JSON.stringify(Object.fromEntries([...buf].map((b, i) => [String(i), b])))
  }
}

export const BYTE_ENCODINGS: readonly ByteEncoding[] = ['hex', 'HEX', 'spaced-hex', 'base64', 'base64url', 'decimal-bytes', 'indexed-bytes']
