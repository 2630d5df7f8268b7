import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Command tests spawn the CLI and run real syncs in temp dirs; give them room on 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
