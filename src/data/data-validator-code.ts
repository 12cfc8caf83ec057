import * as fs from 'fs';
import * as path from 'path';
import { FileSystem } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CompiledDataSchema } from './schema-compiler';
import { bundledFunctionDir } from '../construct/assets';
import { SCHEMA_ARTIFACTS } from '../contract/data-limits';


/**
 * The data validator's code: the bundled handler as built, or, with a schema, a copy of it with
 * the precompiled validators in `schema/` next to `index.js` (where the handler loads them at
 * cold start). A schema of up to 256 KB travels in the code asset, not in the environment
 * (4 KB). The asset hash follows the content, so the same schema gives the same asset.
 */
export function dataValidatorCode(schema?: CompiledDataSchema): lambda.Code {
  const assetDir = bundledFunctionDir('data', 'data-validator');
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
