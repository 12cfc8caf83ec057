/**
 * Names of the EMF metrics the handlers publish, shared with the construct (alarms, dashboard,
 * metric accessors). No dependencies: the construct imports this file at synth time.
 *
 * Namespace: `POWERTOOLS_METRICS_NAMESPACE` (set by the construct to {@link METRICS_NAMESPACE});
 * dimensions: `service` (the function's `POWERTOOLS_SERVICE_NAME`) and `environment`.
 */

/** CloudWatch namespace of the handlers' metrics. */
export const METRICS_NAMESPACE = 'TapServerless';

/** `service` dimension (and `POWERTOOLS_SERVICE_NAME`) of each function. */
export const SERVICE_NAME = {
  IMAGE_PROCESSOR: 'image-processor',
  DATA_VALIDATOR: 'data-validator',
  NOTIFICATION_HANDLER: 'notification-handler',
  NOTIFICATION_EXPORT: 'notification-export',
  FAILURE_RECORDER: 'failure-recorder',
} as const;

/** Metric names emitted by the failure recorder (Count). */
export const FAILURE_METRICS = {
  /** Objects recorded as `<kind>.failed` (their event failed every attempt). */
  RECORDED: 'FailedOutcomesRecorded',
  /** Failed events forwarded to the dead-letter queue. */
  FORWARDED: 'FailedEventsForwarded',
} as const;

/** Metric names emitted by {@link processS3Event} (Count, namespace from `POWERTOOLS_METRICS_NAMESPACE`). */
export const S3_METRICS = {
  /** Records in the event. */
  RECEIVED: 'ObjectsReceived',
  /** Records that are not input objects (outside the input prefix, under an output prefix, folder markers, other events). */
  IGNORED: 'ObjectsIgnored',
  /** Objects recorded with the processor's outcome. */
  PROCESSED: 'ObjectsProcessed',
  /** Objects recorded as rejected (bad input). */
  REJECTED: 'ObjectsRejected',
  /** Objects recorded as skipped (deleted before processing). */
  SKIPPED: 'ObjectsSkipped',
  /** Deliveries of an object version that already had a notification. */
  DUPLICATES: 'DuplicateDeliveries',
  /** Records that failed with a possibly transient error (the event is retried). */
  FAILED: 'ObjectsFailed',
} as const;

/** Metric names emitted by the streamed export, `GET /notifications/export` (Count). */
export const EXPORT_METRICS = {
  /** Notifications written to export responses (including those of exports the client closed early). */
  EXPORTED: 'NotificationsExported',
  /** Exports that stopped before the end of their range (time limit or a read error); their trailer says where to resume. */
  INCOMPLETE: 'ExportsIncomplete',
} as const;

/** Metric names emitted by the notifications API (Count). */
export const API_METRICS = {
  /** Notifications created by POST /notifications. */
  CREATED: 'NotificationsCreated',
} as const;
