/**
 * The shape a translation at `target` must have, from its source's shape (src/pipeline/shape.ts):
 * relative URLs rebased for the target's folder (docs/rules.md Q25), in Markdown destinations and
 * in raw-HTML URL attributes alike; a link to another note points at that note's translation when
 * `translationOf` knows one (docs/config.md, links).
 *
 * The raw-HTML attribute scan here is written independently of the product's (src/pipeline/
 * reassemble.ts), so the two have to agree for the end-to-end tests to pass.
 */
import {rebaseLink} from '../../src/config/load.js'
import {parseTree} from '../../src/pipeline/parse.js'
import {type Shape, treeShape} from '../../src/pipeline/shape.js'

const HTML_URL = /(\s(?:src|href|poster)\s*=\s*)(["'])(.*?)\2/gi
const SRCSET = /(\ssrcset\s*=\s*)(["'])(.*?)\2/gi

export function expectedShape(
  shape: Shape,
  source: string,
  target: string,
  translationOf: (note: string) => string | undefined = () => undefined
): Shape {
  const url = (value: string) => rebaseLink(value, source, target, translationOf)
  // A rebased attribute may be percent-encoded (`v4, v5/` → `v4,%20v5/`): the same URL to a browser.
  const attribute = (value: string) => {
    const rebased = url(value)
    if (rebased === value) return value
    try {
      return encodeURI(decodeURI(rebased))
    } catch {
      return rebased
    }
  }
  const html = (value: string) =>
    value
      .replace(
        HTML_URL,
        (_, before: string, quote: string, link: string) => `${before}${quote}${attribute(link)}${quote}`
      )
      .replace(SRCSET, (_, before: string, quote: string, list: string) => {
        const candidates = list
          .split(',')
          .map((candidate) =>
            candidate.replace(/^(\s*)(\S+)/, (__, space: string, link: string) => space + attribute(link))
          )
        return `${before}${quote}${candidates.join(',')}${quote}`
      })
  const isHtml = shape[0] === 'html'
  return shape.map((item) => {
    if (typeof item !== 'string') return expectedShape(item, source, target, translationOf)
    if (item.startsWith('url=')) return `url=${JSON.stringify(url(JSON.parse(item.slice(4)) as string))}`
    if (isHtml && item.startsWith('value=')) return `value=${JSON.stringify(html(JSON.parse(item.slice(6)) as string))}`
    return item
  })
}

/** The shape of a note's Markdown body: node types, code, math, HTML, URLs and definitions. */
export function shapeOf(text: string): Shape {
  return treeShape(parseTree(text.replace(/^\uFEFF/, '')))
}

/**
 * The targets (`notes/…` → `locales/es/…`) whose shape is not the one their source asks for, after
 * checking that each was translated at all.
 */
export async function mismatchedShapes(
  project: {read(file: string): Promise<string>},
  sources: readonly string[],
  translationOf: (note: string) => string | undefined,
  onPair: (before: string, after: string) => void
): Promise<string[]> {
  const mismatched: string[] = []
  for (const source of sources) {
    const target = source.replace(/^notes\//, 'locales/es/')
    const [before, after] = await Promise.all([project.read(source), project.read(target)])
    if (
      JSON.stringify(expectedShape(shapeOf(before), source, target, translationOf)) !== JSON.stringify(shapeOf(after))
    )
      mismatched.push(target)
    onPair(before, after)
  }
  return mismatched
}
