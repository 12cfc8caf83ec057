import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createBucket, s3Client } from '../../emulator/bundled';
import { OutputsContendedError, SupersededError, writeOutputsWhileCurrent } from '../../src/runtime/object-read';

// Outputs never go backwards, whatever the interleaving (finding: stale outputs overwrite current
// ones): writeOutputsWhileCurrent against S3 in moto (its conditional writes: If-Match, If-None-Match),
// with the writes of a newer version landing between an older version's check and its writes.
const BUCKET = 'tap-output-writes';
let s3: S3Client;

beforeAll(async () => {
  s3 = s3Client();
  await createBucket(s3, BUCKET);
});

async function upload(key: string, body: string) {
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return { versionId: put.VersionId, eTag: put.ETag?.replace(/"/g, '') };
}
const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

/** An S3 client that runs `before` once, just before its first PutObject of `key` is sent. */
function interleaving(key: string, before: () => Promise<void>): S3Client {
  const client = s3Client();
  let done = false;
  client.middlewareStack.add((next, context) => async (args) => {
    if (!done && context.commandName === 'PutObjectCommand' && (args.input as { Key?: string }).Key === key) {
      done = true;
      await before();
    }
    return next(args);
  }, { step: 'initialize', name: 'interleaving' });
  return client;
}

test('an older version whose check passed never lands its outputs once a newer version has written its own', async () => {
  // GIVEN version 1 of a key, read and processed; its outputs are about to be written
  const source = 'images/race.png';
  const v1 = await upload(source, 'one');
  const outputs = ['thumbnails/race.png/128.webp', 'thumbnails/race.png/512.webp'];
  // WHEN version 2 is written and its whole processing completes between v1's check and v1's first write
  const racing = interleaving(outputs[0], async () => {
    const v2 = await upload(source, 'two');
    await writeOutputsWhileCurrent(s3Client(), { bucket: BUCKET, key: source, read: v2 }, outputs.map((Key) => ({ Key, Body: `two:${Key}` })));
  });
  const older = writeOutputsWhileCurrent(racing, { bucket: BUCKET, key: source, read: v1 }, outputs.map((Key) => ({ Key, Body: `one:${Key}` })));

  // THEN v1's write is refused (the output changed since it looked), v1 is found superseded, and both outputs are v2's
  await expect(older).rejects.toBeInstanceOf(SupersededError);
  expect(await Promise.all(outputs.map(text))).toEqual(outputs.map((key) => `two:${key}`));
});

test('the current version overtaken between its look and its write writes again, and its outputs stay', async () => {
  // GIVEN the current version about to write its report, and an older write of that report landing in between
  const source = 'data/race.ndjson';
  const report = 'reports/data/race.ndjson.report.json';
  const current = await upload(source, '{}\n');
  const racing = interleaving(report, async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: report, Body: 'stale' }));
  });

  // WHEN it writes
  await writeOutputsWhileCurrent(racing, { bucket: BUCKET, key: source, read: current }, [{ Key: report, Body: 'current' }]);

  // THEN its second round wrote over the stale one
  expect(await text(report)).toBe('current');
});

test('outputs overtaken in every round: OutputsContendedError (retried), never a 412 taken for an overwritten input', async () => {
  const source = 'data/busy.ndjson';
  const report = 'reports/data/busy.ndjson.report.json';
  const current = await upload(source, '{}\n');
  const client = s3Client();
  let writes = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === 'PutObjectCommand') {
      writes += 1;
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: report, Body: `other ${writes}` }));
    }
    return next(args);
  }, { step: 'initialize', name: 'always-overtaken' });

  await expect(writeOutputsWhileCurrent(client, { bucket: BUCKET, key: source, read: current }, [{ Key: report, Body: 'mine' }]))
    .rejects.toBeInstanceOf(OutputsContendedError);
  expect(writes).toBe(5);
});
