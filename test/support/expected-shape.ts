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
import type {Shape} from '../../src/pipeline/shape.js'

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
      .replace(HTML_URL, (_, before: string, quote: string, link: string) => `${before}${quote}${attribute(link)}${quote}`)
      .replace(SRCSET, (_, before: string, quote: string, list: string) => {
        const candidates = list.split(',').map((candidate) => candidate.replace(/^(\s*)(\S+)/, (__, space: string, link: string) => space + attribute(link)))
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
