/**
 * The JSON Schema of `notes-l10n.config.json`.
 *
 * This object is the single source of truth: `schemas/config.schema.json` (shipped for editors,
 * referenced by `$schema`) and the reference table in `docs/config.md` are checked against it by
 * tests, so they cannot drift. It lives in code rather than being read from disk so that
 * `resolveConfig` stays pure.
 *
 * Draft-07, because that is what editors complete best and what ajv validates by default.
 */

/** A JSON Schema node, as far as this project writes them. */
export interface SchemaNode {
  $schema?: string
  $id?: string
  title?: string
  description?: string
  type?:
    | 'object'
    | 'array'
    | 'string'
    | 'integer'
    | 'number'
    | 'boolean'
    | 'null'
    | Array<'string' | 'number' | 'boolean' | 'null'>
  properties?: Record<string, SchemaNode>
  additionalProperties?: boolean | SchemaNode
  propertyNames?: SchemaNode
  required?: string[]
  items?: SchemaNode
  minItems?: number
  uniqueItems?: boolean
  enum?: ReadonlyArray<string | number | boolean | null>
  const?: string | number | boolean | null
  anyOf?: SchemaNode[]
  pattern?: string
  minLength?: number
  minimum?: number
  maximum?: number
  default?: unknown
  examples?: unknown[]
}

/** Path forms and BCP-47 tags: letters, digits, `-`, `_`; never `.`, `/` or `\` (S4). */
const localeName: SchemaNode = {
  type: 'string',
  pattern: '^[A-Za-z][A-Za-z0-9_-]{0,34}$'
}

/** What to do with one front-matter key in the translated file. */
const fieldPolicy: SchemaNode = {
  description:
    '`"translate"` (send the value to the translator), `"keep"` (copy unchanged), `"drop"` (remove from the target) or `{"set": value}` (write this scalar; `{locale}` and `{tag}` are substituted in strings).',
  anyOf: [
    {enum: ['translate', 'keep', 'drop']},
    {
      type: 'object',
      properties: {
        set: {
          description: 'The value written to the target file.',
          type: ['string', 'number', 'boolean', 'null']
        }
      },
      required: ['set'],
      additionalProperties: false
    }
  ]
}

/** Front-matter policy keys, without the reserved `perLocale`. */
const fieldPolicies: SchemaNode = {
  type: 'object',
  additionalProperties: fieldPolicy
}

export const configSchema: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://notes-l10n.dev/schemas/config.schema.json',
  title: 'notes-l10n configuration (notes-l10n.config.json)',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: {
      description: 'Path or URL of this schema, for editor completion. Ignored by notes-l10n.',
      type: 'string'
    },
    $comment: {
      description: 'Free text (or lines of text) for humans; JSON has no comments. Ignored by notes-l10n.',
      anyOf: [{type: 'string'}, {type: 'array', items: {type: 'string'}}]
    },
    sources: {
      description: 'Which files are source notes.',
      type: 'object',
      additionalProperties: false,
      properties: {
        include: {
          description:
            'Globs (relative to the project root) of source notes. The static prefix of the glob that matched a file (`notes/` for `notes/**/*.md`) is its source base, from which `{path}` is measured.',
          type: 'array',
          items: {type: 'string', minLength: 1},
          minItems: 1,
          default: ['notes/**/*.{md,mdx}']
        },
        exclude: {
          description:
            'Globs of files to leave out. `{locale}` (and `{tag}`) stand for every target locale of the run and of `locales`, so `docs/{locale}/**` keeps translations that sit under the sources out of them, for locales added later too. `.git/`, `node_modules/` and `.notes-l10n/` are always left out.',
          type: 'array',
          items: {type: 'string', minLength: 1},
          default: []
        },
        pattern: {
          description:
            'Optional file-name pattern with named captures, matched against the whole path relative to the root, e.g. `notes/{date}-{slug}-{lang}.md`. `*` matches within one folder, `**/` any number of folders. Captures can be used in `output`; a source that does not match is skipped and reported.',
          type: 'string',
          minLength: 1,
          examples: ['notes/{date}-{slug}-{lang}.md']
        },
        captures: {
          description:
            'Regular expressions for captures of `pattern` (without anchors or groups of their own). Defaults: `date` = `\\d{4}-\\d{2}-\\d{2}`, the `sourceLocale.fromPattern` capture = one of the known locales, anything else = one or more characters other than `/` (greedy).',
          type: 'object',
          propertyNames: {pattern: '^[A-Za-z_][A-Za-z0-9_]*$'},
          additionalProperties: {description: 'Regular expression for this capture.', type: 'string', minLength: 1},
          default: {}
        }
      }
    },
    sourceLocale: {
      description:
        "How each source note's own language is found: pattern capture, else front-matter key, else the default.",
      type: 'object',
      additionalProperties: false,
      properties: {
        default: {
          description: 'Locale of sources that say nothing else.',
          ...localeName,
          default: 'en'
        },
        fromFrontmatter: {
          description: 'Front-matter key holding the source locale; `false` to ignore front-matter.',
          anyOf: [{type: 'string', minLength: 1}, {const: false}],
          default: 'lang'
        },
        fromPattern: {
          description:
            'Capture of `sources.pattern` holding the source locale (used when the pattern has it); `false` to ignore it.',
          anyOf: [{type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$'}, {const: false}],
          default: 'lang'
        }
      }
    },
    locales: {
      description:
        "Target locales, as they appear in paths (an alias from `localeAliases` or a BCP-47 tag). Empty: targets come from `--locale`. A locale equal to a note's own locale is copied, not translated.",
      type: 'array',
      items: localeName,
      uniqueItems: true,
      default: []
    },
    localeAliases: {
      description:
        'Path form → BCP-47 tag, e.g. `{"hant": "zh-Hant"}`. The alias is used in paths, `{locale}` and front-matter; the tag is used for the model, the glossary and the lock.',
      type: 'object',
      propertyNames: localeName,
      additionalProperties: {...localeName, description: 'The BCP-47 tag this alias stands for.'},
      default: {}
    },
    output: {
      description:
        'Output path template, relative to the root. Parts: `{locale}` (path form), `{tag}` (BCP-47), `{path}` (source path relative to its source base), `{dir}` (folder of `{path}`, may be empty), `{name}` (file name without extension), `{ext}` (extension with its dot, `.md`), plus captures of `sources.pattern`. Or an object with one template per include glob (`{"docs/**/*.mdx": "i18n/{locale}/…/{path}", "blog/**/*.mdx": "…"}`): a source takes the template of the first glob that matches it, and `sources.include` defaults to the keys.',
      anyOf: [
        {type: 'string', minLength: 1},
        {
          type: 'object',
          propertyNames: {type: 'string', minLength: 1},
          additionalProperties: {type: 'string', minLength: 1}
        }
      ],
      default: 'locales/{locale}/{path}',
      examples: ['_posts/{locale}/{date}-{slug}-{locale}.md']
    },
    glossary: {
      description:
        'Glossary file relative to the root. The default `glossary.json` is used only when it exists; a path set here must exist.',
      type: 'string',
      minLength: 1,
      default: 'glossary.json'
    },
    provider: {
      description: 'Translation provider. The API key is never read from here: only from `OPENAI_API_KEY`.',
      type: 'object',
      additionalProperties: false,
      properties: {
        name: {
          description: '`openai` (any OpenAI-compatible endpoint) or `pseudo` (offline pseudo-localisation).',
          enum: ['openai', 'pseudo'],
          default: 'openai'
        },
        model: {
          description: "Model name sent to the endpoint (`--model` wins). Unset: the provider's default.",
          type: 'string',
          minLength: 1,
          examples: ['gpt-4o-mini', 'qwen-plus']
        },
        baseURL: {
          description: 'Endpoint base URL (`OPENAI_BASE_URL` and `--base-url` take precedence).',
          type: 'string',
          pattern: '^https?://',
          examples: ['https://dashscope-intl.aliyuncs.com/compatible-mode/v1']
        },
        concurrency: {
          description: "Requests in flight at once (`--concurrency` wins). Unset: the provider's default (8).",
          type: 'integer',
          minimum: 1,
          maximum: 256
        },
        timeoutMs: {
          description:
            'Total deadline of one request attempt in ms: connect, headers and the whole reply body (transport retries get their own). Unset: 120000.',
          type: 'integer',
          minimum: 100,
          maximum: 3600000
        },
        maxReplyBytes: {
          description:
            'Largest reply accepted, in bytes after decompression; a larger one fails that request. Unset: 8388608 (8 MiB).',
          type: 'integer',
          minimum: 1024,
          maximum: 1073741824
        },
        models: {
          description: 'Per-locale model, by path form or tag, e.g. `{"zh": "qwen-plus"}`.',
          type: 'object',
          propertyNames: localeName,
          additionalProperties: {description: 'Model for this locale.', type: 'string', minLength: 1},
          default: {}
        },
        responseFormat: {
          description:
            '`json_schema` (strict structured output), `json_object` (JSON mode) or `auto` (structured output, falling back to JSON mode when the endpoint refuses it).',
          enum: ['auto', 'json_schema', 'json_object'],
          default: 'auto'
        },
        prices: {
          description: 'USD per million tokens by model, added to or overriding the built-in price table.',
          type: 'object',
          additionalProperties: {
            description: 'Prices of this model.',
            type: 'object',
            additionalProperties: false,
            required: ['input', 'output'],
            properties: {
              input: {description: 'USD per million prompt tokens.', type: 'number', minimum: 0},
              output: {description: 'USD per million completion tokens.', type: 'number', minimum: 0},
              cachedInput: {description: 'USD per million cached prompt tokens.', type: 'number', minimum: 0}
            }
          },
          default: {}
        }
      }
    },
    frontmatter: {
      description:
        'Front-matter policy per key, merged over the defaults `{"title": "translate", "lang": {"set": "{locale}"}, "translated": {"set": true}}`. Keys not named are kept.',
      type: 'object',
      properties: {
        perLocale: {
          description: 'Overrides by locale (path form or tag), e.g. `{"zh": {"title": "keep"}}`.',
          type: 'object',
          propertyNames: localeName,
          additionalProperties: {
            ...fieldPolicies,
            description: 'Policy per key for this locale, over the project-wide one.'
          },
          default: {}
        }
      },
      additionalProperties: fieldPolicy
    },
    links: {
      description: 'Relative links and images.',
      type: 'object',
      additionalProperties: false,
      properties: {
        rebase: {
          description:
            'Rewrite relative URLs so they resolve from the output file when it sits in another folder than the source (`#anchors`, absolute and scheme URLs are never touched).',
          type: 'boolean',
          default: true
        }
      }
    },
    code: {
      description: "Code blocks in translations (their code is always the source's).",
      type: 'object',
      additionalProperties: false,
      properties: {
        comments: {
          description:
            '`"source"`: a translation\'s fenced code blocks are the source\'s, byte for byte. `"keep"`: a fenced code block of an existing translation that differs from the source only in whole-line comments (translated comments, e.g. in a translation adopted from before notes-l10n) is kept as written, on adoption and on every later sync; other differences are reported on adoption as before. `sync --force` takes the source\'s.',
          enum: ['source', 'keep'],
          default: 'source'
        }
      }
    },
    mdx: {
      description:
        '`.mdx` sources (parsed with remark-mdx: ESM, JSX and `{expressions}` are kept byte for byte; prose inside JSX elements is translated).',
      type: 'object',
      additionalProperties: false,
      properties: {
        attributes: {
          description:
            'Names of string attributes of block JSX elements whose values are prose to translate (`<Callout title="…">`, `<img alt="…" />`). Quoted one-line values only; `{expressions}` and attributes of inline elements are kept as written.',
          type: 'array',
          items: {type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$:.-]*$'},
          uniqueItems: true,
          default: ['alt', 'title']
        }
      }
    },
    limits: {
      description: 'Safety limits.',
      type: 'object',
      additionalProperties: false,
      properties: {
        maxFileBytes: {
          description: 'Source files larger than this are skipped with a message.',
          type: 'integer',
          minimum: 1,
          default: 1_048_576
        }
      }
    }
  }
}
