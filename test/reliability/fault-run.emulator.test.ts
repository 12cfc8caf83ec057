import { emulatorEndpoint } from '../../emulator/bundled';
import { runFaultScenario } from '../../emulator/fault-run';

// Cases 18 and 19 (docs/testing.md). The S3 functions under 8 % faults on their S3 and DynamoDB
// calls plus a two-second storm, with Lambda's async retries and dead-letter queue
// (emulator/fault-run.ts); then redrive, reconcile, reprocess of the lost events' objects,
// reconcile: complete, one outcome per object.
// The 1,000- and 5,000-object runs are projen tasks (fault-run, fault-run:full).
jest.setTimeout(240_000);

test('120 objects, 8 % faults and a storm: redrive and reprocess leave every object with exactly one current outcome', async () => {
  const figures = await runFaultScenario({
    objects: 120,
    faultRate: 0.08,
    seed: 7,
    motoEndpoint: emulatorEndpoint(),
    storm: { afterMs: 300, durationMs: 2000, rate: 1 },
  });

  expect(figures.objects).toBe(120);
  expect(figures.faultsTotal).toBeGreaterThan(0);
  expect(Object.values(figures.faults).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  expect(figures.retries).toBeGreaterThan(0);
  expect(figures.dropped).toBe(0);
  // The storm dead-letters events; redrive delivers them all.
  expect(figures.deadLettered).toBeGreaterThan(0);
  expect(figures.redriven).toBeGreaterThanOrEqual(figures.deadLettered);
  expect(figures.dlqLeft).toBe(0);
  // After the redrive, reconcile finds exactly the objects whose event was lost; reprocess delivers them.
  expect(figures.lostEvents).toBeGreaterThan(0);
  expect(figures.reconcileBefore.missing).toBe(figures.lostEvents);
  expect(figures.reprocessed).toMatchObject({ delivered: figures.lostEvents, failed: 0 });
  expect(figures.reconcileAfter).toMatchObject({ objects: 120, current: 120, missing: 0, olderConfiguration: 0, complete: true });
  // The table itself: one outcome per object version, of the type its content calls for.
  expect(figures.missing).toBe(0);
  expect(figures.duplicatesFound).toBe(0);
  expect(figures.unexpectedOutcomes).toBe(0);
});
