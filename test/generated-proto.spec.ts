/** The protobuf TypeScript in the tree is what protons generates from the .proto files now. */
import assert from 'node:assert/strict'
import { generateProto, PROTO_FILES } from '../scripts/gen-proto.ts'

describe('generated protobuf code', () => {
  it(`${PROTO_FILES.join(', ')}: the *.generated.ts files are current (npm run gen:proto)`, () => {
    assert.deepEqual(generateProto({ check: true }), [])
  })
})
