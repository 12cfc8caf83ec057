import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, FileSystem } from 'aws-cdk-lib';
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
 */
export function dataValidatorCode(scope: Construct, schema?: CompiledDataSchema): lambda.Code {
  if (schema === undefined) {
    return bundledFunctionCode(scope, FUNCTION_ASSETS.DATA_VALIDATOR);
  }
  const bundled = bundledFunction(FUNCTION_ASSETS.DATA_VALIDATOR);
  const files = schemaArtifacts(schema);
  const staging = FileSystem.mkdtemp('tap-data-validator-');
  fs.cpSync(bundled.path, staging, { recursive: true });
  const schemaDir = path.join(staging, SCHEMA_ARTIFACTS.DIR);
  fs.rmSync(schemaDir, { recursive: true, force: true });
  fs.mkdirSync(schemaDir);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(schemaDir, name), content);
  }
  if (bundled.sha256 === undefined) {
    warnNoBuildTimeHash(scope, bundled);
    return lambda.Code.fromAsset(staging);
  }
  const hash = createHash('sha256').update(`tap-data-validator-v1\0${bundled.sha256}\0${SCHEMA_ARTIFACTS.DIR}`);
  for (const [name, content] of Object.entries(files)) {
    hash.update(`\0${name}\0${Buffer.byteLength(content, 'utf8')}\0`).update(content, 'utf8');
  }
  return lambda.Code.fromAsset(staging, { assetHash: hash.digest('hex'), assetHashType: AssetHashType.CUSTOM });
}
