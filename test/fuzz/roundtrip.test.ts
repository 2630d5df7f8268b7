/** The fuzz property test (see `run.ts`) over documents inside the repository or installed by `npm ci`. */
import {defineFuzz, fuzzSeeds} from './run.js'

defineFuzz('spec examples, package READMEs and fixture notes', fuzzSeeds())
