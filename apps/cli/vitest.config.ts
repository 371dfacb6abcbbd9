export { packageTestConfig as default } from '../../vitest.config.ts';
