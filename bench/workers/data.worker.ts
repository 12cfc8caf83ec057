// One measurement over one data file, in a fresh process (so that its peak RSS is its own):
//   validate: the data validator's core (validateData over a file stream, the deployment's limits,
//             the schema precompiled as the construct precompiles it at synth);
//   raw:      the baseline, a bare stream read + line split + JSON.parse loop (no validation).
// Prints one JSON line. argv: validate <ndjson|csv> <file> <schema dir> | raw <file>
import { createReadStream } from 'node:fs';
import { msSince, report } from './result';
import type { DataFormat } from '../../src/functions/data/format';
import { readDataLimits } from '../../src/functions/data/limits';
import { loadSchemaValidators } from '../../src/functions/data/schema-validators';
import { validateData } from '../../src/functions/data/validate-data';

async function validate(format: DataFormat, file: string, schemaDir: string): Promise<void> {
  const validators = loadSchemaValidators(schemaDir);
  if (!validators) throw new Error(`no precompiled schema in ${schemaDir}`);
  const start = process.hrtime.bigint();
  const result = await validateData(createReadStream(file), { format, validators, limits: readDataLimits({}) });
  const ms = msSince(start);
  report({ ms, records: result.counts.records, invalidRecords: result.counts.invalid, bytesRead: result.bytesRead, fatal: result.fatal });
}

async function raw(file: string): Promise<void> {
  const start = process.hrtime.bigint();
  let records = 0;
  let bytes = 0;
  let rest = '';
  const stream = createReadStream(file, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    bytes += chunk.length;
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.length > 0) {
        JSON.parse(line);
        records += 1;
      }
    }
  }
  if (rest.length > 0) {
    JSON.parse(rest);
    records += 1;
  }
  report({ ms: msSince(start), records, chars: bytes });
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'raw' ? raw(args[0]) : validate(args[0] as DataFormat, args[1], args[2])).catch((err) => {
  console.error(err);
  process.exit(1);
});
