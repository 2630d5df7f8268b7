import {configDefaults, defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/corpus needs ../shared/corpus beside the repository: only `npm run test:corpus` runs it
    // (vitest.corpus.config.ts), so `npm test` passes on a clone with nothing beside it.
    exclude: [...configDefaults.exclude, 'test/corpus/**'],
    // Command tests spawn the CLI and run real syncs in temp dirs; give them room on 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
