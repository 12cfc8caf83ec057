export * from './tap-serverless';
export * from './tap-serverless-props';
// The pipeline's shared settings
export * from './construct/pipeline-options';
export * from './construct/function-options';
export * from './construct/ingestion';
export * from './construct/outcome-events';
export * from './construct/alarm-options';
// Images
export * from './images/image-processing-options';
export * from './images/thumbnail-format';
// Data
export * from './data/data-validation-options';
export * from './data/data-schema';
// Routes of your own functions
export * from './routes/route';
export * from './routes/routing-options';
// Notifications API
export * from './notifications/notifications-api-options';
export * from './notifications/api-authorization';
export * from './notifications/api-objectives';
