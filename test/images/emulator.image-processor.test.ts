import * as path from 'path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import sharp from 'sharp';
import {
  bundledAssetDir, createBucket, s3FunctionEnv, createNotificationsTable, dynamoClient, emulatorEndpoint, s3Client, s3Event, s3Record,
  startBundledFunction, TEST_FINGERPRINT,
} from '../../emulator/bundled';
import { FaultProxy } from '../../emulator/fault-proxy';
import { LocalFunction } from '../../emulator/local-function';
import { ENV } from '../../src/contract/env-names';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventSummary } from '../../src/runtime/s3-event';
import * as images from '../support/images';

// The bundled image processor of this machine's architecture (assets/functions/
// image-processor.lambda-x64 here: index.js + its own node_modules/sharp with linux-x64 binaries),
// in its own process, against S3 and DynamoDB in moto server. docs/testing.md cases 1-8 and 13.
const BUCKET = 'tap-images-emulator';
const TABLE = 'notifications-images-test';
const SMALL_LIMIT_BYTES = 20_000;
let s3: S3Client;
let ddb: DynamoDBDocumentClient;
let fn: LocalFunction;
let smallLimitFn: LocalFunction;
let smallMemoryFn: LocalFunction;

function env(maxImageBytes = 50 * 1024 * 1024): Record<string, string> {
  return {
    ...s3FunctionEnv(TABLE, BUCKET),
    TAP_THUMBNAIL_WIDTHS: '128,512',
    TAP_THUMBNAIL_FORMAT: 'webp',
    TAP_MAX_IMAGE_BYTES: String(maxImageBytes),
    TAP_MAX_IMAGE_PIXELS: '100000000',
  };
}

beforeAll(async () => {
  s3 = s3Client();
  ddb = DynamoDBDocumentClient.from(dynamoClient());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  fn = await startBundledFunction('image-processor', env());
  smallLimitFn = await startBundledFunction('image-processor', env(SMALL_LIMIT_BYTES));
  // A function of 150 MiB (Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE): for the memory check by bit depth.
  smallMemoryFn = await startBundledFunction('image-processor', { ...env(), AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '150' });
});

afterAll(async () => {
  await fn?.stop();
  await smallLimitFn?.stop();
  await smallMemoryFn?.stop();
});

/** Uploads an object and returns the ObjectCreated record S3 would send for it. */
async function upload(key: string, body: Buffer) {
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return s3Record(BUCKET, key, put, body.length);
}

async function notificationOf(record: ReturnType<typeof s3Record>, key: string): Promise<Record<string, any> | undefined> {
  const id = objectNotificationId({ bucket: BUCKET, key, versionId: record.s3.object.versionId, eTag: record.s3.object.eTag }, TEST_FINGERPRINT);
  const { Item } = await ddb.send(new GetCommand({ TableName: TABLE, Key: { id } }));
  return Item;
}

async function download(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

const invoke = (event: S3Event, target = fn) => target.invoke<S3EventSummary>(event);

test('the asset loads its own sharp, not the repository\'s', () => {
  const assetDir = bundledAssetDir('image-processor');
  expect(require.resolve('sharp', { paths: [assetDir] })).toBe(path.join(assetDir, 'node_modules', 'sharp', 'dist', 'index.cjs'));
});

test('a 4000×3000 JPEG becomes WebP thumbnails of widths 128 and 512, without EXIF, listed in the notification', async () => {
  // GIVEN a 12 MP JPEG with EXIF (camera make, copyright, GPS)
  const input = await images.jpeg(4000, 3000);
  expect((await sharp(input).metadata()).exif).toBeDefined();
  const record = await upload('images/camera/big.jpg', input);

  // WHEN
  const summary = await invoke(s3Event(record));

  // THEN
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed']);
  expect(await keysUnder('thumbnails/camera/big.jpg/')).toEqual(['thumbnails/camera/big.jpg/128.webp', 'thumbnails/camera/big.jpg/512.webp']);
  for (const [width, height] of [[128, 96], [512, 384]]) {
    const meta = await sharp(await download(`thumbnails/camera/big.jpg/${width}.webp`)).metadata();
    expect(meta).toMatchObject({ format: 'webp', width, height });
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
  }
  const notification = await notificationOf(record, 'images/camera/big.jpg');
  expect(notification).toMatchObject({
    type: 'image.processed',
    details: {
      format: 'jpeg',
      width: 4000,
      height: 3000,
      thumbnailFormat: 'webp',
      thumbnailKeys: ['thumbnails/camera/big.jpg/128.webp', 'thumbnails/camera/big.jpg/512.webp'],
    },
  });
});

test('one event with PNG, WebP, GIF and a 90°-EXIF JPEG under an encoded unicode key: every record processed (cases 1 and 3)', async () => {
  // GIVEN
  const records = [
    await upload('images/My Photo été+1.jpg', await images.jpegRotated90(300, 200)),
    await upload('images/set/a.png', await images.png(640, 480)),
    await upload('images/set/b.webp', await images.webp(640, 480)),
    await upload('images/set/c.gif', await images.gif(640, 480)),
  ];
  // the event key is URL-encoded as S3 sends it
  expect(records[0].s3.object.key).toBe('images/My+Photo+%C3%A9t%C3%A9%2B1.jpg');

  // WHEN
  const summary = await invoke(s3Event(...records));

  // THEN
  expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
    ['images/My Photo été+1.jpg', 'image.processed'],
    ['images/set/a.png', 'image.processed'],
    ['images/set/b.webp', 'image.processed'],
    ['images/set/c.gif', 'image.processed'],
  ]);
  // the rotated JPEG is 200×300 once oriented; its thumbnail is upright and carries no orientation tag
  expect(await notificationOf(records[0], 'images/My Photo été+1.jpg')).toMatchObject({ details: { format: 'jpeg', width: 200, height: 300 } });
  const rotated = await sharp(await download('thumbnails/My Photo été+1.jpg/128.webp')).metadata();
  expect(rotated).toMatchObject({ width: 128, height: 192 });
  expect(rotated.orientation).toBeUndefined();
  for (const [key, format] of [['images/set/a.png', 'png'], ['images/set/b.webp', 'webp'], ['images/set/c.gif', 'gif']]) {
    const record = records.find((r) => decodeURIComponent(r.s3.object.key) === key)!;
    expect(await notificationOf(record, key)).toMatchObject({ details: { format, width: 640, height: 480 } });
  }
  expect(await keysUnder('thumbnails/set/')).toHaveLength(6);
});

test('the same event delivered twice: one notification, one set of outputs (case 4)', async () => {
  // GIVEN
  const record = await upload('images/twice.png', await images.png(600, 400));
  const first = await invoke(s3Event(record));

  // WHEN
  const second = await invoke(s3Event(record));

  // THEN
  expect(first.records.map((r) => r.outcome)).toEqual(['image.processed']);
  expect(second.records.map((r) => r.outcome)).toEqual(['duplicate']);
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'thumbnails/twice.png/' }));
  expect((versions.Versions ?? []).map((v) => v.Key).sort()).toEqual(['thumbnails/twice.png/128.webp', 'thumbnails/twice.png/512.webp']);
  const all = await ddb.send(new ScanCommand({ TableName: TABLE }));
  expect((all.Items ?? []).filter((i) => i.source === `s3://${BUCKET}/images/twice.png`)).toHaveLength(1);
});

test('an object deleted before processing is recorded as skipped, not retried (case 5)', async () => {
  // GIVEN the uploaded version is permanently deleted before the event is handled
  const record = await upload('images/gone.jpg', await images.jpeg(64, 64));
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'images/gone.jpg', VersionId: record.s3.object.versionId }));

  // WHEN
  const summary = await invoke(s3Event(record));

  // THEN
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.skipped']);
  expect(await notificationOf(record, 'images/gone.jpg')).toMatchObject({ type: 'image.skipped', details: { reason: expect.stringMatching(/no longer exists/) } });
  expect(await keysUnder('thumbnails/gone.jpg/')).toEqual([]);
});

test('a bomb, a text file named .jpg, a truncated JPEG, an SVG and a PNG with a bad CRC are rejected with clear reasons, without throwing (cases 6 and 7)', async () => {
  // GIVEN
  const badCrc = Buffer.from(await images.png(64, 48));
  badCrc[29] = 0xff - badCrc[29]; // the IHDR chunk's CRC
  const cases = [
    ['images/bad/bomb.png', images.pngHeaderBomb(30000, 30000), /PNG header declares 30000×30000 = 900,000,000 pixels, more than the limit of 100,000,000.*not decoded/],
    ['images/bad/crc.png', badCrc, /^The PNG image could not be decoded: the IHDR chunk at byte 8 has a bad CRC \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/],
    ['images/bad/text.jpg', images.textPretendingToBeJpeg(), /not a recognised image format.*not by file extension/],
    ['images/bad/truncated.jpg', await images.truncatedJpeg(640, 480), /The JPEG image could not be decoded: /],
    ['images/bad/vector.svg', images.svg(), /content is SVG, which is not an accepted image format/],
  ] as const;
  const records = [];
  for (const [key, body] of cases) records.push(await upload(key, body));

  // WHEN (no throw: bad input is never retried)
  const summary = await invoke(s3Event(...records));

  // THEN
  expect(summary.records.map((r) => r.outcome)).toEqual(cases.map(() => 'image.rejected'));
  for (const [i, [key, , reason]] of cases.entries()) {
    const notification = await notificationOf(records[i], key);
    expect(notification).toMatchObject({ type: 'image.rejected' });
    expect(notification?.details.reason).toMatch(reason);
    expect(notification?.message).toMatch(new RegExp(`^Rejected s3://${BUCKET}/${key.replace(/\./g, '\\.')}: `));
  }
  expect(await keysUnder('thumbnails/bad/')).toEqual([]);
});

test('a JPEG with appended bytes is re-encoded cleanly (case 7)', async () => {
  const record = await upload('images/polyglot.jpg', await images.jpegWithAppendedBytes(640, 480));
  const summary = await invoke(s3Event(record));
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed']);
  const thumbnail = await download('thumbnails/polyglot.jpg/512.webp');
  expect(thumbnail.includes(Buffer.from('appended payload'))).toBe(false);
  expect(await sharp(thumbnail, { failOn: 'warning' }).metadata()).toMatchObject({ format: 'webp', width: 512, height: 384 });
});

test('an object larger than imageMaxSize is rejected without being downloaded (case 8)', async () => {
  // GIVEN a function limited to 20,000 bytes and a larger JPEG
  const big = await images.truncatedJpeg(1200, 1200);
  expect(big.length).toBeGreaterThan(SMALL_LIMIT_BYTES);
  const record = await upload('images/too-big.jpg', big);

  // WHEN
  const summary = await invoke(s3Event(record), smallLimitFn);

  // THEN (rejected for its size, before the truncated content could be looked at)
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
  expect((await notificationOf(record, 'images/too-big.jpg'))?.details.reason)
    .toBe(`The object is ${big.length.toLocaleString('en-US')} bytes, more than the limit of 20,000 bytes (imageMaxSize); it was not downloaded`);
});

test('a malformed key is recorded as image.rejected, without a throw (case 2)', async () => {
  // GIVEN a record whose key is not valid percent-encoding
  const record = await upload('images/bad-key.jpg', await images.jpeg(32, 32));
  record.s3.object.key = 'images/bad%E0%A4%A.jpg';

  // WHEN
  const summary = await invoke(s3Event(record));

  // THEN one rejection, recorded under the raw key
  expect(summary.records).toEqual([expect.objectContaining({ outcome: 'image.rejected', key: 'images/bad%E0%A4%A.jpg' })]);
  const { Items } = await ddb.send(new ScanCommand({ TableName: TABLE }));
  expect(Items!.filter((i) => i.details?.key === 'images/bad%E0%A4%A.jpg').map((i) => i.type)).toEqual(['image.rejected']);
});

test('keys under the output prefixes are skipped: outputs never re-trigger the function (case 13)', async () => {
  // GIVEN an event naming a thumbnail and a report (as a misconfigured bucket notification would)
  const thumbnail = await upload('thumbnails/loop.jpg/128.webp', await images.jpeg(16, 16));
  const report = await upload('reports/data/x.csv.report.json', Buffer.from('{}'));
  const { Items: before } = await ddb.send(new ScanCommand({ TableName: TABLE }));

  // WHEN
  const summary = await invoke(s3Event(thumbnail, report));

  // THEN nothing is processed, recorded or written
  expect(summary.records.map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
  const { Items: after } = await ddb.send(new ScanCommand({ TableName: TABLE }));
  expect(after!.length).toBe(before!.length);
  expect(await keysUnder('thumbnails/loop.jpg/128.webp/')).toEqual([]);
});

test('a 130×17000 and a 2×20000 PNG become WebP thumbnails within WebP\'s 16383-pixel limit, never a throw (case 14)', async () => {
  // GIVEN two PNGs taller than WebP allows at their own width (generated with sharp create)
  const records = [
    await upload('images/tall/130x17000.png', await images.png(130, 17000)),
    await upload('images/tall/2x20000.png', await images.png(2, 20000)),
  ];

  // WHEN
  const summary = await invoke(s3Event(...records));

  // THEN both are processed; every thumbnail fits inside width × 16383, as the notification says
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.processed']);
  const expected = [[[125, 16383], [125, 16383]], [[2, 16383], [2, 16383]]];
  for (const [i, [key, size]] of [['images/tall/130x17000.png', [130, 17000]], ['images/tall/2x20000.png', [2, 20000]]].entries()) {
    const notification = await notificationOf(records[i], key as string);
    expect(notification).toMatchObject({ type: 'image.processed', details: { width: size[0], height: size[1] } });
    const thumbnails = notification!.details.thumbnails as Array<Record<string, any>>;
    expect(thumbnails.map((t) => [t.width, t.height])).toEqual(expected[i]);
    for (const t of thumbnails) {
      const meta = await sharp(await download(t.key)).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: t.width, height: t.height });
      expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(16383);
    }
  }
});

test('images/../x.png gets thumbnail keys without ".." segments (case 15)', async () => {
  // GIVEN a key with a ".." segment (and one with an empty segment)
  const records = [
    await upload('images/../x.png', await images.png(64, 64)),
    await upload('images/dots//y.png', await images.png(64, 64)),
  ];

  // WHEN
  const summary = await invoke(s3Event(...records));

  // THEN
  expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([['images/../x.png', 'image.processed'], ['images/dots//y.png', 'image.processed']]);
  expect((await notificationOf(records[0], 'images/../x.png'))?.details.thumbnailKeys).toEqual([
    'thumbnails/%2E%2E/x.png/128.webp', 'thumbnails/%2E%2E/x.png/512.webp',
  ]);
  expect(await keysUnder('thumbnails/%2E%2E/')).toEqual(['thumbnails/%2E%2E/x.png/128.webp', 'thumbnails/%2E%2E/x.png/512.webp']);
  expect(await keysUnder('thumbnails/dots/')).toEqual(['thumbnails/dots/%/y.png/128.webp', 'thumbnails/dots/%/y.png/512.webp']);
  const all = await keysUnder('thumbnails/');
  expect(all.filter((k) => k.split('/').some((segment) => segment === '..' || segment === '.' || segment === ''))).toEqual([]);
  expect(all.filter((k) => k.startsWith('x.png') || k.startsWith('thumbnails/x.png'))).toEqual([]);
});

test('an object with a 1,020-byte key is rejected: its thumbnail keys would exceed 1,024 bytes, nothing is written (case 16)', async () => {
  // GIVEN
  const key = `images/long/${'k'.repeat(1004)}.png`;
  expect(Buffer.byteLength(key)).toBe(1020);
  const record = await upload(key, await images.png(64, 64));
  const before = await keysUnder('thumbnails/');

  // WHEN
  const summary = await invoke(s3Event(record));

  // THEN
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
  expect((await notificationOf(record, key))?.details).toMatchObject({
    reason: expect.stringMatching(/^The thumbnail key of this object would be 1,033 bytes \(UTF-8\), more than S3's limit of 1,024 bytes; nothing was read or written/),
    outputKeyBytes: 1033,
    maxKeyBytes: 1024,
  });
  expect(await keysUnder('thumbnails/')).toEqual(before);
  expect(await keysUnder('thumbnails/long/')).toEqual([]);
});

test('the notification describes the object read, not the event: real size and version id (case 17)', async () => {
  // GIVEN events naming a PNG and a 40-byte non-image, with a size of 13,014,151 bytes and no versionId
  const png = await images.png(32, 16);
  const junk = Buffer.from('this is not an image at all, 40 bytes!!\n');
  expect(junk.length).toBe(40);
  const records = [await upload('images/real/small.png', png), await upload('images/real/junk.png', junk)];
  const versions = records.map((r) => r.s3.object.versionId);
  for (const record of records) {
    record.s3.object.size = 13_014_151;
    delete (record.s3.object as { versionId?: string }).versionId;
  }

  // WHEN
  const summary = await invoke(s3Event(...records));

  // THEN both notifications carry the objects' own size and version id
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.rejected']);
  expect((await notificationOf(records[0], 'images/real/small.png'))?.details).toMatchObject({
    size: png.length, versionId: versions[0], width: 32, height: 16,
  });
  expect((await notificationOf(records[1], 'images/real/junk.png'))?.details).toMatchObject({
    size: 40, versionId: versions[1], reason: expect.stringMatching(/not a recognised image format/),
  });
  expect(versions.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
});

describe('queue and EventBridge shapes, against moto', () => {
  function sqsMessage(id: string, body: unknown) {
    return {
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tap-images',
      awsRegion: 'us-east-1',
    };
  }

  test('an SQS batch reports only the message whose record failed; the others are recorded or acknowledged', async () => {
    // GIVEN two uploads, S3 throttling every request for one of them (behind a fault proxy), and
    // a batch of their two messages and S3's test event
    const good = await upload('images/queue/My Photo été+2.jpg', await images.jpeg(64, 48));
    const throttled = await upload('images/queue/throttled.jpg', await images.jpeg(64, 48));
    const proxy = await FaultProxy.start({ target: emulatorEndpoint(), seed: 1, rate: 0, alwaysSlowDown: /throttled\.jpg/ });
    const viaProxy = await startBundledFunction('image-processor', { ...env(), AWS_MAX_ATTEMPTS: '2' }, proxy.endpoint);
    const batch = {
      Records: [
        sqsMessage('m-good', s3Event(good)),
        sqsMessage('m-failing', s3Event(throttled)),
        sqsMessage('m-test', { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET }),
      ],
    };

    // WHEN the bundled function gets the batch
    let response;
    try {
      response = await viaProxy.invoke<{ batchItemFailures: Array<{ itemIdentifier: string }> }>(batch);
    } finally {
      await viaProxy.stop();
      await proxy.stop();
    }

    // THEN only the failing message is reported, and the good one has its outcome and thumbnails
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-failing' }] });
    expect((await notificationOf(good, 'images/queue/My Photo été+2.jpg'))?.type).toBe('image.processed');
    expect(await notificationOf(throttled, 'images/queue/throttled.jpg')).toBeUndefined();
    expect(proxy.counters.faults['s3-slow-down']).toBeGreaterThanOrEqual(2);
    expect(await keysUnder('thumbnails/queue/')).toEqual(['thumbnails/queue/My Photo été+2.jpg/128.webp', 'thumbnails/queue/My Photo été+2.jpg/512.webp']);
  });

  test('an EventBridge "Object Created" event with a + and unicode in its key is processed under the raw key', async () => {
    // GIVEN an upload and the EventBridge event S3 sends for it (keys are not URL-encoded there)
    const key = 'images/bridge/café+menu 1.png';
    const record = await upload(key, await images.png(80, 60));
    const event = {
      'version': '0',
      'id': 'e1',
      'detail-type': 'Object Created',
      'source': 'aws.s3',
      'account': '000000000000',
      'time': new Date().toISOString(),
      'region': 'us-east-1',
      'resources': [`arn:aws:s3:::${BUCKET}`],
      'detail': {
        version: '0',
        bucket: { name: BUCKET },
        object: { 'key': key, 'size': record.s3.object.size, 'etag': record.s3.object.eTag, 'version-id': record.s3.object.versionId, 'sequencer': '00' },
        reason: 'PutObject',
      },
    };

    // WHEN
    const summary = await fn.invoke<S3EventSummary>(event);

    // THEN
    expect(summary.records).toEqual([expect.objectContaining({ key, outcome: 'image.processed' })]);
    expect((await notificationOf(record, key))?.source).toBe(`s3://${BUCKET}/${key}`);
    expect(await keysUnder('thumbnails/bridge/')).toEqual(['thumbnails/bridge/café+menu 1.png/128.webp', 'thumbnails/bridge/café+menu 1.png/512.webp']);
  });

  test('an unrecognised invocation fails the function (retried, then dead-lettered), recording nothing', async () => {
    await expect(fn.invoke({ Records: [{ eventSource: 'aws:dynamodb' }] })).rejects.toThrow(/UnrecognizedEventError/);
  });
});

test('a 16-bit RGBA PNG too large for the function\'s memory is rejected before decoding, never crashing the function (finding: memory by bit depth)', async () => {
  // GIVEN a 2000×2000 16-bit RGBA PNG (about 168 MiB to decode) and a function of 150 MiB
  const png16 = await sharp({ create: { width: 2000, height: 2000, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } })
    .toColourspace('rgb16').png().toBuffer();
  const record = await upload('images/deep/rgba16.png', png16);

  // WHEN
  const summary = await invoke(s3Event(record), smallMemoryFn);

  // THEN one rejection, with the reason, and no thumbnail
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
  const notification = await notificationOf(record, 'images/deep/rgba16.png');
  expect(notification?.details.reason).toMatch(/^The 2000×2000 16-bit 4-band PNG image needs about \d+ MiB to decode, more than this function's 150 MiB/);
  expect(await keysUnder('thumbnails/deep/')).toEqual([]);
});

test('a late event of an older version never overwrites the thumbnails of the current one: it is recorded as skipped, superseded (finding: stale outputs)', async () => {
  // GIVEN version 1 (64×48) and version 2 (640×480) of one key; version 2's event is processed first
  const key = 'images/versions/photo.png';
  const v1 = await upload(key, await images.png(64, 48));
  const v2 = await upload(key, await images.png(640, 480));
  expect((await invoke(s3Event(v2))).records.map((r) => r.outcome)).toEqual(['image.processed']);
  const current = await download('thumbnails/versions/photo.png/512.webp');

  // WHEN version 1's event arrives late (a retry, a redrive)
  const summary = await invoke(s3Event(v1));

  // THEN it is recorded as skipped, naming the current version, and version 2's thumbnail is untouched
  expect(summary.records.map((r) => r.outcome)).toEqual(['image.skipped']);
  const notification = await notificationOf(v1, key);
  expect(notification?.details).toMatchObject({
    reason: expect.stringMatching(/^A newer write of the object is current \(version .+\): the outputs of this older version are not written/),
    current: { versionId: v2.s3.object.versionId },
    versionId: v1.s3.object.versionId,
  });
  expect(await download('thumbnails/versions/photo.png/512.webp')).toEqual(current);
  expect((await sharp(current).metadata()).width).toBe(512);
});

test('a bucket that does not exist is a failure (retried, then dead-lettered), never "object deleted" (finding: a missing bucket reads as deleted)', async () => {
  // GIVEN a function deployed for a bucket that is gone, and an event for one of its objects
  const bucket = 'tap-images-deleted-bucket';
  const own = await startBundledFunction('image-processor', { ...env(), [ENV.BUCKET_NAME]: bucket });

  // WHEN (HeadObject answers a bodyless 404 for a missing bucket and a missing key alike)
  const failure = await invoke(s3Event(s3Record(bucket, 'images/a.png', { ETag: '"0123"', VersionId: 'v1' }, 100)), own)
    .then(() => undefined, (err: Error) => err).finally(() => own.stop());

  // THEN the invocation fails with NoSuchBucket, and nothing is recorded as skipped
  expect(failure?.message).toMatch(/NoSuchBucket/);
  const id = objectNotificationId({ bucket, key: 'images/a.png', versionId: 'v1', eTag: '0123' }, TEST_FINGERPRINT);
  expect((await ddb.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item).toBeUndefined();
});

test('a record naming another bucket is refused: the invocation fails and nothing is read or recorded (finding: foreign buckets)', async () => {
  const record = await upload('images/foreign.png', await images.png(32, 32));
  record.s3.bucket.name = 'someone-elses-bucket';

  const failure = await invoke(s3Event(record)).then(() => undefined, (err: Error) => err);

  expect(failure?.message).toMatch(/1 of 1 S3 records failed .*; the first: ForeignBucketError: The record names bucket "someone-elses-bucket"/);
  const id = objectNotificationId({ bucket: 'someone-elses-bucket', key: 'images/foreign.png', versionId: record.s3.object.versionId, eTag: record.s3.object.eTag }, TEST_FINGERPRINT);
  expect((await ddb.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item).toBeUndefined();
  expect(await keysUnder('thumbnails/foreign.png')).toEqual([]);
});

test('unversioned bucket: an image overwritten before its event is processed is skipped, never recorded with the new content (finding: the wrong content under an outcome)', async () => {
  const bucket = 'tap-images-unversioned';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const key = 'images/overwritten.png';
  const first = await images.png(64, 48);
  const a = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: first }));
  const eventForA = s3Record(bucket, key, { ETag: a.ETag }, first.length);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await images.png(640, 480) }));

  // A function deployed for that bucket (a record of any other bucket is refused)
  const own = await startBundledFunction('image-processor', { ...env(), [ENV.BUCKET_NAME]: bucket });
  const summary = await invoke(s3Event(eventForA), own).finally(() => own.stop());

  expect(summary.records.map((r) => r.outcome)).toEqual(['image.skipped']);
  expect(summary.records[0].reason ?? '').toMatch(/overwritten/);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'thumbnails/' }));
  expect(listed.Contents ?? []).toEqual([]);
});
