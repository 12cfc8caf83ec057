import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_FINGERPRINT } from '../../emulator/bundled';
import * as thumbnailsModule from '../../src/images/runtime/thumbnails';
import { UnrecognizedEventError } from '../../src/runtime/event-shapes';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventProcessingError, S3EventSummary } from '../../src/runtime/s3-event';
import { CapturedOutput, captureConsole } from '../support/console-capture';
import { fakeConditionalPuts, fakeGets } from '../support/fake-table';
import { currentVersionOf, FIXTURE_BUCKET, FUNCTION_ENV, lambdaContext, loadFixture, s3Event } from '../support/fixtures';
import * as images from '../support/images';
import { dynamoItemSize } from '../support/item-size';

type Handler = (event: S3Event, context: Context) => Promise<S3EventSummary>;

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let handler: Handler;
let output: CapturedOutput;

/** The image settings the construct sets (limits small enough to test). */
const IMAGE_ENV = {
  TAP_THUMBNAIL_WIDTHS: '128,512',
  TAP_THUMBNAIL_FORMAT: 'webp',
  TAP_MAX_IMAGE_BYTES: String(1024 * 1024),
  TAP_MAX_IMAGE_PIXELS: '100000000',
};

/** The content of the three objects of s3-images-several-records.json, by key. */
const OBJECTS = new Map<string, Buffer>();
beforeAll(async () => {
  OBJECTS.set('images/My Photo été+1.jpg', await images.jpeg(800, 600));
  OBJECTS.set('images/cats/tabby.png', await images.png(300, 300));
  OBJECTS.set('images/diagram v2.webp', await images.webp(1024, 256));
});

beforeAll(() => {
  // The handler reads its environment at module load: set it first, then load the module
  // (into this file's module registry, so that the client mocks above apply to it).
  Object.assign(process.env, FUNCTION_ENV, IMAGE_ENV);
  ({ handler } = jest.requireActual<typeof import('../../src/images/image-processor.lambda')>('../../src/images/image-processor.lambda'));
});

beforeEach(() => {
  ddb.reset();
  s3.reset();
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

/** HeadObject and GetObject answer like S3 for existing object versions; PutObject succeeds. */
function objectsExist(objects: ReadonlyMap<string, Buffer> = OBJECTS): void {
  const content = (key: string): Buffer => {
    const body = objects.get(key);
    if (!body) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return body;
  };
  // Without a version id, HeadObject describes the key's current version: the one the fixture's event announced.
  // Without a version id, HeadObject describes the key's current version: the one the fixture's
  // event announced, else the one last read (no newer write in these tests).
  const lastRead = new Map<string, string | undefined>();
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string; VersionId?: string }) => ({
    ContentLength: content(input.Key).length,
    LastModified: new Date('2026-11-28T17:02:11Z'),
    ...(input.VersionId !== undefined ? { VersionId: input.VersionId } : currentVersionOf(input.Key, lastRead.get(input.Key))),
  }));
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string; VersionId?: string }) => {
    lastRead.set(input.Key, input.VersionId);
    const body = content(input.Key);
    return { ContentLength: body.length, VersionId: input.VersionId, Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  s3.on(PutObjectCommand).resolves({});
}

/** A conditional-write table whose GetItem reads what was written. */
function table(faults: Readonly<Record<number, Error>> = {}): Map<string, Record<string, unknown>> {
  const items = fakeConditionalPuts(ddb, faults);
  fakeGets(ddb, items);
  return items;
}

const putKeys = (): string[] => s3.commandCalls(PutObjectCommand).map((c) => String(c.args[0].input.Key));

const invoke = (event: S3Event): Promise<S3EventSummary> => handler(event, lambdaContext('tap-test-image-processor'));

describe('image processor handler', () => {
  test('processes every record of an event (cases 1 and 3)', async () => {
    // GIVEN three new images, one with spaces, a plus sign and unicode in its key
    objectsExist();
    const items = table();
    const event = s3Event('s3-images-several-records.json');

    // WHEN
    const summary = await invoke(event);

    // THEN every object was read with its decoded key and exact version; its thumbnails were looked at, and the
    // object found still current, before they were written
    const thumbnailHeads = (key: string) => [128, 512].map((width) => ({ Bucket: FIXTURE_BUCKET, Key: `thumbnails/${key}/${width}.webp` }));
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: FIXTURE_BUCKET, Key: 'images/My Photo été+1.jpg', VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' },
      ...thumbnailHeads('My Photo été+1.jpg'),
      { Bucket: FIXTURE_BUCKET, Key: 'images/My Photo été+1.jpg' },
      { Bucket: FIXTURE_BUCKET, Key: 'images/cats/tabby.png', VersionId: '7pIqhlKXUjjbmFt1bSyH0yRZcqZ8CqWC' },
      ...thumbnailHeads('cats/tabby.png'),
      { Bucket: FIXTURE_BUCKET, Key: 'images/cats/tabby.png' },
      { Bucket: FIXTURE_BUCKET, Key: 'images/diagram v2.webp', VersionId: 'Qxm3V4XfDN9.eCgsuGmVZ8hY4Tp2J0uS' },
      ...thumbnailHeads('diagram v2.webp'),
      { Bucket: FIXTURE_BUCKET, Key: 'images/diagram v2.webp' },
    ]);
    // Each thumbnail written only if it is still as it was looked at (none yet here: IfNoneMatch)
    expect(s3.commandCalls(PutObjectCommand).every((c) => c.args[0].input.IfNoneMatch === '*')).toBe(true);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'images/My Photo été+1.jpg', 'images/cats/tabby.png', 'images/diagram v2.webp',
    ]);
    // AND two thumbnails per object were written under thumbnails/, keyed by the decoded key
    expect(putKeys()).toEqual([
      'thumbnails/My Photo été+1.jpg/128.webp', 'thumbnails/My Photo été+1.jpg/512.webp',
      'thumbnails/cats/tabby.png/128.webp', 'thumbnails/cats/tabby.png/512.webp',
      'thumbnails/diagram v2.webp/128.webp', 'thumbnails/diagram v2.webp/512.webp',
    ]);
    expect(s3.commandCalls(PutObjectCommand).every((c) => c.args[0].input.ContentType === 'image/webp')).toBe(true);
    // AND one image.processed notification per object, with its deterministic id
    expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
      ['images/My Photo été+1.jpg', 'image.processed'],
      ['images/cats/tabby.png', 'image.processed'],
      ['images/diagram v2.webp', 'image.processed'],
    ]);
    expect(items.size).toBe(3);
    const first = items.get(objectNotificationId({
      bucket: FIXTURE_BUCKET, key: 'images/My Photo été+1.jpg', versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    }, TEST_FINGERPRINT));
    expect(first).toEqual(expect.objectContaining({
      type: 'image.processed',
      source: `s3://${FIXTURE_BUCKET}/images/My Photo été+1.jpg`,
      feedShard: expect.stringMatching(/^ALL#0[0-3]$/),
      details: expect.objectContaining({
        key: 'images/My Photo été+1.jpg',
        size: OBJECTS.get('images/My Photo été+1.jpg')!.length,
        versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        bucket: FIXTURE_BUCKET,
        format: 'jpeg',
        width: 800,
        height: 600,
        thumbnailFormat: 'webp',
        thumbnailKeys: ['thumbnails/My Photo été+1.jpg/128.webp', 'thumbnails/My Photo été+1.jpg/512.webp'],
        thumbnails: [
          expect.objectContaining({ key: 'thumbnails/My Photo été+1.jpg/128.webp', requestedWidth: 128, width: 128, height: 96 }),
          expect.objectContaining({ key: 'thumbnails/My Photo été+1.jpg/512.webp', requestedWidth: 512, width: 512, height: 384 }),
        ],
      }),
    }));
    // AND a narrower image was not enlarged; the notification says which width was produced
    const tabby = [...items.values()].find((i) => i.source === `s3://${FIXTURE_BUCKET}/images/cats/tabby.png`);
    expect((tabby?.details as Record<string, unknown>).thumbnails).toEqual([
      expect.objectContaining({ requestedWidth: 128, width: 128, height: 128 }),
      expect.objectContaining({ requestedWidth: 512, width: 300, height: 300 }),
    ]);
    expect(first?.sortKey).toBe(`${String(first?.createdAt)}#${String(first?.id)}`);
    // AND a record of two thumbnails of a 26-character key bills as one write unit (≤ 1 KB; the README's capacity model)
    // (1,019 bytes measured; every further character of the key adds about 7 bytes: key, source, message, thumbnail keys).
    expect(dynamoItemSize(first!)).toBeGreaterThan(900);
    expect(dynamoItemSize(first!)).toBeLessThanOrEqual(1024);
    // AND its entry in each keys-only index is under a quarter of that, whatever the object key
    expect(dynamoItemSize({ id: first!.id, feedShard: first!.feedShard, typeShard: first!.typeShard, sortKey: first!.sortKey })).toBeLessThan(256);
    // AND EMF metrics were flushed
    expect(output.metric('ObjectsReceived')).toBe(3);
    expect(output.metric('ObjectsProcessed')).toBe(3);
    expect(output.emf()[0]._aws.CloudWatchMetrics[0].Namespace).toBe('TapServerless');
    // AND never a Scan
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  test('a duplicate delivery produces no second notification and no error (case 4)', async () => {
    // GIVEN the same event delivered twice
    objectsExist();
    const items = table();
    const event = s3Event('s3-images-several-records.json');
    await invoke(event);
    const stored = new Map(items);

    // WHEN
    const second = await invoke(s3Event('s3-images-several-records.json'));

    // THEN the recorded notifications were found first: nothing was read, decoded or written again
    expect(second.records.map((r) => [r.outcome, r.type])).toEqual([
      ['duplicate', 'image.processed'], ['duplicate', 'image.processed'], ['duplicate', 'image.processed'],
    ]);
    expect(items).toEqual(stored);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(6);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(3);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(3);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(6);
    expect(output.metric('DuplicateDeliveries')).toBe(3);
    expect(output.logs().some((l) => String(l.message).startsWith('Duplicate delivery'))).toBe(true);
  });

  test('an object deleted before processing is recorded as skipped, not retried (case 5)', async () => {
    // GIVEN HeadObject's bodyless 404, and GetObject's answer that names it: the key is gone
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    const items = table();

    // WHEN
    const summary = await invoke(s3Event('s3-images-several-records.json'));

    // THEN no throw, and a terminal image.skipped outcome per object
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.skipped', 'image.skipped', 'image.skipped']);
    expect([...items.values()].map((i) => i.type)).toEqual(['image.skipped', 'image.skipped', 'image.skipped']);
    expect(String((items.values().next().value?.details as Record<string, unknown>).reason)).toMatch(/no longer exists/);
    expect(output.metric('ObjectsSkipped')).toBe(3);
  });

  test('a malformed key is recorded as rejected with its raw key, without reading S3 or throwing (case 2)', async () => {
    // GIVEN
    const items = table();

    // WHEN
    const summary = await invoke(s3Event('s3-images-malformed-key.json'));

    // THEN
    expect(summary.records).toEqual([expect.objectContaining({ key: 'images/holiday%E0%A4%A.jpg', outcome: 'image.rejected' })]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    const [item] = [...items.values()];
    expect(item).toEqual(expect.objectContaining({
      type: 'image.rejected',
      source: `s3://${FIXTURE_BUCKET}/images/holiday%E0%A4%A.jpg`,
      details: expect.objectContaining({ key: 'images/holiday%E0%A4%A.jpg', reason: expect.stringMatching(/not valid URL encoding/) }),
    }));
    expect(output.metric('ObjectsRejected')).toBe(1);
  });

  test('keys under output prefixes are skipped with a log line and no write (case 13)', async () => {
    // GIVEN a thumbnail and a report (as if the notification filters were wrong)
    table();

    // WHEN
    const summary = await invoke(s3Event('s3-output-prefixes.json'));

    // THEN
    expect(summary.records.map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', 'key is under the output prefix thumbnails/'],
      ['skipped', 'key is under the output prefix reports/'],
    ]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(output.logs().filter((l) => String(l.message).startsWith('Skipping record'))).toHaveLength(2);
    expect(output.metric('ObjectsIgnored')).toBe(2);
  });

  test('a throttled DynamoDB write makes the handler throw, after the other records were processed', async () => {
    // GIVEN the second write is throttled
    objectsExist();
    const items = table({
      2: new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    });

    // WHEN
    const result = invoke(s3Event('s3-images-several-records.json'));

    // THEN the error surfaces for Lambda to retry (and finally dead-letter) ...
    await expect(result).rejects.toThrow(/1 of 3 S3 records failed/);
    const error = await result.then(
      () => {
        throw new Error('the handler should have thrown');
      },
      (err: unknown) => err as S3EventProcessingError,
    );
    expect(error.summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'failed', 'image.processed']);
    expect(error.failures[0]).toBeInstanceOf(ProvisionedThroughputExceededException);
    // ... but the third record was still processed
    expect(ddb.commandCalls(PutCommand)).toHaveLength(3);
    expect(items.size).toBe(2);
    expect(output.metric('ObjectsFailed')).toBe(1);
  });

  test('an S3 500 makes the handler throw, after the other records were processed', async () => {
    // GIVEN S3 fails on the first object only
    objectsExist();
    const items = table();
    s3.on(HeadObjectCommand, { Key: 'images/My Photo été+1.jpg' }).rejects(new S3ServiceException({
      name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error. Please try again.',
    }));

    // WHEN / THEN
    await expect(invoke(s3Event('s3-images-several-records.json'))).rejects.toThrow(/1 of 3 S3 records failed.*My Photo été\+1\.jpg/);
    expect(s3.commandCalls(HeadObjectCommand).filter((c) => c.args[0].input.VersionId !== undefined)).toHaveLength(3);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).key)).toEqual(['images/cats/tabby.png', 'images/diagram v2.webp']);

    // AND a retry of the whole event records only what was missing
    s3.reset();
    objectsExist();
    const retry = await invoke(s3Event('s3-images-several-records.json'));
    expect(retry.records.map((r) => r.outcome)).toEqual(['image.processed', 'duplicate', 'duplicate']);
    expect(items.size).toBe(3);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['images/My Photo été+1.jpg']);
  });

  test('S3 throttling (SlowDown) on the download makes the handler throw for a retry, recording nothing for that object', async () => {
    // GIVEN
    objectsExist();
    const items = table();
    s3.on(GetObjectCommand, { Key: 'images/cats/tabby.png' }).rejects(new S3ServiceException({
      name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.',
    }));

    // WHEN / THEN
    await expect(invoke(s3Event('s3-images-several-records.json'))).rejects.toThrow(/1 of 3 S3 records failed.*tabby\.png/);
    expect([...items.values()].map((i) => i.type)).toEqual(['image.processed', 'image.processed']);
    expect(putKeys().filter((k) => k.includes('tabby'))).toEqual([]);
    expect(output.metric('ObjectsFailed')).toBe(1);
  });

  test('a throttled thumbnail upload makes the handler throw for a retry, without a notification', async () => {
    // GIVEN
    objectsExist();
    const items = table();
    s3.on(PutObjectCommand, { Key: 'thumbnails/diagram v2.webp/512.webp' }).rejects(new S3ServiceException({
      name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.',
    }));

    // WHEN / THEN
    await expect(invoke(s3Event('s3-images-several-records.json'))).rejects.toThrow(/1 of 3 S3 records failed.*diagram v2\.webp/);
    expect([...items.values()].map((i) => i.source)).not.toContain(`s3://${FIXTURE_BUCKET}/images/diagram v2.webp`);
  });

  test('an object larger than imageMaxSize is rejected from the event\'s size, without any S3 request (case 8)', async () => {
    // GIVEN an event announcing a 5 MB object (the limit is 1 MiB)
    objectsExist();
    const items = table();
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[0]];
    event.Records[0].s3.object.size = 5_000_000;

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
    expect(s3.calls()).toHaveLength(0);
    expect((items.values().next().value?.details as Record<string, unknown>)).toMatchObject({
      reason: 'The object is 5,000,000 bytes, more than the limit of 1,048,576 bytes (imageMaxSize); it was not downloaded',
      maxImageBytes: 1048576,
    });
  });

  test('an object larger than imageMaxSize per HeadObject is rejected without GetObject (case 8)', async () => {
    // GIVEN the event understates the size (e.g. an older record); HeadObject tells the truth
    objectsExist(new Map([['images/My Photo été+1.jpg', Buffer.alloc(2 * 1024 * 1024)]]));
    const items = table();
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[0]];

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(String((items.values().next().value?.details as Record<string, unknown>).reason)).toMatch(/2,097,152 bytes.*not downloaded/);
  });

  test('bad content is recorded as rejected with the reason, never thrown (cases 6 and 7)', async () => {
    // GIVEN a bomb, a text file named .jpg and a truncated JPEG, under the fixture's keys
    objectsExist(new Map([
      ['images/My Photo été+1.jpg', images.textPretendingToBeJpeg()],
      ['images/cats/tabby.png', images.pngHeaderBomb()],
      ['images/diagram v2.webp', await images.truncatedJpeg(400, 300)],
    ]));
    const items = table();

    // WHEN
    const summary = await invoke(s3Event('s3-images-several-records.json'));

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected', 'image.rejected', 'image.rejected']);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).reason)).toEqual([
      expect.stringMatching(/not a recognised image format/),
      expect.stringMatching(/30000×30000 = 900,000,000 pixels.*not decoded/),
      expect.stringMatching(/JPEG image could not be decoded/),
    ]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(output.metric('ObjectsRejected')).toBe(3);
  });

  test('the notification describes the object read, not the event: real size, version id, ETag and content type', async () => {
    // GIVEN an event without versionId announcing 1,000,000 bytes (under this test's 1 MiB limit) ...
    const real = await images.png(64, 48);
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[1]];
    delete (event.Records[0].s3.object as { versionId?: string }).versionId;
    event.Records[0].s3.object.size = 1_000_000;
    // ... and S3 holding a small PNG, whose latest version is v-real
    const items = table();
    s3.on(HeadObjectCommand).resolves({ ContentLength: real.length, VersionId: 'v-real', ETag: '"etag-real"', ContentType: 'image/png' });
    s3.on(GetObjectCommand).callsFake(async (input: { VersionId?: string }) => ({
      ContentLength: real.length,
      VersionId: input.VersionId,
      ETag: '"etag-real"',
      ContentType: 'image/png',
      Body: { transformToByteArray: async () => new Uint8Array(real) },
    }));
    s3.on(PutObjectCommand).resolves({});

    // WHEN
    const summary = await invoke(event);

    // THEN the version HeadObject described is the one downloaded
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed']);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({ Key: 'images/cats/tabby.png', VersionId: 'v-real' });
    // AND the notification carries the object's own size, version id, ETag and content type
    expect([...items.values()][0].details).toMatchObject({
      size: real.length, versionId: 'v-real', eTag: 'etag-real', contentType: 'image/png', width: 64, height: 48,
    });
  });

  test('a key with ".." and empty segments gives thumbnail keys without them, listed in the notification', async () => {
    // GIVEN
    objectsExist(new Map([['images/../x.png', await images.png(64, 64)], ['images/a//b.png', await images.png(64, 64)]]));
    const items = table();
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[0], event.Records[1]];
    event.Records[0].s3.object.key = 'images/../x.png';
    event.Records[1].s3.object.key = 'images/a//b.png';

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.processed']);
    expect(putKeys()).toEqual([
      'thumbnails/%2E%2E/x.png/128.webp', 'thumbnails/%2E%2E/x.png/512.webp',
      'thumbnails/a/%/b.png/128.webp', 'thumbnails/a/%/b.png/512.webp',
    ]);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).thumbnailKeys)).toEqual([
      ['thumbnails/%2E%2E/x.png/128.webp', 'thumbnails/%2E%2E/x.png/512.webp'],
      ['thumbnails/a/%/b.png/128.webp', 'thumbnails/a/%/b.png/512.webp'],
    ]);
  });

  test('an object whose thumbnail keys would exceed 1,024 bytes is rejected before any S3 request', async () => {
    // GIVEN a 1,020-byte key: its longest thumbnail key (512.webp) would be 1,033 bytes
    objectsExist();
    const items = table();
    const key = `images/${'k'.repeat(1009)}.png`;
    expect(Buffer.byteLength(key)).toBe(1020);
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[0]];
    event.Records[0].s3.object.key = key;

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
    expect(s3.calls()).toHaveLength(0);
    expect([...items.values()][0].details).toMatchObject({
      reason: "The thumbnail key of this object would be 1,033 bytes (UTF-8), more than S3's limit of 1,024 bytes; nothing was read or written (use a shorter key)",
      outputKeyBytes: 1033,
      maxKeyBytes: 1024,
    });
  });

  test('any error making thumbnails of a downloaded image is a rejection, not a retry', async () => {
    // GIVEN the image core fails with a plain error (as libvips would on an input it cannot handle)
    objectsExist();
    const items = table();
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[1]];
    const spy = jest.spyOn(thumbnailsModule, 'makeThumbnails').mockRejectedValue(new Error('vips_resize: out of range'));
    try {
      // WHEN
      const summary = await invoke(event);

      // THEN one rejection with the reason and the object's real size, no thumbnail written
      expect(summary.records.map((r) => r.outcome)).toEqual(['image.rejected']);
      expect([...items.values()][0].details).toMatchObject({
        reason: 'The image could not be made into thumbnails: vips_resize: out of range',
        size: OBJECTS.get('images/cats/tabby.png')!.length,
      });
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    } finally {
      spy.mockRestore();
    }
  });

  test('an event without records (s3:TestEvent) is a no-op', async () => {
    const summary = await invoke(s3Event('s3-test-event.json'));
    expect(summary.records).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('every ingestion shape (direct, queue, EventBridge)', () => {
  const throttled = () => new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });
  const anyHandler = (event: unknown): Promise<any> => (handler as unknown as (e: unknown, c: Context) => Promise<unknown>)(
    event, lambdaContext('tap-test-image-processor'));
  const sqsBatch = () => loadFixture<SQSEvent>('sqs-s3-events.json');

  test('an SQS batch: each message\'s S3 event is processed; only the message with a failed record is reported', async () => {
    // GIVEN a batch of s3:TestEvent, a one-record event, a two-record event and an SNS envelope,
    // and S3 throttling the reads of one object of the two-record event
    objectsExist();
    s3.on(HeadObjectCommand, { Key: 'images/cats/tabby.png' }).rejects(throttled());
    const items = table();
    const batch = sqsBatch();

    // WHEN
    const response = await anyHandler(batch);

    // THEN only the message holding the throttled object is reported, to be delivered again alone
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[2].messageId }] });
    // AND the other objects of every message have their outcome (the SNS one repeats the first: one outcome)
    expect([...items.values()].map((i) => i.source).sort()).toEqual([
      `s3://${FIXTURE_BUCKET}/images/My Photo été+1.jpg`, `s3://${FIXTURE_BUCKET}/images/diagram v2.webp`,
    ]);
  });

  test('an SQS message that is not an S3 event is reported as failed, never acknowledged', async () => {
    objectsExist();
    table();
    const batch = sqsBatch();
    const bodies = ['not json', JSON.stringify({ hello: 'world' }), JSON.stringify({ Records: [{ eventSource: 'aws:dynamodb' }] })];
    const event = { Records: bodies.map((body, i) => ({ ...batch.Records[1], messageId: `bad-${i}`, body })) };

    const response = await anyHandler(event);

    expect(response.batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier)).toEqual(['bad-0', 'bad-1', 'bad-2']);
    expect(s3.calls()).toHaveLength(0);
    expect(JSON.stringify(output.logs())).toMatch(/not an S3 event: reported as failed/);
  });

  test('an EventBridge "Object Created" event with a + and unicode in its key: the same object, the same outcome id', async () => {
    // GIVEN the EventBridge event of the object the first S3 notification record names
    objectsExist();
    const items = table();

    // WHEN
    const summary = await anyHandler(loadFixture('eventbridge-object-created.json'));

    // THEN the raw key is read as it is, and the outcome id is the one the S3 notification path gives
    expect(summary.records).toEqual([expect.objectContaining({ key: 'images/My Photo été+1.jpg', outcome: 'image.processed' })]);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({
      Key: 'images/My Photo été+1.jpg', VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    });
    expect([...items.keys()]).toEqual([objectNotificationId({
      bucket: FIXTURE_BUCKET, key: 'images/My Photo été+1.jpg', versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    }, TEST_FINGERPRINT)]);
  });

  test('an EventBridge event other than "Object Created" is skipped without a notification', async () => {
    table();
    const deleted = { ...loadFixture<Record<string, unknown>>('eventbridge-object-created.json'), 'detail-type': 'Object Deleted' };
    const summary = await anyHandler(deleted);
    expect(summary.records).toEqual([expect.objectContaining({ outcome: 'skipped', reason: expect.stringMatching(/not an ObjectCreated event/) })]);
    expect(s3.calls()).toHaveLength(0);
  });

  test('an SNS event (S3 → SNS → Lambda) is processed like the S3 event it carries', async () => {
    objectsExist();
    const items = table();
    const envelope = JSON.parse(sqsBatch().Records[3].body) as { Message: string };
    const summary = await anyHandler({ Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Type: 'Notification', Message: envelope.Message } }] });
    expect(summary.records).toEqual([expect.objectContaining({ key: 'images/My Photo été+1.jpg', outcome: 'image.processed' })]);
    expect(items.size).toBe(1);
  });

  test.each<[string, unknown]>([
    ['an empty object', {}],
    ['an API Gateway request', { resource: '/notifications', httpMethod: 'GET', headers: {} }],
    ['a DynamoDB stream batch', { Records: [{ eventSource: 'aws:dynamodb', dynamodb: {} }] }],
    ['an S3 record naming no object', { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' } } }] }],
    ['an S3 event with a foreign record', { Records: [s3Event('s3-images-several-records.json').Records[0], { eventSource: 'aws:kinesis' }] }],
    ['an SNS message that is not JSON', { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'hello' } }] }],
    ['null', null],
  ])('an invocation it does not recognise fails, so that it is retried and dead-lettered: %s', async (_name, event) => {
    table();
    await expect(anyHandler(event)).rejects.toThrow(UnrecognizedEventError);
    expect(ddb.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(JSON.stringify(output.logs())).toMatch(/Unrecognized invocation/);
  });
});
