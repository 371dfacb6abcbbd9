import { defineConfig } from 'vitest/config';

/**
 * Packages export their TypeScript source under this condition, so tests run on `src/` without a
 * build while Node and published consumers get `dist/` (style guide R15).
 */
const SOURCE_CONDITION = '@mqttkit/source';

/**
 * Settings every package's tests share. Each package's `vitest.config.ts` is this object; running
 * `vitest` at the top level runs them all as projects.
 */
export const packageTestConfig = defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
  // Node-environment tests resolve through the SSR environment, which needs the condition too
  // (vitest issue 6992; TanStack sets both). Vite's own server defaults follow it; no 'import': vitest
  // hands these to Node for external packages, and 'import' would make `require('ws')` load ws's ESM
  // wrapper, which lacks `createWebSocketStream` (MQTT.js's ws:// transport breaks).
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // Socket tests on a shared 2-core machine: generous, never used as performance assertions.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

export default defineConfig({
  test: { projects: ['packages/*', 'apps/*'] },
});
