/** The fuzz property test (see `test/fuzz/run.ts`) with the shared corpus's notes and READMEs added to the seeds. */
import {defineFuzz, fuzzSeeds} from '../fuzz/run.js'
import {corpusFiles} from './shared.js'

defineFuzz(
  'spec examples, package READMEs, fixture notes and shared-corpus files',
  fuzzSeeds([...corpusFiles('notes'), ...corpusFiles('readmes')].map((file) => file.text))
)
