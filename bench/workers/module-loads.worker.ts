// Preloaded (`node --require`) into a synth run by the bench: times each module's own load, i.e.
// reading, compiling and running its top level, without the modules it requires in turn, and
// notes which module first required it. Writes `{ own, firstBy }` (ms and parent file by module
// file) as JSON to the file named by REQUIRE_TIMES_OUT when the process exits.
import { writeFileSync } from 'node:fs';
import Module from 'node:module';

const out = process.env.REQUIRE_TIMES_OUT;
if (out === undefined) throw new Error('REQUIRE_TIMES_OUT is not set: the bench preloads this into a synth run');

// Module.prototype.load runs once per module, with its file resolved: cached requires cost nothing.
const loader = Module.prototype as unknown as { load(this: { parent?: { filename?: string } }, file: string): void };
const original = loader.load;
const frames: Array<{ children: number }> = [];
const own: Record<string, number> = {};
const firstBy: Record<string, string | undefined> = {};

loader.load = function load(file: string): void {
  const frame = { children: 0 };
  frames.push(frame);
  firstBy[file] = this.parent?.filename;
  const start = process.hrtime.bigint();
  try {
    original.call(this, file);
  } finally {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    frames.pop();
    own[file] = (own[file] ?? 0) + ms - frame.children;
    if (frames.length > 0) frames[frames.length - 1].children += ms;
  }
};

process.on('exit', () => writeFileSync(out, JSON.stringify({ own, firstBy })));
