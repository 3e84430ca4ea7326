export * from './errors/error-kind.js';
export * from './errors/app-error.js';
export * from './domain/image-reference.js';
