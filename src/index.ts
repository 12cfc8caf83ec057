export * from './tap-serverless';
export * from './api-authorization';
export * from './thumbnail-format';
