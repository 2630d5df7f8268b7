/**
 * The resolved configuration: every key of `notes-l10n.config.json` with its default applied,
 * locales normalised, paths relative to `root` with POSIX separators. Plain data (JSON-safe),
 * so commands can print it and tests can compare it.
 */

/** A locale in both of its forms. */
export interface LocalePair {
  /** BCP-47 tag (`zh-Hant`): what the model, the glossary and the lock use. */
  tag: string
  /** Form used in paths, `{locale}` and front-matter (`hant`): the alias when there is one, else the tag. */
  path: string
}

/** What happens to one front-matter key in a target file. */
export type FieldPolicy = 'translate' | 'keep' | 'drop' | {set: string | number | boolean | null}

export interface ResolvedConfig {
  /** Absolute project root: the folder holding the config file, else the working directory. */
  root: string
  /** Absolute path of the config file, when there is one. */
  file?: string
  /**
   * Absolute working directory the config was loaded from (set by `loadConfig`): relative CLI
   * paths given to `discoverNotes` are resolved against it, not against the root.
   */
  cwd?: string
  sources: {
    include: string[]
    exclude: string[]
    /** File-name pattern with `{captures}`, relative to the root. */
    pattern?: string
    /** Regular expression source per capture name (defaults not included; see `pattern.ts`). */
    captures: Record<string, string>
  }
  sourceLocale: {
    /** BCP-47 tag. */
    default: string
    /** Front-matter key, or undefined when front-matter is not consulted. */
    fromFrontmatter?: string
    /** Capture name, or undefined when file names are not consulted. */
    fromPattern?: string
  }
  /** Target locales in config order (empty: they come from `--locale`). */
  locales: LocalePair[]
  /** Path form → BCP-47 tag. */
  localeAliases: Record<string, string>
  /** Output path template (with `outputs`: the first of them, for messages). */
  output: string
  /** One output template per include glob, when the config gives `output` as an object. */
  outputs?: Record<string, string>
  /** Glossary file relative to the root (`glossary.json` unless configured). */
  glossary: string
  /** Whether the config named the glossary explicitly: then a missing file is an error, not "no glossary". */
  glossaryRequired: boolean
  /**
   * Provider settings as configured. `model` and `concurrency` stay undefined unless the config
   * sets them, so the provider module owns their defaults.
   */
  provider: {
    name: 'openai' | 'pseudo'
    /**
     * The config names the provider (`provider.name`): then `check` holds translations to it —
     * output of the offline `pseudo` provider is not current for a real one.
     */
    named?: true
    model?: string
    baseURL?: string
    concurrency?: number
    /** Total deadline of one request attempt, ms (connect, headers, body). */
    timeoutMs?: number
    /** Largest reply accepted, bytes after decompression. */
    maxReplyBytes?: number
    /** Model per BCP-47 tag. */
    models: Record<string, string>
    responseFormat: 'auto' | 'json_schema' | 'json_object'
    /** USD per million tokens by model. */
    prices: Record<string, {input: number; output: number; cachedInput?: number}>
  }
  frontmatter: {
    /**
     * Keys some locale translates (default or per-locale policy): what the pipeline segments.
     * Which of them a given target translates is `frontmatterEdit(…).translateKeys`.
     */
    translateKeys: string[]
    /** Policy per key, defaults merged in. */
    keys: Record<string, FieldPolicy>
    /** Overrides per BCP-47 tag. */
    perLocale: Record<string, Record<string, FieldPolicy>>
  }
  links: {rebase: boolean}
  /** Code blocks of translations: `keep` keeps an existing translation's translated whole-line comments. */
  code: {comments: 'source' | 'keep'}
  /** `.mdx` sources: string attributes of block JSX elements translated as prose. */
  mdx: {attributes: string[]}
  limits: {maxFileBytes: number}
}
