import * as fs from 'fs';
import * as path from 'path';
import { Annotations, AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ASSET_HASHES_FILE, manifestAssetHash } from './asset-hash';

/** Where the library's bundles are: `assets/` beside `lib/` (built by `npx projen bundle`, shipped in the package). */
export const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

/**
 * The functions' code assets under `assets/`, as the construct deploys them: a folder with the
 * bundle (`index.js`), or, for the image processor, a zip of the bundle and sharp's binaries for
 * one architecture (scripts/zip-asset.py), deployed as it is. Every one has its build-time hash
 * in `assets/asset-hashes.json`.
 */
export const FUNCTION_ASSETS = {
  NOTIFICATION_HANDLER: 'notifications/notification-handler.lambda',
  NOTIFICATION_EXPORT: 'notifications/notification-export.lambda',
  DATA_VALIDATOR: 'data/data-validator.lambda',
  ROUTE_DISPATCHER: 'routes/route-dispatcher.lambda',
  FAILURE_RECORDER: 'failures/failure-recorder.lambda',
  IMAGE_PROCESSOR_ARM64: 'images/image-processor.lambda-arm64.zip',
  IMAGE_PROCESSOR_X64: 'images/image-processor.lambda-x64.zip',
} as const;

/** A bundled function's code asset and its content hash from the build-time manifest (src/construct/asset-hash.ts). */
export interface BundledFunction {
  /** The asset: `assets/<key>`, a folder or a zip file. */
  readonly path: string;
  /** The asset's content hash computed when the library was built; undefined when it cannot be trusted (see `problem`). */
  readonly sha256?: string;
  /** Why there is no usable build-time hash (missing or stale manifest). */
  readonly problem?: string;
}

/** A bundled function's asset (`FUNCTION_ASSETS`) and its build-time hash, failing clearly when it was not built. */
export function bundledFunction(key: string): BundledFunction {
  const assetPath = path.join(ASSETS_DIR, ...key.split('/'));
  const isZip = key.endsWith('.zip');
  if (!fs.existsSync(isZip ? assetPath : path.join(assetPath, 'index.js'))) {
    throw new Error(`TapServerless: the bundled code ${isZip ? assetPath : path.join(assetPath, 'index.js')} is missing; ` +
      'run `npx projen bundle` (a published package always contains it).');
  }
  const found = manifestAssetHash(ASSETS_DIR, key);
  return 'sha256' in found ? { path: assetPath, sha256: found.sha256 } : { path: assetPath, problem: found.problem };
}

/**
 * The Lambda code of a bundled function. Its asset hash is the one computed when the library was
 * built (a custom hash: the CDK does not read the asset's bytes at synth). When that hash is
 * missing or stale, the CDK fingerprints the asset itself, as for any asset: the hash is then
 * right and only the synth is slower, so this warns (with the fix) rather than fails.
 */
export function bundledFunctionCode(scope: Construct, key: string): lambda.Code {
  const bundled = bundledFunction(key);
  if (bundled.sha256 !== undefined) {
    return lambda.Code.fromAsset(bundled.path, { assetHash: bundled.sha256, assetHashType: AssetHashType.CUSTOM });
  }
  warnNoBuildTimeHash(scope, bundled);
  return lambda.Code.fromAsset(bundled.path);
}

/** The warning when a bundled function's build-time hash cannot be used. */
export function warnNoBuildTimeHash(scope: Construct, bundled: BundledFunction): void {
  Annotations.of(scope).addWarningV2('cdk-tap-serverless:assetHashFallback',
    `TapServerless: no build-time hash for ${bundled.path}: ${bundled.problem}. The CDK fingerprints the asset instead ` +
    `(correct, slower synth). Rebuild the library's assets with \`npx projen bundle\`, which rewrites assets/${ASSET_HASHES_FILE}.`);
}
