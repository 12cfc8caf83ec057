// Stands in for Node.js's `assert` in the function bundles (.projenrc.ts, FUNCTION_BUNDLING). Bundled
// code uses one member: cls-hooked (the X-Ray SDK's context store) checks its invariants with
// `assert.ok`. Loading `node:assert` also loads its error formatting and colour detection, a few
// milliseconds of every cold start for checks that should never fail; this `ok` throws the same
// AssertionError code with the same message. Any other member fails loudly here, at the call.
'use strict';
function ok(value, message) {
  if (value) return;
  const error = new Error(message === undefined ? 'The expression evaluated to a falsy value' : String(message));
  error.name = 'AssertionError';
  error.code = 'ERR_ASSERTION';
  throw error;
}
module.exports = new Proxy({ ok }, {
  get(target, name) {
    if (name in target || typeof name === 'symbol' || name === '__esModule' || name === 'default') return target[name];
    throw new Error(`assert.${String(name)} is not available in this bundle (scripts/bundle-shims/assert.js)`);
  },
});
