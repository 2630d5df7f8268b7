/**
 * The structure a translation must not change.
 *
 * Two documents have the same shape when they have the same nodes (types, nesting, heading
 * depths, list kinds, task states, table alignment), the same code / inline code / HTML / math
 * values, the same URLs and the same definitions and references. Prose is not part of the
 * shape: text nodes, alt text, titles and front-matter values are what translation changes.
 * Neither is the order of inline elements among their siblings: translations reorder links and
 * emphasis (`click [here] for **details**` → `**detalles** [aquí]`), so phrasing siblings are
 * compared as a multiset (their nesting still counts).
 */

import type {Nodes, Root} from 'mdast'

/** A comparable, JSON-serialisable description of a tree's shape. */
export type Shape = Array<string | Shape>

/** Fields that belong to the shape, per node type (besides the type and the children). */
const fields: Record<string, readonly string[]> = {
  heading: ['depth'],
  list: ['ordered', 'start'],
  listItem: ['checked'],
  table: ['align'],
  code: ['lang', 'meta', 'value'],
  inlineCode: ['value'],
  html: ['value'],
  math: ['meta', 'value'],
  inlineMath: ['value'],
  link: ['url'],
  image: ['url'],
  linkReference: ['identifier'],
  imageReference: ['identifier'],
  definition: ['identifier', 'url'],
  footnoteReference: ['identifier'],
  footnoteDefinition: ['identifier'],
  mdxjsEsm: ['value'],
  mdxFlowExpression: ['value'],
  mdxTextExpression: ['value'],
  containerDirective: ['name', 'attributes'],
  leafDirective: ['name', 'attributes'],
  textDirective: ['name', 'attributes'],
  mdxJsxFlowElement: ['name'],
  mdxJsxTextElement: ['name']
}

/** Node types whose children are phrasing: translation may reorder those children. */
const phrasingParents: ReadonlySet<string> = new Set([
  'paragraph',
  'heading',
  'tableCell',
  'emphasis',
  'strong',
  'delete',
  'link',
  'linkReference'
])

/** Node types whose content is prose (or front-matter, patched and checked on its own). */
const ignored: ReadonlySet<string> = new Set(['text', 'yaml'])

/** Describe the shape of `tree` (see the module comment for what counts). */
export function treeShape(
  tree: Root | Nodes,
  options?: {
    proseAttributes?: readonly string[]
    /**
     * Inline nodes (children of a phrasing parent) to leave out of the shape, with everything in
     * them: reassembly leaves out the markup of segments a human wrote (human edits win).
     */
    skip?: (node: Nodes) => boolean
  }
): Shape {
  return describe(tree, new Set(options?.proseAttributes ?? []), options?.skip)
}

/** Whether two shapes are equal. */
export function sameShape(left: Shape, right: Shape): boolean {
  return shapeKey(left) === shapeKey(right)
}

/** A string equal for equal shapes only: what {@link sameShape} compares (cache it for a shape compared often). */
export function shapeKey(shape: Shape): string {
  return JSON.stringify(shape)
}

/** A one-line description of the first difference between two shapes (for rejection reasons). */
export function shapeDifference(left: Shape, right: Shape): string {
  const a = flatten(left)
  const b = flatten(right)
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] !== b[index]) {
      return `expected ${a[index] ?? 'nothing'}, got ${b[index] ?? 'nothing'}`
    }
  }
  return 'no difference'
}

/**
 * @param prose
 *   MDX attribute names whose string values are prose (translated, so not part of the shape).
 */
function describe(node: Nodes, prose: ReadonlySet<string>, skip?: (node: Nodes) => boolean): Shape {
  const shape: Shape = [node.type]
  for (const field of fields[node.type] ?? []) {
    const value: unknown = (node as unknown as Record<string, unknown>)[field]
    if (value !== undefined && value !== null) shape.push(`${field}=${JSON.stringify(value)}`)
  }
  if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && Array.isArray(node.attributes)) {
    // Names and values only: positions move with the prose before them, and the parser's estree
    // is a derivative of the value.
    for (const attribute of node.attributes as Array<{type: string; name?: string; value?: unknown}>) {
      const value =
        typeof attribute.value === 'object' && attribute.value !== null
          ? (attribute.value as {value?: unknown}).value
          : attribute.value
      if (
        typeof attribute.value === 'string' &&
        attribute.name !== undefined &&
        prose.has(attribute.name) &&
        node.type === 'mdxJsxFlowElement'
      ) {
        shape.push(`attribute ${attribute.name}=…`)
        continue
      }
      shape.push(
        `${attribute.type === 'mdxJsxExpressionAttribute' ? '{…}' : 'attribute'} ${attribute.name ?? ''}=${JSON.stringify(value ?? null)}`
      )
    }
  }
  if ('children' in node) {
    const children: Shape[] = []
    const phrasing = phrasingParents.has(node.type)
    for (const child of node.children as Nodes[]) {
      if (ignored.has(child.type) || (phrasing && skip?.(child))) continue
      children.push(describe(child, prose, skip))
    }
    if (phrasing && children.length > 1) {
      const keyed = children.map((child) => ({key: shapeKey(child), child}))
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      shape.push(...keyed.map((entry) => entry.child))
    } else {
      shape.push(...children)
    }
  }
  return shape
}

function flatten(shape: Shape, into: string[] = []): string[] {
  for (const item of shape) {
    if (typeof item === 'string') into.push(item.length > 60 ? `${item.slice(0, 57)}…` : item)
    else flatten(item, into)
  }
  return into
}
