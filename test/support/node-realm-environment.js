// Jest runs tests in a separate vm realm with its own typed-array constructors; native addons
// (onnxruntime-node, roaring) check `instanceof Float32Array` against the host realm's, so we
// hand the sandbox the host's constructors.
const { TestEnvironment } = require('jest-environment-node');

const HOST_GLOBALS = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'Buffer',
];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of HOST_GLOBALS) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
