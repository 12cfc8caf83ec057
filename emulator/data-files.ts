import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SCHEMA_ARTIFACTS } from '../src/contract/data-limits';
import { DataSchema } from '../src/data/data-schema';
import { loadSchemaValidators, SchemaValidators } from '../src/data/runtime/schema-validators';
import { CompiledDataSchema, compileDataSchema, schemaArtifacts } from '../src/data/schema-compiler';

/** The order schema of the fixtures (draft-07, formats, enum, additionalProperties: false). */
export const ORDER_SCHEMA_FILE = join(__dirname, '..', 'examples', 'schema', 'order.schema.json');
export const ORDER_SCHEMA_JSON = readFileSync(ORDER_SCHEMA_FILE, 'utf8');

/**
 * Validators as the deployed function loads them: compiled at "synth" by the construct's compiler,
 * written as the construct writes them, loaded by the handler's loader.
 */
export function schemaValidators(schemaJson = ORDER_SCHEMA_JSON): SchemaValidators {
  return loadSchemaValidators(schemaValidatorsDir(schemaJson))!;
}

/** A directory holding the precompiled validators as the construct writes them into the asset. */
export function schemaValidatorsDir(schemaJson = ORDER_SCHEMA_JSON): string {
  return writeSchemaArtifacts(compileDataSchema(DataSchema.fromJson(schemaJson)));
}

/** A new directory holding a compiled schema's files in `schema/`, as the construct writes them into the asset. */
export function writeSchemaArtifacts(compiled: CompiledDataSchema): string {
  const dir = mkdtempSync(join(tmpdir(), 'tap-validators-'));
  const schemaDir = join(dir, SCHEMA_ARTIFACTS.DIR);
  mkdirSync(schemaDir);
  for (const [name, content] of Object.entries(schemaArtifacts(compiled))) writeFileSync(join(schemaDir, name), content);
  return dir;
}

/** A valid order; `i` makes each one distinct. */
export function order(i: number): Record<string, unknown> {
  return {
    id: i + 1,
    customer: `Customer ${i} — Zoë`,
    email: `c${i}@example.com`,
    quantity: (i % 10) + 1,
    price: 9.99 + (i % 7),
    paid: i % 2 === 0,
    orderedAt: '2026-11-28T10:00:00Z',
    status: 'new',
  };
}

export const ORDER_COLUMNS = ['id', 'customer', 'email', 'quantity', 'price', 'paid', 'orderedAt', 'status'];

/** NDJSON of `count` orders, with `edit` applied to some (by 0-based index). */
export function ndjson(count: number, edit: (o: Record<string, unknown>, i: number) => Record<string, unknown> = (o) => o): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify(edit(order(i), i)));
  return lines.join('\n') + '\n';
}

/** CSV (header row + `count` rows) of orders; `edit` may replace any row's cells (by 0-based data row). */
export function csv(count: number, edit: (cells: string[], i: number) => string[] = (c) => c): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [ORDER_COLUMNS.join(',')];
  for (let i = 0; i < count; i++) {
    const o = order(i);
    lines.push(edit(ORDER_COLUMNS.map((c) => String(o[c])), i).map(quote).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** A pretty-printed JSON array of orders (one element starts on line 2 + 11 × i). */
export function jsonArray(count: number, edit: (o: Record<string, unknown>, i: number) => Record<string, unknown> = (o) => o): string {
  const items = [];
  for (let i = 0; i < count; i++) items.push(edit(order(i), i));
  return JSON.stringify(items, null, 2);
}

/** A readable stream of `data` in chunks of `size` bytes (chunk boundaries anywhere, even inside a character). */
export function chunked(data: string | Buffer, size = 4096): Readable {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks);
}
