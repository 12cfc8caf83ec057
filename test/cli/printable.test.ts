import { printable, printableOutput } from '../../src/cli/printable';
import { formatReconcileReport, ReconcileReport } from '../../src/cli/reconcile';
import { chooseTarget } from '../../src/cli/redrive';

// Finding: an S3 key with control characters could hide lines or print a false "Complete".
const HOSTILE_KEY = 'data/x.ndjson\r\u001b[2KIncomplete? No: Complete\n  data/also-hidden\u202e.ndjson\u0007';

describe('printable', () => {
  test('writes every character that changes the terminal as \\u{…}', () => {
    expect(printable(HOSTILE_KEY)).toBe('data/x.ndjson\\u{0d}\\u{1b}[2KIncomplete? No: Complete\\u{0a}  data/also-hidden\\u{202e}.ndjson\\u{07}');
  });

  test.each(['00', '09', '7f', '85', '9b', '2028', '2029', '200e', '2066', '061c'])('escapes U+%s', (hex) => {
    expect(printable(`a${String.fromCodePoint(parseInt(hex, 16))}b`)).toBe(`a\\u{${hex.replace(/^0(?=...)/, '')}}b`);
  });

  test('leaves ordinary text, including non-Latin letters and emoji, as it is', () => {
    const key = 'images/Fête d’été/写真 📷 (1).png';
    expect(printable(key)).toBe(key);
  });

  test('printableOutput keeps the CLI\'s own line feeds and tabs, and escapes the rest', () => {
    expect(printableOutput('a\tb\nc\rd\u001b[0m')).toBe('a\tb\nc\\u{0d}d\\u{1b}[0m');
  });
});

describe('the CLI\'s output names a hostile key on one line, escaped', () => {
  test('reconcile\'s report', () => {
    const report: ReconcileReport = {
      bucket: 'b',
      table: 't',
      prefixes: [],
      objects: 1,
      current: 0,
      olderConfiguration: 0,
      missing: 1,
      failed: 0,
      missingObjects: [{ key: HOSTILE_KEY, versionId: 'v1', eTag: 'e', status: 'missing', functionName: 'fn' }],
      olderConfigurationObjects: [],
      complete: false,
      elapsedSeconds: 1,
    };
    const text = formatReconcileReport(report, {});
    expect(text).not.toMatch(/[\r\u001b\u0007\u202e]/);
    const line = text.split('\n').find((l) => l.includes('data/x.ndjson'))!;
    expect(line).toBe(`  ${printable(HOSTILE_KEY)}  (version v1)`);
    expect(text.split('\n').filter((l) => /^\s*data\//.test(l))).toHaveLength(1);
  });

  test('redrive\'s reason for leaving a message in the queue', () => {
    const payload = { Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'b' }, object: { key: encodeURIComponent(HOSTILE_KEY) } } }] };
    const reason = chooseTarget(payload, [{ functionName: 'images', inputPrefix: 'images/' }]);
    expect(reason).toMatch(/^no given function processes /);
    expect(reason).not.toMatch(/[\r\n\u001b\u0007\u202e]/);
  });
});
