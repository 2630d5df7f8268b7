import {defineConfig} from 'vitest/config'

/**
 * The extra suite (`npm run test:corpus`): the same checks as `npm test` on the shared corpus of
 * real notes that sits beside the repository on the project's machines. It fails, naming the
 * missing folder, when that corpus is absent.
 */
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
