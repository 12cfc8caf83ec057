export * from './tap-serverless';
export * from './api-authorization';
export * from './data-schema';
