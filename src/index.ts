export * from './tap-serverless';
export * from './api-authorization';
