/**
 * Q5, Q7, Q8, Q22: Markdown or HTML that a translation introduces in its prose.
 *
 * Everything that is markup in the source is inside a token, so the source's prose is literal
 * text. Most markup characters a translator adds there are escaped at reassembly (docs/decisions.md trap 5
 * and 6); these rules catch what no escape can make safe or what changes the segment's structure.
 */

import {error, introduced, quote, type Rule, type RuleFinding} from './rule.js'

/**
 * GFM literal autolinks (`https://…`, `www.…`, e-mail) and CommonMark autolinks (`<scheme:…>`):
 * a URL added to prose becomes a link whatever is escaped around it (docs/decisions.md trap 2).
 */
const URL_IN_PROSE =
  /<[a-z][a-z\d+.-]{1,31}:[^\s<>]*>|\b(?:https?|ftp|mailto|xmpp):[^\s<>\uFFFC]*[^\s<>\uFFFC.,;:!?'")\]}]|\bwww\.[^\s<>\uFFFC]*[^\s<>\uFFFC.,;:!?'")\]}]|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/giu

/** Q5: URLs, e-mail addresses and `www.` hosts the source prose does not have. */
export const introducedUrls: Rule = ({source, target}) => {
  const added = introduced(source.plain, target.plain, URL_IN_PROSE)
  if (added.length === 0) return []
  return [
    error(
      'Q5',
      `URL or e-mail added in the text: ${added.map((url) => quote(url)).join(', ')}; it would become a new link. Expected no URL outside the ⟦n⟧ tokens`
    )
  ]
}

/** Q7: code and math delimiters added to prose would turn words into code or math. */
export const introducedCode: Rule = ({source, target}) => {
  const findings: RuleFinding[] = []
  const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0
  const backticks = count(target.plain, /`/g) - count(source.plain, /`/g)
  if (backticks > 0) {
    findings.push(
      error(
        'Q7',
        `${backticks} backtick(s) added to the text: they would make code. Expected code only inside the ⟦n⟧ tokens`
      )
    )
  }
  const dollars = count(target.plain, /\$/g)
  if (dollars > count(source.plain, /\$/g) && dollars >= 2) {
    findings.push(
      error(
        'Q7',
        `"$" added to the text (${dollars} in all): a pair of them would make math. Expected the source's ${count(source.plain, /\$/g)}`
      )
    )
  }
  const fences = count(target.plain, /^[ \t]*(?:~~~|```)/gm) - count(source.plain, /^[ \t]*(?:~~~|```)/gm)
  if (fences > 0 && backticks <= 0) {
    findings.push(error('Q7', 'a code fence (~~~) was added to the text. Expected none'))
  }
  return findings
}

/**
 * A line that would open a block: ATX heading, list item, block quote, setext underline,
 * thematic break, table row.
 */
const BLOCK_START =
  /^ {0,3}(?:#{1,6}(?:[ \t]|$)|[-+*][ \t]|\d{1,9}[.)][ \t]|>|=+[ \t]*$|-+[ \t]*$|(?:[*_-][ \t]*){3,}$|\|)/

/**
 * Q8: the translation keeps the segment one block. A blank line splits the paragraph; extra line
 * breaks beyond re-wrapping (2× the source's + 2) are not a translation; a line that starts a
 * list item or heading inside the segment changes the structure. The segment's first line is
 * escaped at reassembly (docs/decisions.md trap 6), so only continuation lines are checked here. Segments
 * that cannot span lines (headings, cells, titles, front-matter values) get no line break at all.
 */
export const lineStructure: Rule = ({source, target, kind}) => {
  const breaks = (text: string) => text.match(/\n/g)?.length ?? 0
  const sourceBreaks = breaks(source.plain)
  const targetBreaks = breaks(target.plain)
  if (kind !== undefined && kind !== 'paragraph' && sourceBreaks === 0 && targetBreaks > 0) {
    return [error('Q8', `${targetBreaks} line break(s) in a ${kind}, which must stay on one line`)]
  }
  const findings: RuleFinding[] = []
  if (/\n[ \t]*\n/.test(target.plain) && !/\n[ \t]*\n/.test(source.plain)) {
    findings.push(error('Q8', 'blank line added: it would split the paragraph in two. Expected no empty line'))
  }
  if (targetBreaks > sourceBreaks * 2 + 2) {
    findings.push(
      error(
        'Q8',
        `${targetBreaks} line breaks where the source has ${sourceBreaks}: expected at most ${sourceBreaks * 2 + 2}`
      )
    )
  }
  const starts = (text: string) =>
    text
      .split('\n')
      .slice(1)
      .filter((line) => BLOCK_START.test(line))
  // Counted, not matched: the source's own marker-like line comes back translated.
  const added = starts(target.plain).slice(starts(source.plain).length)
  if (added.length > 0) {
    findings.push(
      error(
        'Q8',
        `line ${added.map((line) => quote(line, 30)).join(', ')} would start a new block (list item, heading, quote or table): expected continuation text`
      )
    )
  }
  return findings
}

const HTML_IN_PROSE = /<\/?[a-z][a-z\d-]*(?=[\s/>])|<!--|<!\[CDATA\[|<\?/gi
const SCRIPT_IN_PROSE = /\b(?:javascript|vbscript)\s*:|\bon[a-z]{3,}\s*=/gi

/** Q22: HTML tags, `on…=` handlers and `javascript:` URLs the source prose does not have. */
export const introducedHtml: Rule = ({source, target}) => {
  const tags = introduced(source.plain, target.plain, HTML_IN_PROSE)
  const scripts = introduced(source.plain, target.plain, SCRIPT_IN_PROSE)
  const added = [...tags, ...scripts]
  if (added.length === 0) return []
  return [
    error(
      'Q22',
      `HTML added to the text: ${added.map((markup) => quote(markup, 30)).join(', ')}. Expected no markup outside the ⟦n⟧ tokens`
    )
  ]
}
