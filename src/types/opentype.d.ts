/** The part of opentype.js (no published types for 2.x) that the chart renderer uses: per-glyph advance widths. */
declare module 'opentype.js' {
  export interface Glyph { readonly advanceWidth?: number }
  export interface Font {
    readonly unitsPerEm: number
    charToGlyph (char: string): Glyph
  }
  const opentype: { parse (buffer: ArrayBuffer): Font }
  export default opentype
}
