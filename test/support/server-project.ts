/**
 * The test server plus temp projects that many command tests need, with their teardown in one
 * place: whatever `startServer`, `project` and `start` create is closed and removed after each
 * test (`'each'`, the default) or after the file's last test (`'all'`), even when a test fails.
 *
 * ```ts
 * const setup = useServerProject()
 * it('…', async () => {
 *   const {server, project} = await setup.start({'notes/a.md': '# A\n'})
 * ```
 */
import {afterAll, afterEach} from 'vitest'
import {startTestServer, type TestServer, type TestServerOptions} from './openai-server.js'
import {type TempProject, tempProject} from './project.js'

export interface ServerProject {
  /** Starts a test server (as many as a test needs). */
  startServer(options?: TestServerOptions): Promise<TestServer>
  /** A temp project holding `files`; as many as a test needs. */
  project(files?: Record<string, string>): Promise<TempProject>
  /** Both: the server, then one project. */
  start(
    files?: Record<string, string>,
    options?: TestServerOptions
  ): Promise<{server: TestServer; project: TempProject}>
}

export function useServerProject(scope: 'each' | 'all' = 'each'): ServerProject {
  const servers: TestServer[] = []
  const projects: TempProject[] = []
  ;(scope === 'each' ? afterEach : afterAll)(async () => {
    try {
      for (const server of servers.splice(0)) await server.close()
    } finally {
      for (const project of projects.splice(0)) await project.remove()
    }
  })
  const setup: ServerProject = {
    async startServer(options) {
      const server = await startTestServer(options)
      servers.push(server)
      return server
    },
    async project(files = {}) {
      const project = await tempProject(files)
      projects.push(project)
      return project
    },
    async start(files = {}, options) {
      const started = await setup.startServer(options)
      return {server: started, project: await setup.project(files)}
    }
  }
  return setup
}
