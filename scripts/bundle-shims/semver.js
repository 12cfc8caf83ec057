// Stands in for `semver` in the function bundles (.projenrc.ts, FUNCTION_BUNDLING). Bundled code
// asks it one question only: cls-hooked (the X-Ray SDK's context store) checks
// `gte(process.versions.node, '8.0.0')`, always true on Lambda's Node.js 24. The X-Ray SDK's
// AWS SDK v2 patcher also uses it, but the functions capture AWS SDK v3 clients only
// (captureAWSv3Client), so that code never runs; if it ever did, it fails loudly here.
'use strict';
function gte(version, minimum) {
  const parse = (v) => String(v).replace(/^v/, '').split('.').map((n) => parseInt(n, 10) || 0);
  const a = parse(version);
  const b = parse(minimum);
  for (let i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}
module.exports = new Proxy({ gte }, {
  get(target, name) {
    if (name in target || typeof name === 'symbol' || name === '__esModule' || name === 'default') return target[name];
    throw new Error(`semver.${String(name)} is not available in this bundle (scripts/bundle-shims/semver.js)`);
  },
});
