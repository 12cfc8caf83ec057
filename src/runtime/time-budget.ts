/** The time one object may take, worked out when its processing starts. */
export interface ObjectBudget {
  /** When the object's processing must stop (epoch milliseconds). */
  readonly deadline: number;
  /** How long that is from the start, in milliseconds. */
  readonly milliseconds: number;
}

/** The most kept back, per object, to record its outcome once its work stops (write the report or thumbnails, the outcome, its event). */
export const MAX_RESERVE_MS = 5_000;
/** The share of an object's time kept back to record its outcome, when that is less than {@link MAX_RESERVE_MS}. */
const RESERVE_SHARE = 0.2;

/**
 * An invocation's remaining time, shared among the objects it holds (the records of an S3 event,
 * the messages of an SQS batch, the tasks of a Batch Operations call): each object, when it starts,
 * may take an equal share of what remains, less what is kept back to record its outcome. An object
 * past its deadline is stopped and rejected by its processor, so that it is recorded once, never
 * retried into the dead-letter queue by a timeout, and the objects after it still get their share.
 */
export class InvocationBudget {
  private objectsLeft: number;

  /**
   * @param remainingMs the invocation's remaining time (the Lambda context's `getRemainingTimeInMillis`)
   * @param objects how many objects the invocation holds
   */
  constructor(private readonly remainingMs: () => number, objects: number, private readonly now: () => number = Date.now) {
    this.objectsLeft = Math.max(1, objects);
  }

  /** The budget of the next object, which starts now. */
  public nextObject(): ObjectBudget {
    const share = Math.max(0, this.remainingMs()) / this.objectsLeft;
    if (this.objectsLeft > 1) this.objectsLeft -= 1;
    const milliseconds = Math.max(0, share - Math.min(MAX_RESERVE_MS, share * RESERVE_SHARE));
    return { deadline: this.now() + milliseconds, milliseconds };
  }
}

/** The budget of an invocation of a Lambda function, or none when the context cannot tell its remaining time (a test's fake). */
export function invocationBudget(context: { getRemainingTimeInMillis?: () => number } | undefined, objects: number): InvocationBudget | undefined {
  const remaining = context?.getRemainingTimeInMillis;
  return typeof remaining === 'function' ? new InvocationBudget(() => remaining.call(context), objects) : undefined;
}
