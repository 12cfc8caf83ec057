import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TapServerless, TapServerlessProps, ThumbnailFormat } from '../../src';
import { ENV, scrub } from '../support/templates';

// The templates of two configurations, committed (the one copy of each: there is no jest snapshot
// beside them). A refactoring must leave them unchanged (asset hashes aside); a change that is meant
// to alter them updates the fixture in the same commit, with the reason in its message. Under
// CI=true a mismatch always fails. Regenerate with
// UPDATE_TEMPLATE_FIXTURES=1 npx jest test/construct/template-stability.test.ts

const FIXTURES = path.join(__dirname, 'fixtures');

const CONFIGURATIONS: Record<string, (stack: Stack) => TapServerlessProps> = {
  default: () => ({}),
  custom: (stack) => ({
    bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'team-uploads-bucket'),
    imageThumbnailWidths: [100, 300, 900],
    imageThumbnailFormat: ThumbnailFormat.JPEG,
    apiCorsAllowedOrigins: ['https://app.example.com'],
    tags: { CostCenter: 'imaging' },
    tableIndexShards: 32,
    tableRetention: Duration.days(400),
  }),
};

function template(build: (stack: Stack) => TapServerlessProps): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, 'FixtureStack', { env: ENV });
  new TapServerless(stack, 'Tap', build(stack));
  return scrub(Template.fromStack(stack).toJSON());
}

describe.each(Object.keys(CONFIGURATIONS))('the %s configuration', (name) => {
  test('synthesizes the committed template', () => {
    const file = path.join(FIXTURES, `template-${name}.json`);
    const actual = template(CONFIGURATIONS[name]);
    if (process.env.UPDATE_TEMPLATE_FIXTURES === '1' && process.env.CI !== 'true') {
      fs.writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
    }
    expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });
});
