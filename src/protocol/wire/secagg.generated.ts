import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Kind {
  KIND_UNSPECIFIED = 'KIND_UNSPECIFIED',
  ADVERTISE_KEYS = 'ADVERTISE_KEYS',
  KEY_LIST = 'KEY_LIST',
  SHARE_KEYS = 'SHARE_KEYS',
  SHARE_INBOX = 'SHARE_INBOX',
  MASKED_INPUT = 'MASKED_INPUT',
  SURVIVOR_LIST = 'SURVIVOR_LIST',
  CONSISTENCY_SIGNATURE = 'CONSISTENCY_SIGNATURE',
  UNMASK_REQUEST = 'UNMASK_REQUEST',
  UNMASK_SHARES = 'UNMASK_SHARES',
  ABORT = 'ABORT'
}

enum __KindValues {
  KIND_UNSPECIFIED = 0,
  ADVERTISE_KEYS = 1,
  KEY_LIST = 2,
  SHARE_KEYS = 3,
  SHARE_INBOX = 4,
  MASKED_INPUT = 5,
  SURVIVOR_LIST = 6,
  CONSISTENCY_SIGNATURE = 7,
  UNMASK_REQUEST = 8,
  UNMASK_SHARES = 9,
  ABORT = 10
}

export namespace Kind {
  export const codec = (): Codec<Kind> => {
    return enumeration<Kind>(__KindValues)
  }
}

export interface SignedKeys {
  peer: string
  encryptionKey: Uint8Array<ArrayBuffer>
  maskingKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>[]
}

export namespace SignedKeys {
  let _codec: Codec<SignedKeys>

  export const codec = (): Codec<SignedKeys> => {
    if (_codec == null) {
      _codec = message<SignedKeys>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.encryptionKey != null && obj.encryptionKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.encryptionKey)
        }

        if ((obj.maskingKey != null && obj.maskingKey.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.maskingKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (obj.proof != null && obj.proof.length > 0) {
          for (const value of obj.proof) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          encryptionKey: new Uint8Array(0),
          maskingKey: new Uint8Array(0),
          signature: new Uint8Array(0),
          proof: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.encryptionKey = reader.bytes()
              break
            }
            case 3: {
              obj.maskingKey = reader.bytes()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.proof != null && obj.proof.length === opts.limits.proof) {
                throw new MaxLengthError('Decode error - repeated field "proof" had too many elements')
              }

              obj.proof.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          proof: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.encryptionKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.maskingKey`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.proof != null && obj.proof === opts.limits.proof) {
                throw new MaxLengthError('Streaming decode error - repeated field "proof" had too many elements')
              }

              yield {
                field: `${prefix}.proof[]`,
                index: obj.proof,
                value: reader.bytes()
              }

              obj.proof++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedKeysPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface SignedKeysEncryptionKeyFieldEvent {
    field: '$.encryptionKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKeysMaskingKeyFieldEvent {
    field: '$.maskingKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKeysSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKeysProofFieldEvent {
    field: '$.proof[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedKeys>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedKeys.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKeys>): SignedKeys {
    return decodeMessage(buf, SignedKeys.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKeys>): Generator<SignedKeysPeerFieldEvent | SignedKeysEncryptionKeyFieldEvent | SignedKeysMaskingKeyFieldEvent | SignedKeysSignatureFieldEvent | SignedKeysProofFieldEvent> {
    return streamMessage(buf, SignedKeys.codec(), opts)
  }
}

export interface Box {
  peer: string
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace Box {
  let _codec: Codec<Box>

  export const codec = (): Codec<Box> => {
    if (_codec == null) {
      _codec = message<Box>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          ciphertext: new Uint8Array(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              obj.ciphertext = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BoxPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface BoxCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Box>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Box.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Box>): Box {
    return decodeMessage(buf, Box.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Box>): Generator<BoxPeerFieldEvent | BoxCiphertextFieldEvent> {
    return streamMessage(buf, Box.codec(), opts)
  }
}

export interface RevealedShare {
  owner: string
  selfMask: boolean
  value: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  root: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>[]
}

export namespace RevealedShare {
  let _codec: Codec<RevealedShare>

  export const codec = (): Codec<RevealedShare> => {
    if (_codec == null) {
      _codec = message<RevealedShare>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(10)
          w.string(obj.owner)
        }

        if ((obj.selfMask != null && obj.selfMask !== false)) {
          w.uint32(16)
          w.bool(obj.selfMask)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.value)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.root)
        }

        if (obj.proof != null && obj.proof.length > 0) {
          for (const value of obj.proof) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: '',
          selfMask: false,
          value: new Uint8Array(0),
          signature: new Uint8Array(0),
          root: new Uint8Array(0),
          proof: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.string()
              break
            }
            case 2: {
              obj.selfMask = reader.bool()
              break
            }
            case 3: {
              obj.value = reader.bytes()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            case 5: {
              obj.root = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.proof != null && obj.proof.length === opts.limits.proof) {
                throw new MaxLengthError('Decode error - repeated field "proof" had too many elements')
              }

              obj.proof.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          proof: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.selfMask`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.proof != null && obj.proof === opts.limits.proof) {
                throw new MaxLengthError('Streaming decode error - repeated field "proof" had too many elements')
              }

              yield {
                field: `${prefix}.proof[]`,
                index: obj.proof,
                value: reader.bytes()
              }

              obj.proof++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RevealedShareOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface RevealedShareSelfMaskFieldEvent {
    field: '$.selfMask'
    value: boolean
  }

  export interface RevealedShareValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevealedShareSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevealedShareRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevealedShareProofFieldEvent {
    field: '$.proof[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RevealedShare>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RevealedShare.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevealedShare>): RevealedShare {
    return decodeMessage(buf, RevealedShare.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RevealedShare>): Generator<RevealedShareOwnerFieldEvent | RevealedShareSelfMaskFieldEvent | RevealedShareValueFieldEvent | RevealedShareSignatureFieldEvent | RevealedShareRootFieldEvent | RevealedShareProofFieldEvent> {
    return streamMessage(buf, RevealedShare.codec(), opts)
  }
}

export interface Envelope {
  version: number
  kind: Kind
  binding: Uint8Array<ArrayBuffer>
  round: bigint
  keys: SignedKeys[]
  boxes: Box[]
  vector: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  shares: RevealedShare[]
  reason: string
  root: Uint8Array<ArrayBuffer>
  survivors: Uint8Array<ArrayBuffer>
  signers: Uint8Array<ArrayBuffer>
  signatureList: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          Kind.codec().encode(obj.kind, w)
        }

        if ((obj.binding != null && obj.binding.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.binding)
        }

        if ((obj.round != null && obj.round !== 0n)) {
          w.uint32(32)
          w.uint64(obj.round)
        }

        if (obj.keys != null && obj.keys.length > 0) {
          for (const value of obj.keys) {
            w.uint32(42)
            SignedKeys.codec().encode(value, w)
          }
        }

        if (obj.boxes != null && obj.boxes.length > 0) {
          for (const value of obj.boxes) {
            w.uint32(50)
            Box.codec().encode(value, w)
          }
        }

        if ((obj.vector != null && obj.vector.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.vector)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.signature)
        }

        if (obj.shares != null && obj.shares.length > 0) {
          for (const value of obj.shares) {
            w.uint32(90)
            RevealedShare.codec().encode(value, w)
          }
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(98)
          w.string(obj.reason)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.root)
        }

        if ((obj.survivors != null && obj.survivors.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.survivors)
        }

        if ((obj.signers != null && obj.signers.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.signers)
        }

        if ((obj.signatureList != null && obj.signatureList.byteLength > 0)) {
          w.uint32(130)
          w.bytes(obj.signatureList)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: Kind.KIND_UNSPECIFIED,
          binding: new Uint8Array(0),
          round: 0n,
          keys: [],
          boxes: [],
          vector: new Uint8Array(0),
          signature: new Uint8Array(0),
          shares: [],
          reason: '',
          root: new Uint8Array(0),
          survivors: new Uint8Array(0),
          signers: new Uint8Array(0),
          signatureList: new Uint8Array(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.kind = Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.binding = reader.bytes()
              break
            }
            case 4: {
              obj.round = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.keys != null && obj.keys.length === opts.limits.keys) {
                throw new MaxLengthError('Decode error - repeated field "keys" had too many elements')
              }

              obj.keys.push(SignedKeys.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.keys$
              }))
              break
            }
            case 6: {
              if (opts.limits?.boxes != null && obj.boxes.length === opts.limits.boxes) {
                throw new MaxLengthError('Decode error - repeated field "boxes" had too many elements')
              }

              obj.boxes.push(Box.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.boxes$
              }))
              break
            }
            case 7: {
              obj.vector = reader.bytes()
              break
            }
            case 9: {
              obj.signature = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.shares != null && obj.shares.length === opts.limits.shares) {
                throw new MaxLengthError('Decode error - repeated field "shares" had too many elements')
              }

              obj.shares.push(RevealedShare.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.shares$
              }))
              break
            }
            case 12: {
              obj.reason = reader.string()
              break
            }
            case 13: {
              obj.root = reader.bytes()
              break
            }
            case 14: {
              obj.survivors = reader.bytes()
              break
            }
            case 15: {
              obj.signers = reader.bytes()
              break
            }
            case 16: {
              obj.signatureList = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          keys: 0,
          boxes: 0,
          shares: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.binding`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              if (opts.limits?.keys != null && obj.keys === opts.limits.keys) {
                throw new MaxLengthError('Streaming decode error - repeated field "keys" had too many elements')
              }

              for (const evt of SignedKeys.codec().stream(reader, reader.uint32(), `${prefix}.keys[]`, {
                limits: opts.limits?.keys$
              })) {
                yield {
                  ...evt,
                  index: obj.keys
                }
              }

              obj.keys++

              break
            }
            case 6: {
              if (opts.limits?.boxes != null && obj.boxes === opts.limits.boxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "boxes" had too many elements')
              }

              for (const evt of Box.codec().stream(reader, reader.uint32(), `${prefix}.boxes[]`, {
                limits: opts.limits?.boxes$
              })) {
                yield {
                  ...evt,
                  index: obj.boxes
                }
              }

              obj.boxes++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.vector`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.shares != null && obj.shares === opts.limits.shares) {
                throw new MaxLengthError('Streaming decode error - repeated field "shares" had too many elements')
              }

              for (const evt of RevealedShare.codec().stream(reader, reader.uint32(), `${prefix}.shares[]`, {
                limits: opts.limits?.shares$
              })) {
                yield {
                  ...evt,
                  index: obj.shares
                }
              }

              obj.shares++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.root`,
                value: reader.bytes()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.survivors`,
                value: reader.bytes()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.signers`,
                value: reader.bytes()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.signatureList`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeKindFieldEvent {
    field: '$.kind'
    value: Kind
  }

  export interface EnvelopeBindingFieldEvent {
    field: '$.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeRoundFieldEvent {
    field: '$.round'
    value: bigint
  }

  export interface EnvelopeKeysPeerFieldEvent {
    field: '$.keys[].peer'
    value: string
    index: number
  }

  export interface EnvelopeKeysEncryptionKeyFieldEvent {
    field: '$.keys[].encryptionKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeKeysMaskingKeyFieldEvent {
    field: '$.keys[].maskingKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeKeysSignatureFieldEvent {
    field: '$.keys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeKeysProofFieldEvent {
    field: '$.keys[].proof[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeBoxesPeerFieldEvent {
    field: '$.boxes[].peer'
    value: string
    index: number
  }

  export interface EnvelopeBoxesCiphertextFieldEvent {
    field: '$.boxes[].ciphertext'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeVectorFieldEvent {
    field: '$.vector'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSharesOwnerFieldEvent {
    field: '$.shares[].owner'
    value: string
    index: number
  }

  export interface EnvelopeSharesSelfMaskFieldEvent {
    field: '$.shares[].selfMask'
    value: boolean
    index: number
  }

  export interface EnvelopeSharesValueFieldEvent {
    field: '$.shares[].value'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeSharesSignatureFieldEvent {
    field: '$.shares[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeSharesRootFieldEvent {
    field: '$.shares[].root'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface EnvelopeSharesProofFieldEvent {
    field: '$.shares[].proof[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface EnvelopeRootFieldEvent {
    field: '$.root'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSurvivorsFieldEvent {
    field: '$.survivors'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignersFieldEvent {
    field: '$.signers'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureListFieldEvent {
    field: '$.signatureList'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeKindFieldEvent | EnvelopeBindingFieldEvent | EnvelopeRoundFieldEvent | EnvelopeKeysPeerFieldEvent | EnvelopeKeysEncryptionKeyFieldEvent | EnvelopeKeysMaskingKeyFieldEvent | EnvelopeKeysSignatureFieldEvent | EnvelopeKeysProofFieldEvent | EnvelopeBoxesPeerFieldEvent | EnvelopeBoxesCiphertextFieldEvent | EnvelopeVectorFieldEvent | EnvelopeSignatureFieldEvent | EnvelopeSharesOwnerFieldEvent | EnvelopeSharesSelfMaskFieldEvent | EnvelopeSharesValueFieldEvent | EnvelopeSharesSignatureFieldEvent | EnvelopeSharesRootFieldEvent | EnvelopeSharesProofFieldEvent | EnvelopeReasonFieldEvent | EnvelopeRootFieldEvent | EnvelopeSurvivorsFieldEvent | EnvelopeSignersFieldEvent | EnvelopeSignatureListFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}
