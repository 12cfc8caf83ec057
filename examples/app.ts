// The example app: the smallest useful TapServerless deployment.
// Synthesize it with `npx projen synth:example` (writes examples/cdk.out).
import { App, Stack } from 'aws-cdk-lib';
import { TapServerless } from '../src';

const app = new App();
const stack = new Stack(app, 'TapServerlessExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

new TapServerless(stack, 'Tap', { environmentSuffix: 'dev' });

app.synth();
