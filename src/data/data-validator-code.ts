import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, FileSystem, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CompiledDataSchema, schemaArtifacts } from './schema-compiler';
import { bundledFunction, bundledFunctionCode, FUNCTION_ASSETS, warnNoBuildTimeHash } from '../construct/assets';
import { SCHEMA_ARTIFACTS } from '../contract/data-limits';


/**
 * The data validator's code: the bundled handler as built, or, with a schema, a copy of it with
 * the precompiled validators in `schema/` next to `index.js` (where the handler loads them at
 * cold start). A schema of up to 256 KB travels in the code asset, not in the environment
 * (4 KB). The asset hash follows the content, so the same schema gives the same asset: it is
 * the bundle's build-time hash combined with the schema files' bytes, so the CDK reads nothing
 * back to fingerprint the copy.
 *
 * The copy is written into the app's asset output directory (`cdk.out`), under the name the CDK
 * stages this asset at (`asset.<sha256 of the custom hash>.lambda`, as it names a custom-hash asset), so
 * the CDK finds it staged and copies nothing: one copy, gone with the assembly, reused when the same
 * schema is synthesized again, and nothing left in the system's temporary folder. (Should a CDK
 * version name its staged assets otherwise, it copies this folder, and nothing else changes.)
 */
export function dataValidatorCode(scope: Construct, schema?: CompiledDataSchema): lambda.Code {
  if (schema === undefined) {
    return bundledFunctionCode(scope, FUNCTION_ASSETS.DATA_VALIDATOR);
  }
  const bundled = bundledFunction(FUNCTION_ASSETS.DATA_VALIDATOR);
  const files = schemaArtifacts(schema);
  const hash = createHash('sha256').update(`tap-data-validator-v1\0${bundled.sha256 ?? FileSystem.fingerprint(bundled.path)}\0${SCHEMA_ARTIFACTS.DIR}`);
  for (const [name, content] of Object.entries(files)) {
    hash.update(`\0${name}\0${Buffer.byteLength(content, 'utf8')}\0`).update(content, 'utf8');
  }
  const assetHash = hash.digest('hex');
  // `asset.<hash><extension of the source folder>`: the folder's own name ends in `.lambda`, as the bundles' do.
  const stagedName = `asset.${createHash('sha256').update(assetHash).digest('hex')}.lambda`;
  // A construct in a Stack is always in a Stage (an App is one).
  const staging = stageWithSchema(path.join(Stage.of(scope)!.assetOutdir, stagedName), bundled.path, files);
  if (bundled.sha256 === undefined) {
    warnNoBuildTimeHash(scope, bundled);
    return lambda.Code.fromAsset(staging);
  }
  return lambda.Code.fromAsset(staging, { assetHash, assetHashType: AssetHashType.CUSTOM });
}

/**
 * `target`: the bundle with `files` in its schema folder, written once (into a temporary folder
 * beside it, then renamed, so that a synth stopped halfway or another synth at the same time never
 * leaves a partial copy under that name).
 */
function stageWithSchema(target: string, bundlePath: string, files: Record<string, string>): string {
  if (fs.existsSync(target)) return target;
  const work = fs.mkdtempSync(`${target}.partial-`);
  fs.cpSync(bundlePath, work, { recursive: true });
  const schemaDir = path.join(work, SCHEMA_ARTIFACTS.DIR);
  fs.rmSync(schemaDir, { recursive: true, force: true });
  fs.mkdirSync(schemaDir);
  for (const [file, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(schemaDir, file), content);
  }
  try {
    fs.renameSync(work, target);
  } catch (err) {
    // Another synth renamed the same content into place first: keep its copy.
    fs.rmSync(work, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw err;
  }
  return target;
}
