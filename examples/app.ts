// The example app: a TapServerless pipeline whose data uploads must be orders (examples/schema).
// Synthesize it with `npx projen synth:example` (writes examples/cdk.out); `npx projen demo` runs it locally.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { DataSchema, TapServerless } from '../src';

const app = new App();
const stack = new Stack(app, 'TapServerlessExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

new TapServerless(stack, 'Tap', {
  environmentSuffix: 'dev',
  dataSchema: DataSchema.fromFile(path.join(__dirname, 'schema', 'order.schema.json')),
});

app.synth();
