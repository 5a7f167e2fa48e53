import { readFileSync } from 'node:fs'

/** Reads a vector file from test/fixtures/vectors. */
export function loadVectors<T> (name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/vectors/${name}`, import.meta.url), 'utf8')) as T
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
export const toHexString = (b: Uint8Array): string => Buffer.from(b).toString('hex')
