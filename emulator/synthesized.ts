import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { bundledAssetDir } from './bundled';
import { EMULATOR_ACCOUNT_ID } from './moto';
import { TapServerless, TapServerlessProps } from '../src';
import { ENV } from '../src/contract/env-names';
import { SERVICE_NAME } from '../src/contract/metric-names';

/** An S3 function as a synthesized construct deploys it: its code directory and environment. */
export interface SynthesizedFunction {
  readonly assetDir: string;
  /** The template's environment (only its literal values: tokens such as the bucket name are left out). */
  readonly environment: Record<string, string>;
}

/**
 * Synthesizes a TapServerless with `props` and returns its image and data functions as the
 * template defines them: the configuration fingerprint, thumbnail widths, limits… exactly as the
 * construct computes them. The data function runs from its staged asset (the handler with the
 * compiled schema); the image function from the bundled asset of this machine's architecture
 * (its sharp binaries are native).
 */
export function synthesizedS3Functions(props: TapServerlessProps): { images: SynthesizedFunction; data: SynthesizedFunction } {
  const app = new App();
  const stack = new Stack(app, 'Synth');
  const tap = new TapServerless(stack, 'Tap', props);
  const template = Template.fromStack(stack);
  const envOf = (service: string): Record<string, string> => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((r) => (r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>)
      .filter((vars) => vars.POWERTOOLS_SERVICE_NAME === service);
    if (fns.length !== 1) throw new Error(`expected one ${service} function, found ${fns.length}`);
    return Object.fromEntries(Object.entries(fns[0]).filter((e): e is [string, string] => typeof e[1] === 'string'));
  };
  const dataAsset = (tap.dataValidator as lambda.Function).node.findChild('Code') as Asset;
  return {
    images: { assetDir: bundledAssetDir('image-processor'), environment: envOf(SERVICE_NAME.IMAGE_PROCESSOR) },
    data: { assetDir: path.join(app.outdir, dataAsset.assetPath), environment: envOf(SERVICE_NAME.DATA_VALIDATOR) },
  };
}

/** A synthesized function's environment pointed at a test bucket and table. */
export function withResources(fn: SynthesizedFunction, table: string, bucket: string): Record<string, string> {
  return { ...fn.environment, [ENV.TABLE_NAME]: table, [ENV.BUCKET_NAME]: bucket, [ENV.BUCKET_OWNER]: EMULATOR_ACCOUNT_ID, [ENV.ENVIRONMENT]: 'test' };
}
