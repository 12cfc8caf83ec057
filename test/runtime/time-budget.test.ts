import { InvocationBudget, invocationBudget, MAX_RESERVE_MS } from '../../src/runtime/time-budget';

// The invocation's remaining time is shared among its objects, each keeping back the time to record its outcome.

test('each object gets an equal share of what remains when it starts, less a fifth kept back to record it', () => {
  let remaining = 9_000;
  let now = 1_000_000;
  const budget = new InvocationBudget(() => remaining, 3, () => now);

  expect(budget.nextObject()).toEqual({ milliseconds: 2_400, deadline: 1_002_400 });
  // The first object took 4 s (its work stopped at its deadline, then recording took the rest): the two others share 5 s.
  remaining = 5_000;
  now += 4_000;
  expect(budget.nextObject()).toEqual({ milliseconds: 2_000, deadline: 1_006_000 });
  remaining = 3_000;
  now += 2_000;
  expect(budget.nextObject()).toEqual({ milliseconds: 2_400, deadline: 1_008_400 });
  // More objects than announced (skipped keys do not count): the last share is used again.
  expect(budget.nextObject().milliseconds).toBe(2_400);
});

test(`what is kept back is at most ${MAX_RESERVE_MS} ms; an invocation out of time gives 0`, () => {
  expect(new InvocationBudget(() => 300_000, 1, () => 0).nextObject()).toEqual({ milliseconds: 295_000, deadline: 295_000 });
  expect(new InvocationBudget(() => -5, 2, () => 7).nextObject()).toEqual({ milliseconds: 0, deadline: 7 });
  expect(new InvocationBudget(() => 1_000, 0, () => 0).nextObject().milliseconds).toBe(800);
});

test('a context that cannot tell its remaining time gives no budget', () => {
  expect(invocationBudget(undefined, 1)).toBeUndefined();
  expect(invocationBudget({}, 1)).toBeUndefined();
  const context = { left: 10_000, getRemainingTimeInMillis(this: { left: number }) { return this.left; } };
  expect(invocationBudget(context, 2)!.nextObject().milliseconds).toBe(4_000);
});
