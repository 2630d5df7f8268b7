/**
 * The JSON Schema of `glossary.json`.
 *
 * This object is the source of truth: `schemas/glossary.schema.json` (shipped in the package for
 * editors, referenced from a glossary's `$schema`) is a verbatim copy, and a test keeps the two
 * equal. It lives in TypeScript because pure modules may not read files and the compiler's
 * `rootDir` does not reach `schemas/`.
 *
 * Structure only: what a schema cannot say well (well-formed BCP-47 keys, duplicate terms across
 * entries, "keep or translations") is checked in `parse.ts`, and reported together with these.
 */
export const glossarySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'notes-l10n glossary',
  description:
    'Terms that must be rendered consistently in every locale. See docs/glossary.md in the notes-l10n package.',
  type: 'object',
  required: ['version', 'entries'],
  additionalProperties: false,
  properties: {
    $schema: {type: 'string', description: 'Path or URL of this schema, for editors.'},
    version: {const: 1, description: 'Format version. Always 1.'},
    sourceLocale: {
      $ref: '#/definitions/locale',
      description: 'BCP-47 language of the terms (default "en").'
    },
    entries: {type: 'array', items: {$ref: '#/definitions/entry'}}
  },
  definitions: {
    text: {type: 'string', minLength: 1},
    texts: {type: 'array', items: {$ref: '#/definitions/text'}},
    locale: {
      type: 'string',
      pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
      description: 'A BCP-47 language tag in canonical case: "es", "zh-Hant", "pt-BR".'
    },
    entry: {
      type: 'object',
      required: ['term'],
      additionalProperties: false,
      properties: {
        term: {$ref: '#/definitions/text', description: 'The source term.'},
        variants: {
          $ref: '#/definitions/texts',
          description: 'Other source spellings matched like the term (aliases).'
        },
        caseSensitive: {
          type: 'boolean',
          description:
            'Match the source case-sensitively. Default: true when the term has no lowercase letter (CTO), else false.'
        },
        note: {$ref: '#/definitions/text', description: 'Guidance for translators, sent with the term.'},
        keep: {
          type: 'boolean',
          description: 'Do not translate: kept byte-identical in every locale, except those listed in translations.'
        },
        translations: {
          type: 'object',
          description: 'Renderings by BCP-47 locale; "*" applies to every locale without its own key.',
          propertyNames: {
            anyOf: [{const: '*'}, {$ref: '#/definitions/locale'}]
          },
          additionalProperties: {$ref: '#/definitions/rendering'}
        }
      }
    },
    rendering: {
      anyOf: [
        {$ref: '#/definitions/text'},
        {
          type: 'object',
          required: ['target'],
          additionalProperties: false,
          properties: {
            target: {$ref: '#/definitions/text', description: 'The form to use.'},
            variants: {
              $ref: '#/definitions/texts',
              description: 'Other accepted forms (inflections).'
            },
            forbidden: {
              $ref: '#/definitions/texts',
              description: 'Forms that must not be used for this term.'
            }
          }
        }
      ]
    }
  }
} as const
