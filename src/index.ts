export * from './tap-serverless';
export * from './api-authorization';
export * from './alarm-options';
export * from './data-schema';
export * from './thumbnail-format';
