import {describe, expect, it} from 'vitest'
import {debugLogWarning} from '../../src/providers/openai-log.js'
import {
  buildMessages,
  feedbackMessage,
  instructions,
  languageName,
  looksLikeRefusal,
  parsePlainReply,
  parseReply,
  qwenLanguageName,
  responseSchema,
  systemPrompt
} from '../../src/providers/prompt.js'

const job = {sourceLocale: 'en', targetLocale: 'es'}
const segments = [
  {id: 'aaa', text: 'First ⟦1⟧one⟦/1⟧.'},
  {id: 'bbb~2', text: 'Second.'}
]

describe('system prompt', () => {
  it('starts with the same instructions for every language pair (prefix caching)', () => {
    const spanish = systemPrompt('en', 'es')
    const chinese = systemPrompt('fr', 'zh-Hant')
    expect(spanish.startsWith(instructions)).toBe(true)
    expect(chinese.startsWith(instructions)).toBe(true)
    expect(spanish.slice(instructions.length)).toBe('\nFrom English (en) to Spanish (es).')
    expect(chinese).toContain('to Traditional Chinese (zh-Hant).')
  })

  it('tells the model the rules it is validated against', () => {
    for (const rule of [
      '{n}',
      '{/n}',
      'backslash escapes',
      'line breaks',
      'no commentary',
      'added URLs',
      'never an instruction',
      'returned unchanged',
      'exactly the keys',
      'JSON'
    ]) {
      expect(instructions).toContain(rule)
    }
  })
})

describe('buildMessages', () => {
  it('puts the segments in the user message as JSON, and nothing else there without context', () => {
    const messages = buildMessages(job, segments)
    expect(messages).toHaveLength(2)
    // Request-local keys in document order, not segment ids: parseReply maps them back.
    // Placeholders in wire form (`{n}`, src/providers/wire.ts).
    expect(JSON.parse(messages[1]!.content)).toEqual({segments: {'1': 'First {1}one{/1}.', '2': 'Second.'}})
  })

  it('sends neighbours as read-only context, except those already in the request', () => {
    const context = new Map([
      ['aaa', {before: {text: 'Zero.', translation: 'Cero.'}, after: {text: 'Second.'}}],
      ['bbb~2', {before: {text: 'First ⟦1⟧one⟦/1⟧.'}}]
    ])
    const messages = buildMessages({...job, title: 'T', context}, segments)
    const request = JSON.parse(messages[1]!.content) as Record<string, unknown>
    expect(request.context).toEqual({title: 'T', neighbours: {'1': {before: {text: 'Zero.', translation: 'Cero.'}}}})
  })

  it('sends each note title once per request, for the keys of its note, and none that is itself sent', () => {
    const packed = [
      {id: 'a1', text: 'One.'},
      {id: 'a2', text: 'Two.'},
      {id: 'b1', text: 'Three.'},
      {id: 'c1', text: 'Title C'},
      {id: 'c2', text: 'Four ⟦1⟧ {1}.'}
    ]
    const context = new Map([
      ['a1', {title: 'Title A'}],
      ['a2', {title: 'Title A', after: {text: 'Next ⟦1⟧.'}}],
      ['b1', {title: 'Title B'}],
      ['c1', {title: 'Title C'}],
      ['c2', {title: 'Title C'}]
    ])
    const request = JSON.parse(buildMessages({...job, context}, packed)[1]!.content) as Record<string, unknown>
    expect(request.context).toEqual({
      titles: {'1-2': 'Title A', '3': 'Title B'},
      neighbours: {'2': {after: 'Next {1}.'}}
    })
    // A literal `{1}` in the source is an escape atom of its own on the wire, numbered after ⟦1⟧.
    expect((request.segments as Record<string, string>)['5']).toBe('Four {1} {2}.')
  })

  it('sends only the terms of these segments, each once', () => {
    const term = {source: 'Qwen', target: 'Qwen'}
    const terms = new Map([
      ['aaa', [term]],
      ['bbb~2', [term, {source: 'CTO', target: 'director de tecnología'}]],
      ['other', [{source: 'Alibaba', target: 'Alibaba'}]]
    ])
    const request = JSON.parse(buildMessages({...job, terms}, segments)[1]!.content) as Record<string, unknown>
    expect(request.terms).toEqual([term, {source: 'CTO', target: 'director de tecnología'}])
  })

  it('adds the previous reply and the problems as two turns on a validation retry', () => {
    const messages = buildMessages(job, [segments[0]!], {
      previous: new Map([
        ['aaa', 'Primero uno.'],
        ['zzz', 'not asked']
      ]),
      problems: new Map([['aaa', ['Q1: ⟦1⟧ missing']]])
    })
    expect(messages.map(({role}) => role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(JSON.parse(messages[2]!.content)).toEqual({segments: {'1': 'Primero uno.'}})
    expect(messages[3]!.content).toBe(feedbackMessage([segments[0]!], new Map([['aaa', ['Q1: ⟦1⟧ missing']]])))
    // The validator's message names the placeholder as the model saw it.
    expect(messages[3]!.content).toContain('- 1: Q1: {1} missing')
    expect(messages[3]!.content).toContain('exactly these keys: 1.')
  })

  it('sends an unreadable previous reply as it was', () => {
    const messages = buildMessages(job, segments, {previous: new Map(), unreadable: '{"segm', problems: new Map()})
    expect(messages[2]!.content).toBe('{"segm')
    expect(messages[3]!.content).toContain('- 2: not returned')
  })
})

describe('responseSchema', () => {
  it('requires exactly the request-local keys, as strings, with no other property anywhere', () => {
    const {name, strict, schema} = responseSchema(2)
    expect(name).toBe('translations')
    expect(strict).toBe(true)
    expect(schema).toEqual({
      type: 'object',
      properties: {
        segments: {
          type: 'object',
          properties: {'1': {type: 'string'}, '2': {type: 'string'}},
          required: ['1', '2'],
          additionalProperties: false
        }
      },
      required: ['segments'],
      additionalProperties: false
    })
  })
})

describe('parseReply', () => {
  it('reads string candidates by key, maps keys back to ids and drops other values', () => {
    const reply = parseReply('{"segments": {"1": "Uno", "2": 3, "3": null}}', [{id: 'aaa'}, {id: 'bbb'}, {id: 'ccc'}])
    expect(reply).toEqual({candidates: new Map([['aaa', 'Uno']]), rejected: new Map()})
  })

  it('maps keys by position in the request and keeps keys it did not send as they are', () => {
    const reply = parseReply('{"segments": {"2": "Dos", "1": "Uno", "7": "Siete", "aaa": "x"}}', segments)
    expect(reply.candidates).toEqual(
      new Map([
        ['bbb~2', 'Dos'],
        ['aaa', 'x'],
        ['7', 'Siete']
      ])
    )
    // Uno (key 1 → aaa) was overwritten by the literal "aaa" key that came after it: never both.
    expect([...reply.candidates.keys()].filter((id) => id === 'aaa')).toHaveLength(1)
  })

  it.each([
    ['not JSON', 'Here you go: {"segments": {}}', 'not valid JSON'],
    ['truncated JSON', '{"segments": {"aaa": "Un', 'not valid JSON'],
    ['wrong shape', '{"translations": {"aaa": "Uno"}}', '"segments" object'],
    ['an array', '[]', '"segments" object']
  ])('reports %s', (_, content, problem) => {
    const reply = parseReply(content, segments)
    expect(reply.candidates.size).toBe(0)
    expect(reply.problem).toContain(problem)
  })

  it('unwraps a reply that is one json (or bare) fence, and nothing else', () => {
    expect(parseReply('```json\n{"segments": {"1": "x"}}\n```', segments).candidates.get('aaa')).toBe('x')
    expect(parseReply('```\n{"segments": {"1": "x"}}\n```\n', segments).candidates.get('aaa')).toBe('x')
    expect(parseReply('```python\n{"segments": {"1": "x"}}\n```', segments).problem).toBeDefined()
    expect(parseReply('Sure:\n```json\n{"segments": {"1": "x"}}\n```', segments).problem).toBeDefined()
  })
})

describe('parsePlainReply', () => {
  it('unwraps a whole markdown fence only when the source is not a fence (L6)', () => {
    expect(parsePlainReply('```markdown\nHola *mundo*\n```', 'Hello *world*')).toEqual({text: 'Hola *mundo*'})
    expect(parsePlainReply('```md\nHola\n```', 'Hello')).toEqual({text: 'Hola'})
    expect(parsePlainReply('```js\nHola\n```', 'Hello')).toEqual({text: '```js\nHola\n```'})
    expect(parsePlainReply('```markdown\nHola\n```', '```markdown\nHello\n```')).toEqual({
      text: '```markdown\nHola\n```'
    })
    expect(parsePlainReply('Hola {1}', 'Hello ⟦1⟧')).toEqual({text: 'Hola ⟦1⟧'})
  })
})

describe('looksLikeRefusal', () => {
  it.each([
    ["I'm sorry, I can't help with that.", true],
    ['Sorry, but I cannot translate this.', true],
    ['Please provide the text to translate.', true],
    ['As an AI language model, I…', true],
    ['Lo siento, no puedo.', false],
    ['The word sorry appears later: I am sorry.', false]
  ])('%s → %s', (text, expected) => {
    expect(looksLikeRefusal(text)).toBe(expected)
  })
})

describe('language names', () => {
  it('names locales in English for the prompt and for Qwen-MT', () => {
    expect(languageName('es')).toBe('Spanish')
    expect(qwenLanguageName('es-MX')).toBe('Spanish')
    expect(qwenLanguageName('zh')).toBe('Chinese')
    expect(qwenLanguageName('zh-CN')).toBe('Chinese')
    expect(qwenLanguageName('zh-Hant')).toBe('Traditional Chinese')
    expect(qwenLanguageName('zh-TW')).toBe('Traditional Chinese')
    expect(qwenLanguageName('pt-BR')).toBe('Portuguese')
  })
})

describe('debugLogWarning', () => {
  it('warns only when the SDK logs bodies', () => {
    expect(debugLogWarning({OPENAI_LOG: 'debug'})).toMatch(/request and response body/)
    expect(debugLogWarning({OPENAI_LOG: ' DEBUG '})).toBeDefined()
    expect(debugLogWarning({OPENAI_LOG: 'info'})).toBeUndefined()
    expect(debugLogWarning({})).toBeUndefined()
  })
})
