// The few WebAssembly JS-API types simd-add.ts uses. Node ships the API, but @types/node 22
// does not declare it and lib "DOM" would pull in browser globals the project must not use.
declare namespace WebAssembly {
  class Module {
    constructor (bytes: Uint8Array)
  }
  class Instance {
    constructor (module: Module, imports?: Record<string, unknown>)
    readonly exports: Record<string, unknown>
  }
  class Memory {
    readonly buffer: ArrayBuffer
  }
}
