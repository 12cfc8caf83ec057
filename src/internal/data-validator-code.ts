import * as fs from 'fs';
import * as path from 'path';
import { FileSystem } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CompiledDataSchema } from './data-schema-compiler';
import { SCHEMA_ARTIFACTS } from '../functions/shared/data-limits';

/** The data validator's bundled handler, built by `npx projen bundle` and shipped in the package. */
export const DATA_VALIDATOR_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'functions', 'data-validator.lambda');

/**
 * The data validator's code: the bundled handler as built, or, with a schema, a copy of it with
 * the precompiled validators in `schema/` next to `index.js` (where the handler loads them at
 * cold start). A schema of up to 256 KB travels in the code asset, not in the environment
 * (4 KB). The asset hash follows the content, so the same schema gives the same asset.
 */
export function dataValidatorCode(schema?: CompiledDataSchema, assetDir = DATA_VALIDATOR_ASSET_DIR): lambda.Code {
  if (!fs.existsSync(path.join(assetDir, 'index.js'))) {
    throw new Error(`TapServerless: the data validator's bundled code is missing from ${assetDir}; ` +
      'run `npx projen bundle` (a published package always contains it).');
  }
  if (schema === undefined) {
    return lambda.Code.fromAsset(assetDir);
  }
  const staging = FileSystem.mkdtemp('tap-data-validator-');
  fs.cpSync(assetDir, staging, { recursive: true });
  const schemaDir = path.join(staging, SCHEMA_ARTIFACTS.DIR);
  fs.rmSync(schemaDir, { recursive: true, force: true });
  fs.mkdirSync(schemaDir);
  fs.writeFileSync(path.join(schemaDir, SCHEMA_ARTIFACTS.JSON_VALIDATOR), schema.jsonValidator);
  fs.writeFileSync(path.join(schemaDir, SCHEMA_ARTIFACTS.CSV_VALIDATOR), schema.csvValidator);
  fs.writeFileSync(path.join(schemaDir, SCHEMA_ARTIFACTS.META), JSON.stringify(schema.meta, null, 2));
  return lambda.Code.fromAsset(staging);
}
