import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum FrameType {
  FRAME_UNSPECIFIED = 'FRAME_UNSPECIFIED',
  SESSION = 'SESSION',
  RESULT = 'RESULT',
  MODEL_QUERY = 'MODEL_QUERY',
  MODEL_STATUS = 'MODEL_STATUS',
  MODEL_FETCH = 'MODEL_FETCH',
  MODEL_DATA = 'MODEL_DATA',
  ECHO = 'ECHO',
  POSITION = 'POSITION'
}

enum __FrameTypeValues {
  FRAME_UNSPECIFIED = 0,
  SESSION = 1,
  RESULT = 2,
  MODEL_QUERY = 3,
  MODEL_STATUS = 4,
  MODEL_FETCH = 5,
  MODEL_DATA = 6,
  ECHO = 7,
  POSITION = 8
}

export namespace FrameType {
  export const codec = (): Codec<FrameType> => {
    return enumeration<FrameType>(__FrameTypeValues)
  }
}

export interface Frame {
  version: number
  type: FrameType
  round: bigint
  attempt: number
  payload: Uint8Array<ArrayBuffer>
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.type != null && __FrameTypeValues[obj.type] !== 0) {
          w.uint32(16)
          FrameType.codec().encode(obj.type, w)
        }

        if ((obj.round != null && obj.round !== 0n)) {
          w.uint32(24)
          w.uint64(obj.round)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(32)
          w.uint32(obj.attempt)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.payload)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          type: FrameType.FRAME_UNSPECIFIED,
          round: 0n,
          attempt: 0,
          payload: new Uint8Array(0)
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
              obj.type = FrameType.codec().decode(reader)
              break
            }
            case 3: {
              obj.round = reader.uint64()
              break
            }
            case 4: {
              obj.attempt = reader.uint32()
              break
            }
            case 5: {
              obj.payload = reader.bytes()
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.type`,
                value: FrameType.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.payload`,
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

  export interface FrameVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface FrameTypeFieldEvent {
    field: '$.type'
    value: FrameType
  }

  export interface FrameRoundFieldEvent {
    field: '$.round'
    value: bigint
  }

  export interface FrameAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface FramePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameVersionFieldEvent | FrameTypeFieldEvent | FrameRoundFieldEvent | FrameAttemptFieldEvent | FramePayloadFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}

export interface ConsistencySignature {
  peer: string
  signature: Uint8Array<ArrayBuffer>
}

export namespace ConsistencySignature {
  let _codec: Codec<ConsistencySignature>

  export const codec = (): Codec<ConsistencySignature> => {
    if (_codec == null) {
      _codec = message<ConsistencySignature>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          signature: new Uint8Array(0)
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
              obj.signature = reader.bytes()
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
                field: `${prefix}.signature`,
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

  export interface ConsistencySignaturePeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface ConsistencySignatureSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ConsistencySignature>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ConsistencySignature.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencySignature>): ConsistencySignature {
    return decodeMessage(buf, ConsistencySignature.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencySignature>): Generator<ConsistencySignaturePeerFieldEvent | ConsistencySignatureSignatureFieldEvent> {
    return streamMessage(buf, ConsistencySignature.codec(), opts)
  }
}

export interface SignedResult {
  round: bigint
  attempt: number
  aggregator: string
  sessionId: Uint8Array<ArrayBuffer>
  included: string[]
  sum: Uint8Array<ArrayBuffer>
  weightSum: bigint
  signatures: ConsistencySignature[]
  signature: Uint8Array<ArrayBuffer>
  keysRoot: Uint8Array<ArrayBuffer>
  echoes: ResultEcho[]
}

export namespace SignedResult {
  let _codec: Codec<SignedResult>

  export const codec = (): Codec<SignedResult> => {
    if (_codec == null) {
      _codec = message<SignedResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.round != null && obj.round !== 0n)) {
          w.uint32(8)
          w.uint64(obj.round)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.aggregator != null && obj.aggregator !== '')) {
          w.uint32(26)
          w.string(obj.aggregator)
        }

        if ((obj.sessionId != null && obj.sessionId.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.sessionId)
        }

        if (obj.included != null && obj.included.length > 0) {
          for (const value of obj.included) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.sum != null && obj.sum.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.sum)
        }

        if ((obj.weightSum != null && obj.weightSum !== 0n)) {
          w.uint32(56)
          w.uint64(obj.weightSum)
        }

        if (obj.signatures != null && obj.signatures.length > 0) {
          for (const value of obj.signatures) {
            w.uint32(66)
            ConsistencySignature.codec().encode(value, w)
          }
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.signature)
        }

        if ((obj.keysRoot != null && obj.keysRoot.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.keysRoot)
        }

        if (obj.echoes != null && obj.echoes.length > 0) {
          for (const value of obj.echoes) {
            w.uint32(90)
            ResultEcho.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          round: 0n,
          attempt: 0,
          aggregator: '',
          sessionId: new Uint8Array(0),
          included: [],
          sum: new Uint8Array(0),
          weightSum: 0n,
          signatures: [],
          signature: new Uint8Array(0),
          keysRoot: new Uint8Array(0),
          echoes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.round = reader.uint64()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.aggregator = reader.string()
              break
            }
            case 4: {
              obj.sessionId = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.included != null && obj.included.length === opts.limits.included) {
                throw new MaxLengthError('Decode error - repeated field "included" had too many elements')
              }

              obj.included.push(reader.string())
              break
            }
            case 6: {
              obj.sum = reader.bytes()
              break
            }
            case 7: {
              obj.weightSum = reader.uint64()
              break
            }
            case 8: {
              if (opts.limits?.signatures != null && obj.signatures.length === opts.limits.signatures) {
                throw new MaxLengthError('Decode error - repeated field "signatures" had too many elements')
              }

              obj.signatures.push(ConsistencySignature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signatures$
              }))
              break
            }
            case 9: {
              obj.signature = reader.bytes()
              break
            }
            case 10: {
              obj.keysRoot = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.echoes != null && obj.echoes.length === opts.limits.echoes) {
                throw new MaxLengthError('Decode error - repeated field "echoes" had too many elements')
              }

              obj.echoes.push(ResultEcho.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.echoes$
              }))
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
          included: 0,
          signatures: 0,
          echoes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.round`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.aggregator`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sessionId`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.included != null && obj.included === opts.limits.included) {
                throw new MaxLengthError('Streaming decode error - repeated field "included" had too many elements')
              }

              yield {
                field: `${prefix}.included[]`,
                index: obj.included,
                value: reader.string()
              }

              obj.included++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.sum`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.weightSum`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              if (opts.limits?.signatures != null && obj.signatures === opts.limits.signatures) {
                throw new MaxLengthError('Streaming decode error - repeated field "signatures" had too many elements')
              }

              for (const evt of ConsistencySignature.codec().stream(reader, reader.uint32(), `${prefix}.signatures[]`, {
                limits: opts.limits?.signatures$
              })) {
                yield {
                  ...evt,
                  index: obj.signatures
                }
              }

              obj.signatures++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.keysRoot`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.echoes != null && obj.echoes === opts.limits.echoes) {
                throw new MaxLengthError('Streaming decode error - repeated field "echoes" had too many elements')
              }

              for (const evt of ResultEcho.codec().stream(reader, reader.uint32(), `${prefix}.echoes[]`, {
                limits: opts.limits?.echoes$
              })) {
                yield {
                  ...evt,
                  index: obj.echoes
                }
              }

              obj.echoes++

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

  export interface SignedResultRoundFieldEvent {
    field: '$.round'
    value: bigint
  }

  export interface SignedResultAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface SignedResultAggregatorFieldEvent {
    field: '$.aggregator'
    value: string
  }

  export interface SignedResultSessionIdFieldEvent {
    field: '$.sessionId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedResultIncludedFieldEvent {
    field: '$.included[]'
    index: number
    value: string
  }

  export interface SignedResultSumFieldEvent {
    field: '$.sum'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedResultWeightSumFieldEvent {
    field: '$.weightSum'
    value: bigint
  }

  export interface SignedResultSignaturesPeerFieldEvent {
    field: '$.signatures[].peer'
    value: string
    index: number
  }

  export interface SignedResultSignaturesSignatureFieldEvent {
    field: '$.signatures[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SignedResultSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedResultKeysRootFieldEvent {
    field: '$.keysRoot'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedResultEchoesPeerFieldEvent {
    field: '$.echoes[].peer'
    value: string
    index: number
  }

  export interface SignedResultEchoesDigestFieldEvent {
    field: '$.echoes[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SignedResultEchoesSignatureFieldEvent {
    field: '$.echoes[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<SignedResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedResult>): SignedResult {
    return decodeMessage(buf, SignedResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedResult>): Generator<SignedResultRoundFieldEvent | SignedResultAttemptFieldEvent | SignedResultAggregatorFieldEvent | SignedResultSessionIdFieldEvent | SignedResultIncludedFieldEvent | SignedResultSumFieldEvent | SignedResultWeightSumFieldEvent | SignedResultSignaturesPeerFieldEvent | SignedResultSignaturesSignatureFieldEvent | SignedResultSignatureFieldEvent | SignedResultKeysRootFieldEvent | SignedResultEchoesPeerFieldEvent | SignedResultEchoesDigestFieldEvent | SignedResultEchoesSignatureFieldEvent> {
    return streamMessage(buf, SignedResult.codec(), opts)
  }
}

export interface ResultEcho {
  peer: string
  digest: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace ResultEcho {
  let _codec: Codec<ResultEcho>

  export const codec = (): Codec<ResultEcho> => {
    if (_codec == null) {
      _codec = message<ResultEcho>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          digest: new Uint8Array(0),
          signature: new Uint8Array(0)
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
              obj.digest = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
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

  export interface ResultEchoPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface ResultEchoDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultEchoSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ResultEcho>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResultEcho.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultEcho>): ResultEcho {
    return decodeMessage(buf, ResultEcho.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultEcho>): Generator<ResultEchoPeerFieldEvent | ResultEchoDigestFieldEvent | ResultEchoSignatureFieldEvent> {
    return streamMessage(buf, ResultEcho.codec(), opts)
  }
}

export interface Position {
  at: bigint
}

export namespace Position {
  let _codec: Codec<Position>

  export const codec = (): Codec<Position> => {
    if (_codec == null) {
      _codec = message<Position>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.at != null && obj.at !== 0n)) {
          w.uint32(8)
          w.uint64(obj.at)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          at: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.at = reader.uint64()
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
                field: `${prefix}.at`,
                value: reader.uint64()
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

  export interface PositionAtFieldEvent {
    field: '$.at'
    value: bigint
  }

  export function encode (obj: Partial<Position>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Position.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Position>): Position {
    return decodeMessage(buf, Position.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Position>): Generator<PositionAtFieldEvent> {
    return streamMessage(buf, Position.codec(), opts)
  }
}
