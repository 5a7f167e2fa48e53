/** `--metrics HOST:PORT`: loopback unless --metrics-public, IPv4/IPv6 literals, clear errors. */
import assert from 'node:assert/strict'
import { metricsFlag } from '../../src/node/cli/metrics-flag.ts'

describe('--metrics flag', () => {
  it('takes loopback addresses, and others only with --metrics-public', () => {
    assert.equal(metricsFlag(undefined, false), undefined)
    assert.deepEqual(metricsFlag('127.0.0.1:9464', false), { host: '127.0.0.1', port: 9464 })
    assert.deepEqual(metricsFlag('127.0.0.2:0', false), { host: '127.0.0.2', port: 0 })
    assert.deepEqual(metricsFlag('[::1]:9464', false), { host: '::1', port: 9464 })
    assert.deepEqual(metricsFlag('localhost:9464', false), { host: 'localhost', port: 9464 })
    assert.deepEqual(metricsFlag('10.1.2.3:9464', true), { host: '10.1.2.3', port: 9464 })
    assert.deepEqual(metricsFlag('[::]:9464', true), { host: '::', port: 9464 })
    for (const open of ['0.0.0.0:9464', '10.1.2.3:9464', '[::]:9464', '[fe80::1]:9464', '128.0.0.1:9464']) {
      assert.throws(() => metricsFlag(open, false), { name: 'UsageError', message: /is not a loopback address; .* add --metrics-public/ }, open)
    }
  })

  it('names the problem for a malformed address', () => {
    assert.throws(() => metricsFlag('9464', false), { name: 'UsageError', message: "--metrics must be HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464), got '9464'" })
    assert.throws(() => metricsFlag('127.0.0.1:70000', false), { name: 'UsageError', message: /must be HOST:PORT/ })
    assert.throws(() => metricsFlag('::1:9464', false), { name: 'UsageError', message: /must be HOST:PORT/ })
    assert.throws(() => metricsFlag('metrics.example:9464', true), { name: 'UsageError', message: "--metrics takes an IP address (or localhost), got 'metrics.example'" })
    assert.throws(() => metricsFlag(undefined, true), { name: 'UsageError', message: '--metrics-public needs --metrics HOST:PORT' })
  })
})
