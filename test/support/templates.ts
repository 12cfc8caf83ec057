import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TapServerless, TapServerlessProps } from '../../src';

export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** GIVEN a stack with one TapServerless built by `build` (default: default props). */
export function synth(props?: TapServerlessProps, build?: (stack: Stack) => TapServerlessProps): {
  stack: Stack;
  tap: TapServerless;
  template: Template;
} {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: ENV });
  const tap = new TapServerless(stack, 'Tap', build ? build(stack) : props);
  return { stack, tap, template: Template.fromStack(stack) };
}

/** A stack with cdk-nag's AwsSolutions and Serverless packs applied. */
export function nagStack(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'NagStack', { env: ENV });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  Aspects.of(stack).add(new ServerlessChecks({ verbose: true }));
  return { app, stack };
}

/** Replaces asset hashes and other build-dependent values so snapshots compare structure, not bundles. */
export function scrub(template: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(template)
    .replace(/[0-9a-f]{64}\.zip/g, '[ASSET].zip')
    .replace(/"S3Key":"[0-9a-f]{64}[^"]*"/g, '"S3Key":"[ASSET]"');
  return JSON.parse(json);
}
