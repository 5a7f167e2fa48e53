// ESLint flat config: typescript-eslint's recommended rules plus the project's layering rule.
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'tmp/**', 'src/**/*.generated.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    // src/crypto knows nothing about rounds, peers or the layers above it.
    files: ['src/crypto/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/protocol/**', '**/round/**', '**/sim/**', '**/node/**', '**/train/**', 'libp2p', '@libp2p/*'] }]
    }
  },
  {
    // src/train (models, data, local training) sits beside src/protocol, under src/node.
    files: ['src/train/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/node/**', '**/protocol/**', '**/round/**', '**/sim/**', 'libp2p', '@libp2p/*'] }]
    }
  },
  {
    // src/privacy (clipping, noise shares, the accountant) sits between the training code and
    // src/protocol: pure, randomness injected, no layer above it.
    files: ['src/privacy/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/node/**', '**/round/**', '**/sim/**', '**/train/**', 'libp2p', '@libp2p/*', 'node:net', 'node:timers', 'node:fs', 'node:fs/*'] }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'randomness comes in from the caller (a RandomSource)' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'console']
    }
  },
  {
    // src/sim drives the protocol (and the training code) in memory; only the CLI and the
    // node's own simulators (src/node/sim) sit above it.
    files: ['src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/node/**', 'libp2p', '@libp2p/*', 'node:net', 'node:fs', 'node:fs/*'] }]
    }
  },
  {
    // The simulators and round logic never reach into the CLI (the CLI drives them).
    files: ['src/node/sim/**/*.ts', 'src/node/round/**/*.ts', 'src/node/swarm-node.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/cli/**'] }]
    }
  },
  {
    // src/round is a pure state machine over src/protocol: frames, inputs and time in; actions out.
    files: ['src/round/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/node/**', '**/sim/**', '**/train/**', 'libp2p', '@libp2p/*', 'node:net', 'node:timers', 'node:fs', 'node:fs/*'] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'time comes in from the driver' },
        { object: 'Math', property: 'random', message: 'randomness comes in from the driver' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'console']
    }
  },
  {
    // src/protocol is a pure state machine: no I/O, no clock, no global RNG, no layers above it.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/node/**', '**/round/**', '**/sim/**', '**/train/**', 'libp2p', '@libp2p/*', 'node:net', 'node:timers', 'node:fs', 'node:fs/*'] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'time comes in from the driver' },
        { object: 'Math', property: 'random', message: 'randomness comes in from the driver' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'console']
    }
  }
)
