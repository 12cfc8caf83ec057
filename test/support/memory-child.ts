// Run by the memory test in a fresh Node.js process with a small heap (--max-old-space-size):
// validates a generated NDJSON stream of the given size and prints the result and the process's
// peak RSS (VmHWM). If the validator held the file in memory, the process would run out of heap.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { loadSchemaValidators } from '../../src/data/runtime/schema-validators';
import { validateData } from '../../src/data/runtime/validate-data';

function* generatedNdjson(totalBytes: number): Generator<Buffer> {
  let produced = 0;
  let i = 0;
  while (produced < totalBytes) {
    const lines: string[] = [];
    let size = 0;
    while (size < 64 * 1024) {
      const line = JSON.stringify({ id: i + 1, customer: `Customer ${i}`, email: `c${i}@example.com`, quantity: (i % 10) + 1, price: 10.5, paid: true }) + '\n';
      lines.push(line);
      size += line.length;
      i += 1;
    }
    const chunk = Buffer.from(lines.join(''));
    produced += chunk.length;
    yield chunk;
  }
}

async function main(): Promise<void> {
  const [validatorsDir, totalMb] = process.argv.slice(2);
  const total = Number(totalMb) * 1024 * 1024;
  const result = await validateData(Readable.from(generatedNdjson(total)), {
    format: 'ndjson',
    validators: loadSchemaValidators(validatorsDir),
    limits: { maxRecordBytes: 64 * 1024, maxJsonDepth: 64, maxReportErrors: 100 },
  });
  const hwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  process.stdout.write(JSON.stringify({
    valid: result.valid, records: result.counts.records, bytesRead: result.bytesRead, totalBytes: total, peakRssMb: hwmKb / 1024,
  }) + '\n');
}

void main();
