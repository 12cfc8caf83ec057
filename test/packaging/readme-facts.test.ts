import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TapServerless } from '../../src';
import { ENV } from '../../src/contract/env-names';

// What the README and docs/ say the default construct creates, checked against a synth of
// `new TapServerless(stack, 'Tap')`: every count and default they state in words, wherever it is
// written, so that none of them can go stale again.

const ROOT = join(__dirname, '..', '..');
const DOCS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const TEXT = Object.fromEntries(DOCS.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
const README = TEXT['README.md'];
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

const app = new App();
const stack = new Stack(app, 'Stack');
new TapServerless(stack, 'Tap');
const template = Template.fromStack(stack);
const resources = (type: string) => Object.entries(template.findResources(type));
/** The construct's own functions (aws-cdk-lib adds its bucket-notifications handler). */
const functions = resources('AWS::Lambda::Function').filter(([id]) => id.startsWith('Tap'));
const fn = (prefix: string) => functions.find(([id]) => id.startsWith(prefix))![1].Properties;

/** Every match of `pattern` in the README and docs/, as `[file, match]`. */
function claims(pattern: RegExp): Array<[string, RegExpExecArray]> {
  return Object.entries(TEXT).flatMap(([file, text]) => [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))]
    .map((match): [string, RegExpExecArray] => [file, match]));
}
const count = (word: string) => NUMBER_WORDS[word.toLowerCase()] ?? Number(word);

test('every number of alarms written is the number a default synth creates', () => {
  const alarms = resources('AWS::CloudWatch::Alarm').length;
  const written = claims(/\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) alarms\b/i);
  expect(written.length).toBeGreaterThanOrEqual(3);
  expect(written.filter(([, m]) => count(m[1]) !== alarms).map(([file, m]) => `${file}: "${m[0]}", not ${alarms}`)).toEqual([]);
});

test('every number of Lambda functions written is the number of the construct\'s own, and the diagram shows each', () => {
  expect(functions).toHaveLength(5);
  const written = claims(/\b(\d+|one|two|three|four|five|six) (?:Lambda )?functions\b/i);
  expect(written.length).toBeGreaterThanOrEqual(3);
  expect(written.filter(([, m]) => count(m[1]) !== functions.length).map(([file, m]) => `${file}: "${m[0]}", not ${functions.length}`)).toEqual([]);
  const diagram = README.split('## Set-up')[0];
  for (const name of ['ImageProcessor', 'DataValidator', 'NotificationHandler', 'NotificationExport', 'FailureRecorder']) expect(diagram).toContain(`${name} λ`);
});

test('the defaults table states the functions\' memory and timeouts as synthesized', () => {
  const row = README.split('\n').find((line) => line.startsWith('| `functionDefaults`'))!;
  const [image, data, api] = [fn('TapImageProcessor'), fn('TapDataValidator'), fn('TapNotificationHandler')];
  const described = (p: { MemorySize: number; Timeout: number }) => `${p.MemorySize} MiB/${p.Timeout % 60 === 0 ? `${p.Timeout / 60} min` : `${p.Timeout} s`}`;
  expect(row).toContain(`| ${described(image)}, ${described(data)}, ${described(api)}, arm64 |`);
  for (const [, f] of functions) expect(f.Properties.Architectures).toEqual(['arm64']);
});

test('retries, the dead-letter queue, logs, throttling, shards and thumbnails are as written', () => {
  // Asynchronous retries: "2 retries, events up to 6 hours old" and the table's "2, 6 hours".
  for (const [, config] of resources('AWS::Lambda::EventInvokeConfig')) {
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 });
  }
  expect(README).toContain('(2 retries, events up to 6 hours old)');
  expect(README).toContain('| `retryAttempts`, `maxEventAge` | 2, 6 hours |');
  // The dead-letter queue: "14-day retention" and "(14 days)" in the diagram.
  const [[, dlq]] = resources('AWS::SQS::Queue');
  expect(dlq.Properties.MessageRetentionPeriod).toBe(14 * 86400);
  expect(README).toContain('14-day retention');
  expect(README).toContain('SQS dead-letter queue (14 days)');
  // Logs: "one-month retention", the table's "one month".
  for (const [, group] of resources('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  expect(README).toContain('one-month retention');
  expect(README).toContain('| `logRetention` | one month |');
  // Stage throttling: "throttling 50 req/s, burst 100", the table's "50, 100".
  const [[, stage]] = resources('AWS::ApiGateway::Stage');
  expect(stage.Properties.MethodSettings[0]).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
  expect(README).toContain('throttling 50 req/s, burst 100');
  expect(README).toContain('| `apiThrottlingRateLimit`, `apiThrottlingBurstLimit` | 50, 100 |');
  // The listing indexes: "write-sharded over 16 partitions", the table's `16`.
  const shards = fn('TapNotificationHandler').Environment.Variables[ENV.INDEX_SHARDS];
  expect(README).toContain(`write-sharded over ${shards} partitions`);
  expect(README).toContain(`| \`tableIndexShards\` | \`${shards}\` |`);
  // Thumbnails: the table's `[128, 512]`, WebP.
  expect(fn('TapImageProcessor').Environment.Variables[ENV.THUMBNAIL_WIDTHS]).toBe('128,512');
  expect(README).toContain('| `imageThumbnailWidths` | `[128, 512]` |');
});

test('the README stays a user\'s page: at most 25 KB, development in CONTRIBUTING.md, performance in BENCHMARKS.md', () => {
  expect(Buffer.byteLength(README, 'utf8')).toBeLessThanOrEqual(25 * 1024);
  // The depth lives in docs/ (each page linked from the README), development and performance in their own files.
  for (const page of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))) {
    expect(README).toContain(`(docs/${page})`);
  }
  expect(README).not.toMatch(/^## (Development|Performance|Changelog)\b/m);
  expect(README).toContain('(CONTRIBUTING.md)');
  expect(README).toContain('(BENCHMARKS.md)');
});
