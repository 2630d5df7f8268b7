import {describe, expect, it} from 'vitest'
import {parseReply} from '../../src/providers/prompt.js'
import {countTokens} from '../../src/providers/tokens.js'
import {fromWire, toWire, wireMessage} from '../../src/providers/wire.js'
import {useServerProject} from '../support/server-project.js'

describe('wire form of placeholders', () => {
  it('sends ⟦n⟧ / ⟦/n⟧ as {n} / {/n} and reads them back', () => {
    const wire = toWire('Run ⟦1⟧, read ⟦2⟧the docs⟦/2⟧ and ⟦3⟧2024.')
    expect(wire).toEqual({text: 'Run {1}, read {2}the docs{/2} and {3}2024.', escapes: new Map()})
    expect(fromWire('Ejecuta {1}, lee {2}la guía{/2} y {3}2024.', wire.escapes)).toEqual({
      text: 'Ejecuta ⟦1⟧, lee ⟦2⟧la guía⟦/2⟧ y ⟦3⟧2024.'
    })
  })

  it('costs fewer o200k tokens than ⟦n⟧', () => {
    const internal = 'Click ⟦1⟧ then ⟦2⟧Save⟦/2⟧ and read ⟦3⟧.'
    expect(countTokens(toWire(internal).text)).toBeLessThan(countTokens(internal) - 10)
  })

  it('escapes text that already contains the wire form, and restores it byte for byte', () => {
    const source = 'Format {0} and {/1} with ⟦1⟧ here; {12} too, {x} and { 1 } stay.'
    const wire = toWire(source)
    expect(wire.text).toBe('Format {2} and {3} with {1} here; {4} too, {x} and { 1 } stay.')
    expect(wire.escapes).toEqual(
      new Map([
        [2, '{0}'],
        [3, '{/1}'],
        [4, '{12}']
      ])
    )
    // A model may move placeholders; each escape atom turns back into its literal text.
    expect(fromWire('{4} también; formatea {3} y {2} con {1} aquí, {x} y { 1 } quedan.', wire.escapes)).toEqual({
      text: '{12} también; formatea {/1} y {0} con ⟦1⟧ aquí, {x} y { 1 } quedan.'
    })
  })

  it('rejects a reply that loses or repeats an escape atom', () => {
    const {escapes} = toWire('Use {0} in ⟦1⟧.')
    expect(fromWire('Usa en {1}.', escapes)).toEqual({
      problem: 'Q1: placeholder {2} must appear exactly once (found none)'
    })
    expect(fromWire('Usa {2} {2} en {1}.', escapes)).toEqual({
      problem: 'Q1: placeholder {2} must appear exactly once (found 2 times)'
    })
  })

  it('leaves lost, repeated and invented placeholders to the validators, in the project form', () => {
    const {escapes} = toWire('A ⟦1⟧ b ⟦2⟧c⟦/2⟧.')
    expect(fromWire('A b {2}c{/2} {2} {9}.', escapes)).toEqual({text: 'A b ⟦2⟧c⟦/2⟧ ⟦2⟧ ⟦9⟧.'})
  })

  it('words validator messages with the wire form', () => {
    expect(wireMessage('Q1: ⟦1⟧ missing; ⟦/2⟧ twice')).toBe('Q1: {1} missing; {/2} twice')
  })

  it('parseReply reads candidates back and rejects one that lost an escape atom', () => {
    const sent = [
      {id: 'aaa', text: 'Use {0} in ⟦1⟧.'},
      {id: 'bbb', text: 'Plain ⟦1⟧x⟦/1⟧.'}
    ]
    const reply = parseReply('{"segments": {"1": "Usa en {1}.", "2": "Llano {1}x{/1}."}}', sent)
    expect(reply.candidates).toEqual(new Map([['bbb', 'Llano ⟦1⟧x⟦/1⟧.']]))
    expect(reply.rejected).toEqual(new Map([['aaa', 'Q1: placeholder {2} must appear exactly once (found none)']]))
  })
})

describe('through the CLI and the test server', () => {
  const setup = useServerProject()

  it('a note with literal {n} next to code and links is sent in wire form and written back exactly', async () => {
    const server = await setup.startServer()
    const note = 'Write `{0}` or {0} and {/1}, see [the {2} docs](https://example.com/{3}) now.\n'
    const project = await setup.project({'notes/format.md': `# Format {1}\n\n${note}`})
    const {code, stdout, stderr} = await project.run(['sync', '--locale', 'es', '--provider', 'openai'], {
      OPENAI_API_KEY: 'sk-test-wire',
      OPENAI_BASE_URL: server.url
    })
    expect(code, stdout + stderr).toBe(0)

    const bodies = server.requests.map((request) => JSON.stringify(request.body))
    expect(bodies.length).toBeGreaterThan(0)
    for (const body of bodies) expect(body).not.toMatch(/[⟦⟧]/)
    // ROT13 of the prose; every literal {n}, the code and the URL as they were.
    expect(await project.read('locales/es/format.md')).toBe(
      `---\nlang: es\ntranslated: true\n---\n# Sbezng {1}\n\nJevgr \`{0}\` be {0} naq {/1}, frr [gur {2} qbpf](https://example.com/{3}) abj.\n`
    )
  })
})
