import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expectBucketOwner, InvalidBucketOwnerError } from '../../src/runtime/bucket-owner';

// Finding 11 (bucket-name squatting): every S3 request of the functions and the CLI names the
// bucket's owner, so S3 refuses (403) a bucket of the same name in another account. Checked on
// the HTTP requests the SDK sends.

interface SentRequest { readonly method: string; readonly path: string; readonly headers: Record<string, string> }

/** An S3 client whose requests are captured and answered 200 with an empty body. */
function capturingClient(): { client: S3Client; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const client = new S3Client({
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async (request: { method: string; path: string; headers: Record<string, string> }) => {
        sent.push({ method: request.method, path: request.path, headers: { ...request.headers } });
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    },
  });
  return { client, sent };
}

test('every request naming a bucket carries x-amz-expected-bucket-owner', async () => {
  const { client, sent } = capturingClient();
  expectBucketOwner(client, '111122223333');

  await client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'images/a.png' }));
  await client.send(new GetObjectCommand({ Bucket: 'ingest', Key: 'images/a.png', IfMatch: '"abc"' }));
  await client.send(new PutObjectCommand({ Bucket: 'ingest', Key: 'thumbnails/a.png/128.webp', Body: 'x' }));
  await client.send(new ListObjectsV2Command({ Bucket: 'ingest', Prefix: 'images/' }));

  expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
    'HEAD /ingest/images/a.png', 'GET /ingest/images/a.png', 'PUT /ingest/thumbnails/a.png/128.webp', 'GET /ingest/',
  ]);
  expect(sent.map((r) => r.headers['x-amz-expected-bucket-owner'])).toEqual(['111122223333', '111122223333', '111122223333', '111122223333']);
});

test('a request that names its own expected owner keeps it; a client without the middleware sends none', async () => {
  const { client, sent } = capturingClient();
  expectBucketOwner(client, '111122223333');
  await client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'k', ExpectedBucketOwner: '444455556666' }));
  const plain = capturingClient();
  await plain.client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'k' }));

  expect(sent[0].headers['x-amz-expected-bucket-owner']).toBe('444455556666');
  expect(plain.sent[0].headers['x-amz-expected-bucket-owner']).toBeUndefined();
});

test('adding it twice keeps one middleware; an owner that is not a 12-digit account id is refused', async () => {
  const { client, sent } = capturingClient();
  expectBucketOwner(expectBucketOwner(client, '111122223333'), '111122223333');
  await client.send(new HeadObjectCommand({ Bucket: 'ingest', Key: 'k' }));
  expect(sent[0].headers['x-amz-expected-bucket-owner']).toBe('111122223333');

  for (const owner of ['', '12345678901', '${Token[AWS.AccountId.7]}', '1111222233334']) {
    expect(() => expectBucketOwner(new S3Client({}), owner)).toThrow(InvalidBucketOwnerError);
  }
});
