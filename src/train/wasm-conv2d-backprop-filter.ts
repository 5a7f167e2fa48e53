/**
 * Conv2DBackpropFilter for the tfjs wasm backend, which ships without it (so no CNN can train
 * there as shipped). Built from kernels wasm does have, as im2col + one matrix product:
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x_pad[b, oh·s_h + kh, ow·s_w + kw, ci] · dy[b, oh, ow, co]
 *
 * For each filter tap (kh, kw) a strided slice of the padded input lines up with dy; the taps
 * are concatenated on the channel axis into patches [B·OH·OW, KH·KW·CI], and
 * dW = patchesᵀ · dy reshaped to [KH, KW, CI, CO] (the tap-major channel order of the concat
 * is exactly that layout). NHWC only, dilation 1 — what tf.conv2d's filter gradient needs.
 */
import { backend_util, getKernel, registerKernel } from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs'

export class UnsupportedConvError extends Error {
  static override name = 'UnsupportedConvError'
  override name = 'UnsupportedConvError'
}

interface WasmBackendLike { disposeData (dataId: object): boolean }

function kernel (name: string): KernelFunc {
  const k = getKernel(name, 'wasm')
  if (k === undefined) throw new UnsupportedConvError(`the wasm backend lacks the ${name} kernel this Conv2DBackpropFilter is built from`)
  return k.kernelFunc
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as unknown as { x: TensorInfo, dy: TensorInfo }
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number, pad: backend_util.PadInfo['type'] | number | backend_util.ExplicitPadding,
    dataFormat: 'NHWC' | 'NCHW', dimRoundingMode?: 'floor' | 'round' | 'ceil', filterShape: [number, number, number, number]
  }
  if (dataFormat === 'NCHW') throw new UnsupportedConvError('Conv2DBackpropFilter on wasm supports NHWC (channelsLast) only')
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad as 'same', dimRoundingMode, false, 'channelsLast')
  const { batchSize, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, inChannels, outChannels, padInfo } = info
  const b = backend as unknown as WasmBackendLike
  const temps: TensorInfo[] = []
  const run = (name: string, ins: NamedTensorInfoMap | TensorInfo[], at: NamedAttrMap = {}): TensorInfo => {
    const out = kernel(name)({ inputs: ins as NamedTensorInfoMap, backend, attrs: at }) as TensorInfo
    temps.push(out)
    return out
  }
  try {
    const padded = padInfo.top + padInfo.bottom + padInfo.left + padInfo.right === 0
      ? x
      : run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]], constantValue: 0 })
    const rows = batchSize * outHeight * outWidth
    const taps: TensorInfo[] = []
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        taps.push(run('StridedSlice', { x: padded }, {
          begin: [0, kh, kw, 0],
          end: [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
          strides: [1, strideHeight, strideWidth, 1],
          beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0
        }))
      }
    }
    const patches = taps.length === 1 ? taps[0]! : run('Concat', taps, { axis: 3 })
    const a = run('Reshape', { x: patches }, { shape: [1, rows, filterHeight * filterWidth * inChannels] })
    const g = run('Reshape', { x: dy }, { shape: [1, rows, outChannels] })
    const product = run('BatchMatMul', { a, b: g }, { transposeA: true, transposeB: false })
    const result = kernel('Reshape')({ inputs: { x: product }, backend, attrs: { shape: filterShape } }) as TensorInfo
    return result
  } finally {
    for (const t of temps) b.disposeData(t.dataId)
  }
}

export const wasmConv2DBackpropFilter: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter
}

/** Registers the kernel once (idempotent). */
export function registerWasmConv2DBackpropFilter (): void {
  if (getKernel('Conv2DBackpropFilter', 'wasm') === undefined) registerKernel(wasmConv2DBackpropFilter)
}
