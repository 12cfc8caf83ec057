export * from './tap-serverless';
export * from './tap-serverless-props';
export * from './function-options';
export * from './api-authorization';
export * from './alarm-options';
export * from './data-schema';
export * from './contract/thumbnail-format';
export * from './ingestion';
