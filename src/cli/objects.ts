import { gunzipSync } from 'node:zlib';
import {
  GetBucketVersioningCommand, GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client,
} from '@aws-sdk/client-s3';
import * as Papa from 'papaparse';
import { UsageError } from './stack';

/**
 * The objects of a bucket under a prefix, as the operations commands see them: the current
 * version of each key (delete markers and older versions left out), in key order.
 */

/** The current version of one object. */
export interface ListedObject {
  readonly key: string;
  /** Set in a versioned bucket (`null` for objects written before versioning was enabled). */
  readonly versionId?: string;
  /** Without quotes. */
  readonly eTag: string;
  readonly size: number;
}

export interface ListOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** List only keys after this one (resume). */
  readonly startAfter?: string;
}

/** Whether the bucket keeps versions (Enabled or Suspended): then listings must name versions. */
export async function isVersioned(s3: S3Client, bucket: string): Promise<boolean> {
  const result = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return result.Status === 'Enabled' || result.Status === 'Suspended';
}

/**
 * Lists the current object versions under a prefix: ListObjectVersions (latest versions that are
 * not delete markers) in a versioned bucket, ListObjectsV2 otherwise; paginated.
 */
export async function* listObjects(s3: S3Client, options: ListOptions, versioned?: boolean): AsyncGenerator<ListedObject> {
  if (versioned ?? await isVersioned(s3, options.bucket)) {
    let keyMarker = options.startAfter;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({
        Bucket: options.bucket, Prefix: options.prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker,
      }));
      for (const v of page.Versions ?? []) {
        if (!v.IsLatest || v.Key === undefined) continue;
        yield { key: v.Key, versionId: v.VersionId, eTag: unquote(v.ETag), size: v.Size ?? 0 };
      }
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({
      Bucket: options.bucket,
      Prefix: options.prefix,
      ContinuationToken: token,
      StartAfter: token ? undefined : options.startAfter,
    }));
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield { key: o.Key, eTag: unquote(o.ETag), size: o.Size ?? 0 };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** `s3://bucket/key` → its parts; a UsageError otherwise. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new UsageError(`not an s3://bucket/key URL: ${url}`);
  return { bucket: match[1], key: match[2] };
}

/** The part of an S3 Inventory manifest.json the commands read. */
interface InventoryManifest {
  readonly sourceBucket?: string;
  readonly destinationBucket?: string;
  readonly fileFormat?: string;
  readonly fileSchema?: string;
  readonly files?: { key: string }[];
}

/**
 * Reads the current object versions under a prefix from an S3 Inventory report (CSV format,
 * `manifest.json` URL), instead of listing the bucket: for buckets of many millions of objects.
 * The inventory must include the Size and ETag fields (and VersionId, IsLatest, IsDeleteMarker
 * for a versioned bucket's "all versions" inventory). Keys are URL-encoded in the report.
 * Yields in the report's order; objects newer than the report are not in it.
 */
export async function* inventoryObjects(s3: S3Client, manifestUrl: string, options: ListOptions): AsyncGenerator<ListedObject> {
  const location = parseS3Url(manifestUrl);
  const manifest = JSON.parse(await readText(s3, location.bucket, location.key)) as InventoryManifest;
  if (manifest.fileFormat !== 'CSV') {
    throw new UsageError(`the inventory at ${manifestUrl} is ${manifest.fileFormat ?? 'of unknown format'}: only CSV inventories can be read`);
  }
  if (manifest.sourceBucket && manifest.sourceBucket !== options.bucket) {
    throw new UsageError(`the inventory at ${manifestUrl} lists bucket ${manifest.sourceBucket}, not ${options.bucket}`);
  }
  const fields = (manifest.fileSchema ?? '').split(',').map((f) => f.trim());
  const column = (name: string) => fields.indexOf(name);
  const [keyAt, versionAt, latestAt, markerAt, sizeAt, eTagAt] =
    ['Key', 'VersionId', 'IsLatest', 'IsDeleteMarker', 'Size', 'ETag'].map(column);
  if (keyAt < 0 || eTagAt < 0) {
    throw new UsageError(`the inventory at ${manifestUrl} has no Key or ETag field (fileSchema: ${manifest.fileSchema}): add ETag to the inventory's fields`);
  }
  const reportBucket = manifest.destinationBucket?.replace(/^arn:aws[a-z-]*:s3:::/, '') ?? location.bucket;
  for (const file of manifest.files ?? []) {
    const body = await readBytes(s3, reportBucket, file.key);
    const text = (file.key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
    const rows = Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
    for (const row of rows) {
      const key = decodeURIComponent(row[keyAt].replace(/\+/g, ' '));
      if (!key.startsWith(options.prefix)) continue;
      if (options.startAfter !== undefined && key <= options.startAfter) continue;
      if (latestAt >= 0 && row[latestAt] !== 'true') continue;
      if (markerAt >= 0 && row[markerAt] === 'true') continue;
      const versionId = versionAt >= 0 && row[versionAt] ? row[versionAt] : undefined;
      yield { key, versionId, eTag: unquote(row[eTagAt]), size: sizeAt >= 0 ? Number(row[sizeAt]) : 0 };
    }
  }
}

async function readBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await result.Body!.transformToByteArray());
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  return (await readBytes(s3, bucket, key)).toString('utf8');
}

function unquote(eTag: string | undefined): string {
  return (eTag ?? '').replace(/"/g, '');
}
